package io.clbingress.operator.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Operator mode: watches a cluster and programs data planes. Not built yet. */
@Command(name = "operator", mixinStandardHelpOptions = true,
    description = "Watch a Kubernetes cluster and program data planes (not available yet).")
public final class OperatorCommand implements Callable<Integer> {

  @Option(names = "--kubeconfig", defaultValue = "${env:CLB_KUBECONFIG}", paramLabel = "FILE",
      description = "Kubeconfig; in-cluster configuration when absent (env CLB_KUBECONFIG).")
  Path kubeconfig;

  @Option(names = "--watch-namespace", defaultValue = "${env:CLB_WATCH_NAMESPACE}", paramLabel = "NS",
      description = "Only watch this namespace (env CLB_WATCH_NAMESPACE; default: all).")
  String watchNamespace;

  @Option(names = "--config-port", defaultValue = "${env:CLB_CONFIG_PORT:-18000}", paramLabel = "PORT",
      description = "Port data planes fetch routing tables from (env CLB_CONFIG_PORT; default ${DEFAULT-VALUE}).")
  int configPort;

  @Option(names = "--token-file", defaultValue = "${env:CLB_TOKEN_FILE}", paramLabel = "FILE",
      description = "Bearer token data planes must present (env CLB_TOKEN_FILE).")
  Path tokenFile;

  @Option(names = "--publish-service", defaultValue = "${env:CLB_PUBLISH_SERVICE}", paramLabel = "NS/NAME",
      description = "Service whose address goes into Ingress status (env CLB_PUBLISH_SERVICE).")
  String publishService;

  @Option(names = "--publish-address", defaultValue = "${env:CLB_PUBLISH_ADDRESS}", paramLabel = "IP",
      description = "Address that goes into Ingress status (env CLB_PUBLISH_ADDRESS).")
  String publishAddress;

  @Mixin
  TranslationFlags translationFlags;

  @Override
  public Integer call() {
    return NotYetCommand.answer("operator");
  }
}
