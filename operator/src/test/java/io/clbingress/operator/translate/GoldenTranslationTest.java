package io.clbingress.operator.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.operator.state.ClusterState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * One directory per behaviour under {@code src/test/resources/translate/}: {@code in-*.yaml} is
 * the cluster state, {@code out-table.json} the routing table and {@code out-problems.yaml} the
 * problems that translation must produce. Run with {@code -Dgolden.update=true} to rewrite the
 * expected files, then read the diff.
 */
class GoldenTranslationTest {

  private static final Path CASES = Path.of("src/test/resources/translate");
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  @TestFactory
  Stream<DynamicTest> translationCases() throws IOException {
    try (Stream<Path> dirs = Files.list(CASES)) {
      return dirs.filter(Files::isDirectory).sorted().toList().stream()
          .map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
    }
  }

  private static void check(Path dir) throws IOException {
    // Given
    assertOnlyKnownFiles(dir);
    ClusterState state = Fixtures.fromFolder(dir);
    // When
    Translation translation = Translator.translate(state, Settings.defaults().withStaticEndpoints(true), Map.of());
    String tableJson = TableCodec.toJson(translation.table()) + "\n";
    String problemsYaml = problemsYaml(translation.problems());
    // Then
    Path tableFile = dir.resolve("out-table.json");
    Path problemsFile = dir.resolve("out-problems.yaml");
    if (UPDATE) {
      Files.writeString(tableFile, tableJson);
      Files.writeString(problemsFile, problemsYaml);
    }
    RoutingTable expected = TableCodec.fromJson(Files.readString(tableFile));
    assertThat(translation.table()).isEqualTo(expected);
    assertThat(tableJson).isEqualTo(Files.readString(tableFile));
    assertThat(problemsYaml).isEqualTo(Files.readString(problemsFile));
  }

  private static void assertOnlyKnownFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<String> unknown = files.map(f -> f.getFileName().toString())
          .filter(name -> !(name.startsWith("in-") && name.endsWith(".yaml")))
          .filter(name -> !name.equals("out-table.json") && !name.equals("out-problems.yaml"))
          .toList();
      assertThat(unknown).as("files that no golden test reads in %s", dir).isEmpty();
    }
  }

  private static String problemsYaml(List<Problem> problems) {
    if (problems.isEmpty()) {
      return "[]\n";
    }
    List<Map<String, String>> list = problems.stream().map(p -> {
      Map<String, String> map = new LinkedHashMap<>();
      map.put("object", p.object().toString());
      map.put("field", p.field());
      map.put("reason", p.reason());
      return map;
    }).toList();
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setWidth(200);
    return new Yaml(options).dump(list);
  }
}
