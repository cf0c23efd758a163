package io.clbingress.operator.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ObjectRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * One directory per behaviour under {@code src/test/resources/translate/}: {@code in-*.yaml} is
 * the cluster state, {@code out-table.json} the routing table, {@code out-problems.yaml} the
 * problems and {@code out-listeners.yaml} the CLBListener statuses that translation must produce;
 * an optional {@code settings.yaml} sets controller flags ({@code defaultCertificate: ns/name}); an
 * optional {@code last-accepted.yaml} holds the version of some Ingresses accepted by the previous
 * translation (as the controller remembers it), which an invalid edit in {@code in-*.yaml} may keep.
 * Translation runs at {@link Fixtures#TRANSLATED_AT}. Run with {@code -Dgolden.update=true} to
 * rewrite the expected files, then read the diff.
 */
class GoldenTranslationTest {

  private static final boolean UPDATE = Boolean.getBoolean("golden.update");
  private static final String LAST_ACCEPTED = "last-accepted.yaml";

  @TestFactory
  Stream<DynamicTest> translationCases() throws IOException {
    return Fixtures.perCase(GoldenTranslationTest::check);
  }

  private static void check(Path dir) throws IOException {
    // Given
    assertOnlyKnownFiles(dir);
    ClusterState state = Fixtures.fromFolder(dir);
    // When
    Translation translation = Translator.translate(state, settings(dir), lastAccepted(dir), Fixtures.TRANSLATED_AT);
    String tableJson = TableCodec.toJson(translation.table()) + "\n";
    String problemsYaml = problemsYaml(translation.problems());
    String listenersYaml = listenersYaml(translation.listeners());
    // Then
    Path tableFile = dir.resolve("out-table.json");
    Path problemsFile = dir.resolve("out-problems.yaml");
    Path listenersFile = dir.resolve("out-listeners.yaml");
    if (UPDATE) {
      Files.writeString(tableFile, tableJson);
      Files.writeString(problemsFile, problemsYaml);
      Files.writeString(listenersFile, listenersYaml);
    }
    RoutingTable expected = TableCodec.fromJson(Files.readString(tableFile));
    assertThat(translation.table()).isEqualTo(expected);
    assertThat(tableJson).isEqualTo(Files.readString(tableFile));
    assertThat(problemsYaml).isEqualTo(Files.readString(problemsFile));
    assertThat(listenersYaml).isEqualTo(Files.readString(listenersFile));
  }

  static Settings settings(Path dir) throws IOException {
    Settings settings = Settings.defaults().withStaticEndpoints(true);
    Path file = dir.resolve("settings.yaml");
    if (Files.exists(file)) {
      Map<String, String> flags = new Yaml().load(Files.readString(file));
      String[] secret = flags.get("defaultCertificate").split("/");
      settings = settings.withDefaultCertificate(new ObjectRef("Secret", secret[0], secret[1]));
    }
    return settings;
  }

  /** The Ingresses of {@code last-accepted.yaml}, by reference; none without the file. */
  private static Map<ObjectRef, IngressInfo> lastAccepted(Path dir) throws IOException {
    Path file = dir.resolve(LAST_ACCEPTED);
    if (!Files.exists(file)) {
      return Map.of();
    }
    List<IngressInfo> ingresses = Fixtures.fromYaml(Files.readString(file)).ingresses();
    assertThat(ingresses).as("Ingresses in %s", file).isNotEmpty();
    return ingresses.stream().collect(Collectors.toMap(IngressInfo::ref, ingress -> ingress));
  }

  private static void assertOnlyKnownFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<String> unknown = files.map(f -> f.getFileName().toString())
          .filter(name -> !(name.startsWith("in-") && name.endsWith(".yaml")))
          .filter(name -> !List.of("out-table.json", "out-problems.yaml", "out-listeners.yaml", "settings.yaml",
              LAST_ACCEPTED).contains(name))
          .toList();
      assertThat(unknown).as("files that no golden test reads in %s", dir).isEmpty();
    }
  }

  private static String problemsYaml(List<Problem> problems) {
    return yaml(problems.stream().map(p -> {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("object", p.object().toString());
      map.put("field", p.field());
      map.put("reason", p.reason());
      if (!p.eventReason().equals(Problem.INVALID_CONFIGURATION)) {
        map.put("eventReason", p.eventReason());
      }
      return map;
    }).toList());
  }

  private static String listenersYaml(List<ListenerStatus> listeners) {
    return yaml(listeners.stream().map(l -> {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("object", l.ref().toString());
      map.put("accepted", l.accepted());
      map.put("acceptedReason", l.acceptedReason());
      map.put("acceptedMessage", l.acceptedMessage());
      map.put("refsResolved", l.refsResolved());
      map.put("refsMessage", l.refsMessage());
      map.put("attachedIngresses", l.attachedIngresses());
      return map;
    }).toList());
  }

  private static String yaml(List<Map<String, Object>> list) {
    if (list.isEmpty()) {
      return "[]\n";
    }
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setWidth(200);
    return new Yaml(options).dump(list);
  }
}
