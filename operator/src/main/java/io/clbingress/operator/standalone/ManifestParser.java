package io.clbingress.operator.standalone;

import io.clbingress.operator.crd.CLBListener;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import tools.jackson.core.JacksonException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Reads the Kubernetes objects of one YAML file (several documents and {@code kind: List}
 * allowed). Kinds this controller does not read are skipped; a document it cannot read fails the
 * whole file with the file name and line or document number. The file is read document by
 * document ({@link YamlDocuments}), and a document whose text is the same as at the file's last
 * reading is not parsed again: its objects are those of the last reading (a rewrite of a file of
 * a hundred Ingresses that changes one parses one). Safe for several files read at once, one
 * reading of a file at a time.
 */
final class ManifestParser {

  private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
      "networking.k8s.io/v1/Ingress", Ingress.class,
      "networking.k8s.io/v1/IngressClass", IngressClass.class,
      "v1/Service", Service.class,
      "v1/Secret", Secret.class,
      "discovery.k8s.io/v1/EndpointSlice", EndpointSlice.class,
      "clb.ingress.io/v1alpha1/CLBListener", CLBListener.class);

  private final KubernetesSerialization serialization = new KubernetesSerialization();
  /** Each file's documents at its last reading that succeeded, by their text. */
  private final Map<Path, Map<String, Read>> lastRead = new ConcurrentHashMap<>();

  /** What a piece of a file ({@link YamlDocuments.Piece}) held: how many documents, and their objects. */
  private record Read(int documents, List<HasMetadata> objects) {
  }

  List<HasMetadata> parse(Path file) throws ManifestException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ManifestException(file, "", "cannot read: " + e.getMessage());
    }
    Map<String, Read> before = lastRead.getOrDefault(file, Map.of());
    Map<String, Read> now = new HashMap<>();
    List<HasMetadata> objects = new ArrayList<>();
    int documents = 0;
    Readers readers = null;
    for (YamlDocuments.Piece piece : YamlDocuments.pieces(text)) {
      Read read = before.get(piece.text());
      if (read == null) {
        readers = readers == null ? new Readers() : readers;
        read = read(file, readers, piece, documents);
      }
      now.put(piece.text(), read);
      objects.addAll(read.objects());
      documents += read.documents();
    }
    lastRead.put(file, now);
    return objects;
  }

  /** Forgets the last readings of files other than these (files removed from the folder). */
  void retainOnly(Set<Path> files) {
    lastRead.keySet().retainAll(files);
  }

  /** The two readers of a file's pieces, made when one is first needed. */
  private static final class Readers {
    final LoaderOptions options = new LoaderOptions();
    final Yaml yaml = yaml(options);
    // the same options: the token reader refuses nesting past the loader's limit, for the loader to word the error
    final YamlTokens tokens = new YamlTokens(options, new KubernetesResolver());
  }

  /**
   * A piece's objects: read from YAML tokens ({@link YamlTokens}) when the piece is in the subset
   * they read and holds only objects that bind cleanly, else by SnakeYAML's loader (which also
   * words every error).
   *
   * @param documentsBefore the documents of the file before this piece (errors number documents in the file)
   */
  private Read read(Path file, Readers readers, YamlDocuments.Piece piece, int documentsBefore) throws ManifestException {
    Read read = fromTokens(readers.tokens, piece);
    return read != null ? read : parse(file, readers.yaml, piece, documentsBefore);
  }

  /** A piece's objects read from YAML tokens, or null when the loader is to read it. */
  private Read fromTokens(YamlTokens reader, YamlDocuments.Piece piece) {
    List<YamlTokens.Document> documents;
    try {
      documents = reader.documents(piece.text());
    } catch (RuntimeException e) { // YamlTokens.Unsupported, or YAML in error: the loader words it
      return null;
    }
    List<HasMetadata> objects = new ArrayList<>();
    for (YamlTokens.Document document : documents) {
      if (document == null) {
        continue;
      }
      if (document.apiVersion() == null || document.kind() == null || "List".equals(document.kind())) {
        return null;
      }
      Class<? extends HasMetadata> type = kindOf(document.apiVersion(), document.kind());
      if (type == null) {
        continue;
      }
      HasMetadata object;
      try {
        object = serialization.convertValue(document.tokens(), type);
      } catch (RuntimeException | StackOverflowError e) {
        return null;
      }
      if (!named(object)) {
        return null;
      }
      objects.add(object);
    }
    return new Read(documents.size(), List.copyOf(objects));
  }

  /** @param documentsBefore the documents of the file before this piece (errors number documents in the file) */
  private Read parse(Path file, Yaml yaml, YamlDocuments.Piece piece, int documentsBefore) throws ManifestException {
    List<HasMetadata> objects = new ArrayList<>();
    int document = documentsBefore;
    try {
      for (Object doc : yaml.loadAll(piece.text())) {
        document++;
        if (doc != null) {
          addObject(file, document, doc, objects);
        }
      }
    } catch (StackOverflowError e) {
      // an alias to an object that contains it (metadata: &m {labels: *m}), or a List inside itself
      throw new ManifestException(file, "", "not readable: an alias refers to an object that contains it, or the"
          + " nesting is too deep");
    } catch (MarkedYAMLException e) {
      throw new ManifestException(file, "line " + (piece.firstLine() + e.getProblemMark().getLine() + 1),
          "not valid YAML: " + e.getProblem());
    } catch (YAMLException e) {
      throw new ManifestException(file, "", "not valid YAML: " + e.getMessage());
    }
    return new Read(document - documentsBefore, List.copyOf(objects));
  }

  private void addObject(Path file, int document, Object doc, List<HasMetadata> objects) throws ManifestException {
    String where = "document " + document;
    if (!(doc instanceof Map<?, ?> map)) {
      throw new ManifestException(file, where, "not a Kubernetes object (a mapping with apiVersion and kind)");
    }
    Object apiVersion = map.get("apiVersion");
    Object kind = map.get("kind");
    if (apiVersion == null || kind == null) {
      throw new ManifestException(file, where, "apiVersion and kind are required");
    }
    if ("List".equals(kind) && map.get("items") instanceof List<?> items) {
      for (Object item : items) {
        addObject(file, document, item, objects);
      }
      return;
    }
    Class<? extends HasMetadata> type = kindOf(apiVersion, kind);
    if (type == null) {
      return;
    }
    HasMetadata object;
    try {
      object = serialization.convertValue(map, type);
    } catch (RuntimeException e) {
      // With no API server to check it, a field's value may be of any type: name the object and field.
      throw new ManifestException(file, where, kind + " " + objectName(map, kind) + ": " + fieldOf(e) + "not valid: "
          + firstLine(e.getMessage()));
    }
    if (!named(object)) {
      throw new ManifestException(file, where, kind + " without metadata.name");
    }
    objects.add(object);
  }

  /**
   * Whether the object has a name; if so, a namespaced object without a namespace gets
   * {@code default} (as kubectl applies it).
   */
  private static boolean named(HasMetadata object) {
    if (object.getMetadata() == null || object.getMetadata().getName() == null) {
      return false;
    }
    if (object.getMetadata().getNamespace() == null && !(object instanceof IngressClass)) {
      object.getMetadata().setNamespace("default");
    }
    return true;
  }

  /** {@code namespace/name} as written (namespace default when absent), for the error of an object that cannot be read. */
  private static String objectName(Map<?, ?> map, Object kind) {
    Object name = map.get("metadata") instanceof Map<?, ?> metadata ? metadata.get("name") : null;
    Object namespace = map.get("metadata") instanceof Map<?, ?> metadata ? metadata.get("namespace") : null;
    if ("IngressClass".equals(kind)) {
      return String.valueOf(name);
    }
    return (namespace == null ? "default" : namespace) + "/" + name;
  }

  /** The path of the field Jackson could not read ({@code spec.rules[0].scheduler: }), or nothing. */
  private static String fieldOf(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof JacksonException mapping && !mapping.getPath().isEmpty()) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : mapping.getPath()) {
          if (reference.getPropertyName() != null) {
            path.append(path.length() == 0 ? "" : ".").append(reference.getPropertyName());
          } else if (reference.getIndex() >= 0) {
            path.append('[').append(reference.getIndex()).append(']');
          }
        }
        return path + ": ";
      }
    }
    return "";
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** The model class of a kind this controller reads, or null for one it skips. */
  private static Class<? extends HasMetadata> kindOf(Object apiVersion, Object kind) {
    return KINDS.get(apiVersion + "/" + kind);
  }

  /** YAML as Kubernetes reads it: timestamps stay strings (SnakeYAML would make them Dates). */
  static Yaml yaml() {
    return yaml(new LoaderOptions());
  }

  private static Yaml yaml(LoaderOptions loaderOptions) {
    DumperOptions dumperOptions = new DumperOptions();
    return new Yaml(new SafeConstructor(loaderOptions), new Representer(dumperOptions), dumperOptions,
        loaderOptions, new KubernetesResolver());
  }
}
