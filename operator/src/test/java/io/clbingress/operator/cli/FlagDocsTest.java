package io.clbingress.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.operator.GeneratedDoc;
import io.clbingress.operator.Main;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** docs/flags.md is the one generated from the command line's picocli model. */
class FlagDocsTest {

  @Test
  void flagsPageIsCurrent() throws Exception {
    GeneratedDoc.assertCurrent("flags.md", FlagDocs.markdownPage());
  }

  @Test
  void pageNamesEveryFlagOfEveryCommand() {
    // Given
    String page = FlagDocs.markdownPage();
    // Then
    for (Map.Entry<String, CommandLine> sub : new CommandLine(new Main()).getSubcommands().entrySet()) {
      assertThat(page).contains("## " + sub.getKey() + "\n");
      for (OptionSpec option : sub.getValue().getCommandSpec().options()) {
        if (!option.usageHelp() && !option.versionHelp()) {
          assertThat(page).as(sub.getKey() + " " + option.longestName()).contains("`" + option.longestName());
        }
      }
    }
  }

  @Test
  void defaultsAndEnvironmentVariablesComeFromTheModelNotFromThisEnvironment() {
    // Given
    String page = FlagDocs.markdownPage();
    // Then: the built-in defaults, with the variable beside them
    assertThat(page)
        .contains("| `--http-port PORT` | `CLB_HTTP_PORT` | `8080` | Port of the default HTTP listener. |")
        .contains("`CLB_ELECTION_NAMESPACE`, else `POD_NAMESPACE` | `default` |")
        .contains("| `--control-plane URL` | `CLB_CONTROL_PLANE` | required |")
        .doesNotContain("${");
  }
}
