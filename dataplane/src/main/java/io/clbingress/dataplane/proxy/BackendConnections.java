package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.table.Endpoint;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/**
 * Dedicated connections to endpoints, for tunnels (WebSocket and TCP / TCP_SSL listeners): one
 * per client connection, never pooled. TLS to a backend is not verified, as for plain requests
 * (ingress-nginx's {@code proxy_ssl_verify off}).
 */
final class BackendConnections {

  private static final ClientSSLOptions UNVERIFIED = new ClientSSLOptions().setTrustAll(true)
      .setHostnameVerificationAlgorithm("");

  private BackendConnections() {
  }

  /** The client of one event loop's tunnels. */
  static NetClient client(Vertx vertx) {
    return vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
  }

  /** Connecting to {@code endpoint} for {@code route}: its backend protocol and connect timeout. */
  static ConnectOptions options(Endpoint endpoint, CompiledRoute route) {
    ConnectOptions options = new ConnectOptions().setHost(endpoint.address()).setPort(endpoint.port())
        .setTimeout((int) Math.min(Integer.MAX_VALUE, route.timeouts().connectMillis()));
    if (route.cluster().isTls()) {
      options.setSsl(true).setSslOptions(UNVERIFIED);
    }
    return options;
  }
}
