package io.clbingress.operator.cli;

/** Shared answer of the modes that are still being built. */
final class NotYetCommand {

  private NotYetCommand() {
  }

  static int answer(String mode) {
    System.err.println("clb-ingress: the " + mode + " mode is not available yet in this build; use standalone");
    return 1;
  }
}
