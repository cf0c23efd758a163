package io.clbingress.operator.translate;

import io.clbingress.operator.standalone.ManifestFolder;
import io.clbingress.operator.state.ClusterState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.ThrowingConsumer;

/** Cluster states from YAML, read the way standalone mode reads them. */
final class Fixtures {

  /** Objects without creationTimestamp all get this one, so "oldest" falls back to namespace/name. */
  /** When golden translations run: inside the validity of the test certificates, unless a case says otherwise. */
  static final Instant TRANSLATED_AT = Instant.parse("2027-06-01T00:00:00Z");
  static final Clock FIXED = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  /** The golden cases: one folder each. */
  static final Path CASES = Path.of("src/test/resources/translate");
  /** A Service {@code default/web} (port 80) with a static endpoint, as a YAML document to append. */
  static final String WEB_SERVICE = """
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: default, annotations: {clb.ingress.io/static-endpoints: "127.0.0.1:9000"}}
      spec: {ports: [{port: 80}]}
      """;

  private Fixtures() {
  }

  /** One dynamic test per golden case folder, in name order. */
  static Stream<DynamicTest> perCase(ThrowingConsumer<Path> check) throws IOException {
    try (Stream<Path> dirs = Files.list(CASES)) {
      return dirs.filter(Files::isDirectory).sorted().toList().stream()
          .map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check.accept(dir)));
    }
  }

  /** The state of the {@code in-*.yaml} files of a golden case folder. */
  static ClusterState fromFolder(Path folder) {
    try (Stream<Path> files = Files.list(folder)) {
      Path inputs = Files.createTempDirectory("clb-fixture");
      for (Path file : files.filter(f -> f.getFileName().toString().startsWith("in-")).toList()) {
        // A case whose input is not YAML would be read as an empty folder and pass on empty outputs.
        new org.yaml.snakeyaml.Yaml().loadAll(Files.readString(file)).forEach(document -> { });
        Files.copy(file, inputs.resolve(file.getFileName()));
      }
      return read(inputs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ClusterState read(Path folder) throws IOException {
    ManifestFolder manifests = new ManifestFolder(folder, FIXED);
    return manifests.read(manifests.scan());
  }

  /** A state from YAML text (several documents allowed). */
  static ClusterState fromYaml(String yaml) {
    try {
      Path folder = Files.createTempDirectory("clb-fixture");
      Files.writeString(folder.resolve("in.yaml"), yaml);
      ClusterState state = read(folder);
      Files.delete(folder.resolve("in.yaml"));
      Files.delete(folder);
      return state;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
