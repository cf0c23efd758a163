package io.clbingress.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.translate.AnnotationCoverage;
import io.clbingress.operator.translate.AnnotationCoverage.Verdict;
import io.clbingress.operator.translate.AnnotationSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The hand-written migration guide says what the code does: its {@code migrate} example is what
 * {@code migrate} prints for the Ingress shown, and its coverage table's clb-ingress column is the
 * classification {@code migrate} and the UnsupportedAnnotation Event use.
 */
class MigrationGuideTest {

  private static final Path GUIDE = Path.of("../docs/migrating-from-ingress-nginx.md");
  private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9-]+)` \\| ([^|]+) \\|", Pattern.MULTILINE);

  @TempDir
  Path dir;

  @Test
  void migrateExampleIsWhatMigratePrintsForThatIngress() throws Exception {
    // Given: the example's Ingress, and the session shown under it
    String guide = Files.readString(GUIDE);
    String example = guide.substring(guide.indexOf("An example, for an Ingress"));
    String yaml = block(example, "```yaml\n");
    List<String> session = block(example, "```text\n").lines().toList();
    assertThat(session.get(0)).isEqualTo("$ java -jar clb-ingress.jar migrate --manifests ./manifests");
    assertThat(session.get(session.size() - 2)).isEqualTo("$ echo $?");
    Files.writeString(dir.resolve("ingress.yaml"), yaml);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    // When
    int exit = new CommandLine(new MigrateCommand(new PrintStream(printed, true, StandardCharsets.UTF_8)))
        .execute("--manifests", dir.toString());
    // Then
    assertThat(printed.toString(StandardCharsets.UTF_8).lines().toList())
        .isEqualTo(session.subList(1, session.size() - 2));
    assertThat(exit).isEqualTo(Integer.parseInt(session.get(session.size() - 1)));
  }

  @Test
  void coverageTableSaysWhatTheClassificationDoes() throws Exception {
    // Given
    String guide = Files.readString(GUIDE);
    Matcher row = ROW.matcher(guide.substring(guide.indexOf("## Coverage of the common ingress-nginx annotations")));
    int rows = 0;
    while (row.find()) {
      rows++;
      String key = AnnotationSpec.NGINX_PREFIX + row.group(1);
      String claim = row.group(2).strip();
      // When: an Ingress carries that annotation
      AnnotationCoverage coverage = AnnotationCoverage.of(new IngressInfo(new ObjectRef("Ingress", "apps", "web"), null,
          "clb", Map.of(key, "x"), null, List.of(), List.of())).get(0);
      // Then: "honoured" for a name that is read (a value may still be invalid), and the kind of verdict otherwise
      assertThat(claim.startsWith("honoured")).as(key + ": " + claim).isEqualTo(coverage.verdict() != Verdict.NOT_HONOURED);
      assertThat(claim.contains("security-relevant")).as(key + ": " + claim).isEqualTo(coverage.securityRelevant());
      assertThat(claim.contains("never executed")).as(key + ": " + claim)
          .isEqualTo(coverage.note().startsWith("never executed"));
    }
    assertThat(rows).as("rows of the coverage table").isGreaterThan(50);
  }

  /** The content of the first fenced block that opens with {@code fence} in {@code text}. */
  private static String block(String text, String fence) {
    int start = text.indexOf(fence) + fence.length();
    return text.substring(start, text.indexOf("```", start));
  }
}
