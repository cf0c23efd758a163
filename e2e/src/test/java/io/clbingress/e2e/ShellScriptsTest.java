package io.clbingress.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every shell script of hack/ (Kind, benchmarks, local run) and .ci/run passes shellcheck. */
class ShellScriptsTest {

  @Test
  void shellcheckIsClean() throws Exception {
    assumeTrue(Processes.available("shellcheck"), "shellcheck is not installed (.ci/run installs it)");
    Path root = Path.of(System.getProperty("clb.e2e.dir", ".")).resolve("..").normalize();
    List<String> command = new ArrayList<>(List.of("shellcheck", "-x"));
    try (Stream<Path> files = Files.walk(root.resolve("hack"))) {
      files.filter(f -> f.toString().endsWith(".sh")).filter(f -> !f.toString().contains("/run/"))
          .map(f -> root.relativize(f).toString()).sorted().forEach(command::add);
    }
    command.add(".ci/run");
    assertThat(command).contains("hack/kind-up.sh", "hack/kind-e2e.sh", "hack/kind-down.sh");
    Processes.Run run = Processes.run(root, command, 120);
    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
  }
}
