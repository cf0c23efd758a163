package io.clbingress.operator.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestParserTest {

  @TempDir
  Path folder;

  @Test
  void multiDocumentFilesListsAndUnknownKinds() throws Exception {
    // Given
    Path file = folder.resolve("objects.yaml");
    Files.writeString(file, """
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: ignored}
        ---
        apiVersion: v1
        kind: List
        items:
        - apiVersion: networking.k8s.io/v1
          kind: IngressClass
          metadata: {name: clb, creationTimestamp: "2025-01-01T00:00:00Z"}
        ---
        """);
    // When
    List<HasMetadata> objects = new ManifestParser().parse(file);
    // Then
    assertThat(objects).extracting(o -> o.getKind() + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName())
        .containsExactly("Service default/web", "IngressClass null/clb");
  }

  @Test
  void syntaxErrorNamesFileAndLine() throws Exception {
    // Given
    Path file = folder.resolve("broken.yaml");
    Files.writeString(file, "apiVersion: v1\nkind: Service\nmetadata:\n  name: [oops\n");
    // When / Then
    assertThatThrownBy(() -> new ManifestParser().parse(file))
        .hasMessageContaining("broken.yaml")
        .hasMessageContaining("line 5")
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void aSyntaxErrorInALaterDocumentNamesItsLineInTheFile() throws Exception {
    // Given a file read once, then broken in its third document
    Path file = folder.resolve("three.yaml");
    String first = "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n";
    Files.writeString(file, first + "---\n" + first + "---\n" + first);
    ManifestParser parser = new ManifestParser();
    parser.parse(file);
    Files.writeString(file, first + "---\n" + first + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: [oops\n");
    // When / Then the line is the stream's (the end of its 12 lines, where the list is found unclosed), not the document's
    assertThatThrownBy(() -> parser.parse(file)).hasMessageContaining("three.yaml line 13").hasMessageContaining("not valid YAML");
  }

  @Test
  void aRewriteParsesTheDocumentsItChangedAndKeepsTheObjectsOfTheOthers() throws Exception {
    // Given
    Path file = folder.resolve("apps.yaml");
    ManifestParser parser = new ManifestParser();
    Files.writeString(file, service("a", 80) + "---\n" + service("b", 80) + "---\n" + service("c", 80));
    List<HasMetadata> before = parser.parse(file);
    // When b changes
    Files.writeString(file, service("a", 80) + "---\n" + service("b", 81) + "---\n" + service("c", 80));
    List<HasMetadata> after = parser.parse(file);
    // Then a and c are the objects read before; b is read anew
    assertThat(after.get(0)).isSameAs(before.get(0));
    assertThat(after.get(2)).isSameAs(before.get(2));
    assertThat(((Service) after.get(1)).getSpec().getPorts().get(0).getPort()).isEqualTo(81);
    // and a new parser reads the same objects from nothing
    assertThat(new ManifestParser().parse(file)).isEqualTo(after);
  }

  private static String service(String name, int port) {
    return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + "}\nspec: {ports: [{port: " + port + "}]}\n";
  }

  @Test
  void objectWithoutNameIsAnErrorNamingTheDocument() throws Exception {
    // Given
    Path file = folder.resolve("nameless.yaml");
    Files.writeString(file, "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\nmetadata: {}\n");
    // When / Then
    assertThatThrownBy(() -> new ManifestParser().parse(file))
        .hasMessageContaining("nameless.yaml document 2")
        .hasMessageContaining("without metadata.name");
  }

  /** An alias to an object that contains it would recurse for ever in the conversion: an error naming the file. */
  @Test
  void aSelfReferencingAliasIsAnErrorNotAStackOverflow() throws Exception {
    Path file = folder.resolve("loop.yaml");
    Files.writeString(file, "apiVersion: v1\nkind: Service\nmetadata: &m {name: rec, labels: *m}\n");
    assertThatThrownBy(() -> new ManifestParser().parse(file)).isInstanceOf(ManifestException.class)
        .hasMessageContaining("loop.yaml").hasMessageContaining("an alias refers to an object that contains it");
    Path list = folder.resolve("list.yaml");
    Files.writeString(list, "&l {apiVersion: v1, kind: List, items: [*l]}\n");
    assertThatThrownBy(() -> new ManifestParser().parse(list)).isInstanceOf(ManifestException.class)
        .hasMessageContaining("list.yaml");
  }
}
