package io.clbingress.operator.standalone;

import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.util.TokenBuffer;

/**
 * Reads the documents of a YAML text from SnakeYAML's parser events straight into Jackson tokens,
 * which Jackson binds to Kubernetes models without a tree in between: SnakeYAML's node graph, its
 * Java maps and their conversion to tokens are skipped (the larger part of what reading a large
 * manifest folder costs). Scalars are typed as SnakeYAML's loader types them with the same
 * resolver ({@link KubernetesResolver}) and the same constructors (YAML 1.1: {@code yes} is
 * true, {@code 0x1F} 31, {@code 1_000} 1000).
 *
 * <p>It reads the plain subset manifests are written in. For anything else it throws
 * {@link Unsupported}, and the caller reads the text with SnakeYAML's loader, which gives the same
 * objects (or errors) for the subset and handles the rest: an alias ({@code *name}), a merge key
 * ({@code <<}), an explicit tag ({@code !!str}), a key that is not a string scalar, a document
 * that is not a mapping (but for an empty one), or nesting deeper than the loader's limit.
 * Errors of the YAML itself (SnakeYAML's {@code YAMLException}) are thrown as the parser
 * raises them.
 */
final class YamlTokens {

  /**
   * One document: its top-level {@code apiVersion} and {@code kind} when they are strings (else
   * null), and its tokens.
   */
  record Document(String apiVersion, String kind, TokenBuffer tokens) {
  }

  /** The text is outside the subset read here; the caller reads it with SnakeYAML's loader. */
  static final class Unsupported extends RuntimeException {
    Unsupported(String what) {
      super(what, null, false, false);
    }
  }

  private final LoaderOptions options;
  private final Resolver resolver;
  private final Scalars scalars;

  YamlTokens(LoaderOptions options, Resolver resolver) {
    this.options = options;
    this.resolver = resolver;
    this.scalars = new Scalars(options);
  }

  /**
   * The documents of {@code text}, in order; an empty document is a null element.
   *
   * @throws Unsupported when the text is outside the subset read here
   * @throws org.yaml.snakeyaml.error.YAMLException when the text is not valid YAML
   */
  List<Document> documents(String text) {
    Parser parser = new ParserImpl(new StreamReader(text), options);
    List<Document> documents = new ArrayList<>();
    parser.getEvent(); // stream start
    while (!parser.checkEvent(Event.ID.StreamEnd)) {
      parser.getEvent(); // document start
      documents.add(document(parser));
      parser.getEvent(); // document end
    }
    return documents;
  }

  /** The document whose first event is next: a mapping, or null for an empty document. */
  private Document document(Parser parser) {
    Event first = parser.getEvent();
    if (first instanceof ScalarEvent scalar && typeOf(scalar) == Tag.NULL) {
      return null;
    }
    if (first.getEventId() != Event.ID.MappingStart || explicitlyTagged(first)) {
      throw new Unsupported("a document that is not a mapping");
    }
    TokenBuffer tokens = TokenBuffer.forGeneration();
    tokens.writeStartObject();
    // Per open collection, whether it is a mapping; the depth is the document's (1: its top mapping).
    boolean[] mapping = new boolean[options.getNestingDepthLimit() + 1];
    mapping[1] = true;
    int depth = 1;
    boolean key = true;
    String topKey = null;
    String apiVersion = null;
    String kind = null;
    while (depth > 0) {
      Event event = parser.getEvent();
      switch (event.getEventId()) {
        case Scalar -> {
          ScalarEvent scalar = (ScalarEvent) event;
          if (key) {
            tokens.writeName(name(scalar));
            topKey = depth == 1 ? scalar.getValue() : null;
          } else {
            Object value = write(scalar, tokens);
            if ("apiVersion".equals(topKey)) {
              apiVersion = value instanceof String string ? string : null;
            } else if ("kind".equals(topKey)) {
              kind = value instanceof String string ? string : null;
            }
          }
        }
        case MappingStart, SequenceStart -> {
          if (key) {
            throw new Unsupported("a key that is a collection");
          }
          if (explicitlyTagged(event) || ++depth >= mapping.length) {
            throw new Unsupported("a tagged collection, or nesting deeper than " + options.getNestingDepthLimit());
          }
          mapping[depth] = event.getEventId() == Event.ID.MappingStart;
          if (mapping[depth]) {
            tokens.writeStartObject();
          } else {
            tokens.writeStartArray();
          }
          topKey = null;
          key = mapping[depth];
          continue;
        }
        case MappingEnd -> tokens.writeEndObject();
        case SequenceEnd -> tokens.writeEndArray();
        default -> throw new Unsupported("an alias"); // the parser sends nothing else inside a document
      }
      if (event.getEventId() == Event.ID.MappingEnd || event.getEventId() == Event.ID.SequenceEnd) {
        depth--;
        key = mapping[depth]; // a collection's end ends the value of its parent's key
        topKey = null;
      } else if (mapping[depth]) {
        key = !key;
      }
    }
    return new Document(apiVersion, kind, tokens);
  }

  /** A key: a scalar that resolves to a string. */
  private String name(ScalarEvent scalar) {
    if (typeOf(scalar) != Tag.STR) {
      throw new Unsupported("a key that is not a string, or a merge key");
    }
    return scalar.getValue();
  }

  /** Writes a scalar value as the loader types it; returns that value. */
  private Object write(ScalarEvent scalar, JsonGenerator tokens) {
    Tag type = typeOf(scalar);
    if (type == Tag.STR) {
      tokens.writeString(scalar.getValue());
      return scalar.getValue();
    }
    if (type == Tag.NULL) {
      tokens.writeNull();
      return null;
    }
    if (type != Tag.BOOL && type != Tag.INT && type != Tag.FLOAT) {
      throw new Unsupported("a scalar of type " + type); // "<<" as a value
    }
    Object value = scalars.construct(type, scalar.getValue());
    if (value instanceof Boolean bool) {
      tokens.writeBoolean(bool);
    } else if (value instanceof Integer number) {
      tokens.writeNumber(number);
    } else if (value instanceof Long number) {
      tokens.writeNumber(number);
    } else if (value instanceof java.math.BigInteger number) {
      tokens.writeNumber(number);
    } else if (value instanceof Double number) {
      tokens.writeNumber(number);
    } else {
      throw new Unsupported("a scalar of type " + type);
    }
    return value;
  }

  /** The type the loader gives a scalar (not read here when explicitly tagged). */
  private Tag typeOf(ScalarEvent scalar) {
    if (scalar.getTag() != null && !"!".equals(scalar.getTag())) {
      throw new Unsupported("an explicit tag");
    }
    return resolver.resolve(NodeId.scalar, scalar.getValue(), scalar.getImplicit().canOmitTagInPlainScalar());
  }

  /** Whether a collection carries its own tag (the loader resolves {@code !} and none alike). */
  private static boolean explicitlyTagged(Event event) {
    String tag = ((CollectionStartEvent) event).getTag();
    return tag != null && !"!".equals(tag);
  }

  /** SnakeYAML's own constructors of booleans, integers and floats. */
  private static final class Scalars extends SafeConstructor {

    Scalars(LoaderOptions options) {
      super(options);
    }

    Object construct(Tag type, String value) {
      return yamlConstructors.get(type).construct(new ScalarNode(type, value, null, null, DumperOptions.ScalarStyle.PLAIN));
    }
  }
}
