package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.accesslog.AccessRecord;
import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.routing.ListenerRouter;
import javax.net.ssl.SSLSession;

/** What both engines tell an {@link AccessRecord} the same way: the connection's TLS, the listener and the route. */
final class AccessFacts {

  private AccessFacts() {
  }

  /** The session's protocol version and cipher suite and the SNI name sent; nothing for a plain connection. */
  static void tls(AccessRecord record, SSLSession session, String sni) {
    if (session != null) {
      record.tls(session.getProtocol(), session.getCipherSuite(), sni);
    }
  }

  /** The listener in force (null: none) and the route matched (null: none). */
  static void routed(AccessRecord record, ListenerRouter listener, CompiledRoute route) {
    record.routed(listener == null ? null : listener.listener().name(), route == null ? null : route.route().source(),
        route == null || route.accessLogged());
  }
}
