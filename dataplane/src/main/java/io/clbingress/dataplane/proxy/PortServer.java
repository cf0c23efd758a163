package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.Router;
import io.vertx.core.Future;
import io.vertx.core.net.ServerSSLOptions;

/** One event loop's server on a listener's port, whatever the protocol it speaks. */
interface PortServer {

  /** New certificates and TLS settings for new handshakes; open connections keep theirs. */
  Future<Boolean> updateTls(ServerSSLOptions options);

  /**
   * The port left the routing table: stops accepting at once (the listening socket closes once
   * every instance of the port has drained), while the connections open on this instance go on
   * until {@code drainMillis} have passed; then what is left is closed.
   *
   * @param last the last router that had this port's listener, which open HTTP connections go on
   *     being answered by (as nginx's old workers and Envoy's draining listeners answer with the
   *     configuration they were started with)
   * @return completed once every connection of this instance is closed
   */
  Future<Void> drain(Router last, long drainMillis);

  /**
   * Completed once this instance holds no listening socket of its own any more (after a drain or
   * stop began). Servers that share Vert.x's one socket per port hold none of their own: completed
   * at once ({@link ListenerPorts} waits for Vert.x's socket separately).
   */
  default Future<Void> released() {
    return Future.succeededFuture();
  }
}
