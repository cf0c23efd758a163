package io.clbingress.operator.cli;

import io.clbingress.dataplane.DataPlane;
import io.clbingress.dataplane.control.ControlPlaneClient;
import io.clbingress.operator.Main;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Data plane mode: serves the routing tables an operator pushes over the control channel. */
@Command(name = "dataplane", mixinStandardHelpOptions = true,
    description = "Serve the routing tables pushed by an operator; keeps serving the last one while the operator is away.")
public final class DataplaneCommand implements Callable<Integer> {

  private static final Logger LOG = LogManager.getLogger(DataplaneCommand.class);

  @Option(names = "--control-plane", required = true, defaultValue = "${env:CLB_CONTROL_PLANE}", paramLabel = "URL",
      description = "The operator's control channel, e.g. http://clb-ingress-operator:18000 (env CLB_CONTROL_PLANE).")
  String controlPlane;

  @Option(names = "--control-plane-ca", defaultValue = "${env:CLB_CONTROL_PLANE_CA}", paramLabel = "FILE",
      description = "PEM CA certificate(s) to trust for an https:// control plane (env CLB_CONTROL_PLANE_CA; default: the JVM's trust store).")
  Path controlPlaneCa;

  @Mixin
  TokenFlag tokenFlag;

  @Mixin
  DataPlaneFlags dataPlaneFlags;

  @Override
  public Integer call() throws Exception {
    URI uri;
    try {
      uri = new URI(controlPlane);
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null || uri.getHost() == null || !Set.of("http", "https", "ws", "wss").contains(uri.getScheme())) {
      return Main.usageError("--control-plane " + controlPlane + ": not an http(s):// or ws(s):// URL with a host");
    }
    if (controlPlaneCa != null && !java.nio.file.Files.isReadable(controlPlaneCa)) {
      return Main.usageError("--control-plane-ca " + controlPlaneCa + ": not readable");
    }
    String invalid = dataPlaneFlags.invalid();
    if (invalid != null) {
      return Main.usageError(invalid);
    }
    String token = tokenFlag.tokenOrNull();
    if (token == null) {
      return 2;
    }
    Vertx vertx = Lifecycle.vertx(dataPlaneFlags.eventLoopCount(), dataPlaneFlags.transport());
    DataPlane dataPlane = Lifecycle.startDataPlane(vertx, dataPlaneFlags);
    if (dataPlane == null) {
      return 1;
    }
    LOG.info("dataplane: programmed by {}", uri);
    ControlPlaneClient client = new ControlPlaneClient(vertx, uri, token,
        controlPlaneCa == null ? null : controlPlaneCa.toString(), dataPlane);
    client.start();
    Lifecycle.runUntilStopped(() -> {
      client.close();
      dataPlane.shutdown();
      vertx.close();
    });
    return 0;
  }
}
