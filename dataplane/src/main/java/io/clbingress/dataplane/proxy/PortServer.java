package io.clbingress.dataplane.proxy;

import io.vertx.core.Future;
import io.vertx.core.net.ServerSSLOptions;

/** One event loop's server on a listener's port, whatever the protocol it speaks. */
interface PortServer {

  /** New certificates and TLS settings for new handshakes; open connections keep theirs. */
  Future<Boolean> updateTls(ServerSSLOptions options);
}
