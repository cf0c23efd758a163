package io.clbingress.operator.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Data plane mode: serves the routing tables an operator pushes. Not built yet. */
@Command(name = "dataplane", mixinStandardHelpOptions = true,
    description = "Serve the routing tables pushed by an operator (not available yet).")
public final class DataplaneCommand implements Callable<Integer> {

  @Option(names = "--control-plane", required = true, defaultValue = "${env:CLB_CONTROL_PLANE}", paramLabel = "URL",
      description = "The operator's config server (env CLB_CONTROL_PLANE).")
  String controlPlane;

  @Option(names = "--token-file", defaultValue = "${env:CLB_TOKEN_FILE}", paramLabel = "FILE",
      description = "Bearer token for the config server (env CLB_TOKEN_FILE).")
  Path tokenFile;

  @Mixin
  DataPlaneFlags dataPlaneFlags;

  @Override
  public Integer call() {
    return NotYetCommand.answer("dataplane");
  }
}
