package io.clbingress.operator.cli;

import io.clbingress.operator.Main;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The bearer token of the control channel, shared by the operator and dataplane modes. */
public final class TokenFlag {

  @Option(names = "--token-file", defaultValue = "${env:CLB_TOKEN_FILE}", paramLabel = "FILE",
      description = "File holding the bearer token of the control channel between operator and data planes (env CLB_TOKEN_FILE). Required.")
  Path tokenFile;

  /** The token, or null after printing a one-line error. */
  String tokenOrNull() {
    if (tokenFile == null) {
      Main.usageError("--token-file is required: the control channel is authenticated");
      return null;
    }
    try {
      return Lifecycle.readToken(tokenFile);
    } catch (IOException e) {
      Main.usageError("--token-file " + tokenFile + ": cannot read a token (" + e.getMessage() + ")");
      return null;
    }
  }
}
