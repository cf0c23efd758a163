package io.clbingress.operator;

import io.clbingress.operator.cli.DataplaneCommand;
import io.clbingress.operator.cli.MigrateCommand;
import io.clbingress.operator.cli.OperatorCommand;
import io.clbingress.operator.cli.StandaloneCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar clb-ingress.jar operator | dataplane | standalone | migrate}. */
@Command(name = "clb-ingress", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    subcommands = {OperatorCommand.class, DataplaneCommand.class, StandaloneCommand.class, MigrateCommand.class},
    description = "Kubernetes ingress controller with a Vert.x data plane. Every flag also reads the environment variable named in its description.")
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setParameterExceptionHandler((e, ignored) -> usageError(e.getMessage()));
    return commandLine.execute(args);
  }

  /** Bad flags or unreadable input: one line on stderr, exit code 2. */
  public static int usageError(String message) {
    System.err.println("clb-ingress: " + message + " (see --help)");
    return CommandLine.ExitCode.USAGE;
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"clb-ingress " + (version == null ? "dev" : version)};
    }
  }
}
