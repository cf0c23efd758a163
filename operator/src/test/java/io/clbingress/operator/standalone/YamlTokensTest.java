package io.clbingress.operator.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import tools.jackson.databind.JsonNode;

/**
 * The token reader gives, for every text in its subset, the documents SnakeYAML's loader gives
 * (what ManifestParser read before it, and still reads everything else with): the same values of
 * the same types (a document's tokens bound to a tree equal the loader's maps converted to one),
 * the same empty documents, and an error where the loader has one. Outside the subset it says so
 * ({@link YamlTokens.Unsupported}) rather than read differently.
 */
class YamlTokensTest {

  private final KubernetesSerialization serialization = new KubernetesSerialization();
  private final YamlTokens reader = new YamlTokens(new LoaderOptions(), new KubernetesResolver());
  private final Yaml loader = ManifestParser.yaml();

  /** Scalars in YAML 1.1's special forms and the forms manifests hold. */
  private static final List<String> SCALARS = List.of("", "~", "null", "Null", "NULL", "true", "True", "FALSE", "yes",
      "No", "on", "OFF", "y", "n", "0", "-1", "+12", "0x1F", "0o17", "017", "0b101", "1_000", "190:20:30", "2147483648",
      "99999999999999999999", "1.5", "-.5", "1e3", "6.8523015e+5", ".inf", "-.Inf", ".nan", "2026-12-03",
      "2026-12-03T21:00:00Z", "app-1", "networking.k8s.io/v1", "/", "/api/v1", "127.0.0.1", "10.0.0.0/8", "ünicode",
      "\u0668\u0660", "'8080'", "\"yes\"", "'multi word'", "\"tab\\there\"", "\"\\u00e9\"", "nginx.ingress.kubernetes.io/x");

  @Test
  void everyManifestOfTheProjectReadsAsTheLoaderReadsIt() throws Exception {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> cases = Files.walk(Path.of("src/test/resources/translate"));
        Stream<Path> examples = Files.list(Path.of("../deploy/examples"))) {
      // the translation cases' inputs (their out-*.yaml are lists, not manifests) and the shipped examples
      Stream.concat(cases, examples)
          .filter(file -> file.toString().endsWith(".yaml") && !file.getFileName().toString().startsWith("out-"))
          .forEach(files::add);
    }
    int documents = 0;
    for (Path file : files) {
      documents += readAlike(Files.readString(file), file.toString(), false);
    }
    assertThat(files).hasSizeGreaterThan(50);
    assertThat(documents).as("documents read").isGreaterThan(400);
  }

  @Test
  void everyScalarFormIsTypedAsTheLoaderTypesIt() {
    for (String scalar : SCALARS) {
      String text = """
          apiVersion: v1
          kind: ConfigMap
          top: %1$s
          nested:
            deeper: {flow: %1$s, list: [%1$s, x]}
            block:
            - %1$s
            - key: %1$s
          """.formatted(scalar);
      // an empty scalar makes "[, x]", which is not YAML: both refuse it
      assertThat(readAlike(text, scalar, false)).as(scalar).isEqualTo(scalar.isEmpty() ? 0 : 1);
    }
  }

  @Test
  void documentsOfEveryStyleReadAsTheLoaderReadsThem() {
    String text = """
        apiVersion: v1
        kind: Secret
        metadata:
          name: s
          annotations:
            a: "1"
            b: 'two'
            c: |
              literal
              lines
            d: >
              folded
              text
        data:
          key: |-
            multi
            line
        stringData: {empty: , other: ~}
        list:
        - - nested
          - [a, {b: c}]
        - {}
        - []
        duplicate: first
        duplicate: second
        anchored: &a {x: 1}
        ---
        ---
        # only a comment
        ---
        kind: Service
        apiVersion: v1
        """;
    assertThat(readAlike(text, "styles", false)).isEqualTo(2);
  }

  /** Random documents in the subset from a fixed seed: block and flow styles, any scalar, plain or quoted. */
  @Test
  void randomDocumentsReadAsTheLoaderReadsThem() {
    Random random = new Random(12);
    int read = 0;
    for (int i = 0; i < 2_000; i++) {
      StringBuilder text = new StringBuilder("apiVersion: v").append(i).append("\nkind: Random\n");
      block(random, text, "", 0);
      read += readAlike(text.toString(), text.toString(), true);
    }
    assertThat(read).as("texts read alike (the rest refused by both, or outside the subset)").isGreaterThan(1_000);
  }

  @Test
  void outsideTheSubsetItSaysSoRatherThanReadDifferently() {
    Map<String, String> texts = Map.of(
        "an alias", "kind: K\nbase: &b {x: 1}\nother: *b\n",
        "a merge key", "kind: K\nbase: &b {x: 1}\nother: {<<: *b, y: 2}\n",
        "an explicit tag on a scalar", "kind: K\nport: !!str 80\n",
        "an explicit tag on a collection", "kind: K\nset: !!set {a, b}\n",
        "an integer key", "kind: K\nports: {80: http}\n",
        "a boolean key", "kind: K\nflags: {yes: 1}\n",
        "a collection as a key", "kind: K\n? [a, b]\n: c\n",
        "a document that is a list", "- kind: K\n",
        "a document that is a word", "kind\n",
        "nesting deeper than the loader's limit", "kind: K\nx: " + "[".repeat(60) + "]".repeat(60) + "\n");
    texts.forEach((what, text) -> {
      assertThatThrownBy(() -> reader.documents(text)).as(what).isInstanceOf(YamlTokens.Unsupported.class);
    });
  }

  @Test
  void apiVersionAndKindAreTakenFromTheTopMappingOnlyAndOnlyAsStrings() {
    List<YamlTokens.Document> documents = reader.documents("""
        spec: {kind: Inner, apiVersion: inner/v1}
        kind: Ingress
        apiVersion: networking.k8s.io/v1
        ---
        kind: [List]
        apiVersion: 1
        """);
    assertThat(documents).extracting(YamlTokens.Document::apiVersion, YamlTokens.Document::kind)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("networking.k8s.io/v1", "Ingress"),
            org.assertj.core.groups.Tuple.tuple(null, null));
  }

  /**
   * Asserts that the token reader reads text as the loader does, or refuses it when the loader
   * does; returns the number of non-empty documents read (0 when both refuse).
   *
   * @param outsideSubset whether the text may be outside the token reader's subset (a random plain
   *     scalar such as {@code 0:} in a sequence makes a mapping with an integer key): if the reader
   *     says so, 0 is returned
   */
  private int readAlike(String text, String what, boolean outsideSubset) {
    List<Object> loaded = new ArrayList<>();
    try {
      loader.loadAll(text).forEach(loaded::add);
    } catch (YAMLException e) {
      assertThat(catchThrowable(() -> reader.documents(text))).as(what)
          .isInstanceOfAny(YAMLException.class, YamlTokens.Unsupported.class);
      return 0;
    }
    List<YamlTokens.Document> documents;
    try {
      documents = reader.documents(text);
    } catch (YamlTokens.Unsupported e) {
      if (outsideSubset) {
        return 0;
      }
      throw e;
    }
    assertThat(documents).as(what).hasSize(loaded.size());
    int read = 0;
    for (int i = 0; i < loaded.size(); i++) {
      if (loaded.get(i) == null) {
        assertThat(documents.get(i)).as(what).isNull();
        continue;
      }
      Map<?, ?> map = (Map<?, ?>) loaded.get(i);
      YamlTokens.Document document = documents.get(i);
      assertThat(serialization.convertValue(document.tokens(), JsonNode.class)).as(what)
          .isEqualTo(serialization.convertValue(map, JsonNode.class));
      assertThat(document.apiVersion()).as(what).isEqualTo(map.get("apiVersion") instanceof String s ? s : null);
      assertThat(document.kind()).as(what).isEqualTo(map.get("kind") instanceof String s ? s : null);
      read++;
    }
    return read;
  }

  /** A block mapping of random entries at an indentation; flow collections and block sequences inside. */
  private static void block(Random random, StringBuilder text, String indent, int depth) {
    for (int entries = 1 + random.nextInt(4); entries > 0; entries--) {
      text.append(indent).append("k").append(random.nextInt(6)).append(':');
      int form = depth > 3 ? 0 : random.nextInt(5);
      if (form == 0 || form == 1) {
        text.append(' ').append(scalar(random)).append('\n');
      } else if (form == 2) {
        text.append('\n');
        block(random, text, indent + "  ", depth + 1);
      } else if (form == 3) {
        text.append('\n');
        for (int items = 1 + random.nextInt(3); items > 0; items--) {
          text.append(indent).append("- ").append(random.nextBoolean() ? scalar(random) : flow(random, depth + 1)).append('\n');
        }
      } else {
        text.append(' ').append(flow(random, depth + 1)).append('\n');
      }
    }
  }

  private static String flow(Random random, int depth) {
    StringBuilder text = new StringBuilder();
    boolean mapping = random.nextBoolean();
    text.append(mapping ? '{' : '[');
    for (int entries = random.nextInt(4); entries > 0; entries--) {
      if (mapping) {
        text.append('k').append(random.nextInt(6)).append(": ");
      }
      text.append(depth < 4 && random.nextInt(4) == 0 ? flow(random, depth + 1) : scalar(random));
      text.append(entries > 1 ? ", " : "");
    }
    return text.append(mapping ? '}' : ']').toString();
  }

  /** A scalar: one of YAML 1.1's forms, random plain characters, or a random quoted string. */
  private static String scalar(Random random) {
    String plain = "yYnNtTfFoO0123456789-+._:~xXbBeEsSuUlL";
    String any = plain + " ,#[]{}'\"\\|>%@é\t";
    return switch (random.nextInt(4)) {
      case 0 -> SCALARS.get(random.nextInt(SCALARS.size()));
      case 1 -> random(random, plain);
      case 2 -> "'" + random(random, any).replace("'", "''") + "'";
      default -> "\"" + random(random, any).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    };
  }

  private static String random(Random random, String alphabet) {
    StringBuilder text = new StringBuilder();
    for (int length = random.nextInt(10); length > 0; length--) {
      text.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return text.toString();
  }
}
