package io.clbingress.dataplane.proxy;

import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Keep-alive connections to backends that died while idle in the pool. A backend may close (FIN)
 * or reset (RST) an idle connection just as the proxy sends a request on it; the request was
 * then never processed. Such a request is replayed once, on a fresh connection to the same
 * endpoint, when all of these hold (RFC 9112 §9.3.1, RFC 9110 §9.2.2; nginx gives a failed
 * cached upstream connection an extra try the same way):
 * <ul>
 *   <li>its connection had carried an earlier request (a fresh connection that fails is the
 *       endpoint's fault, not staleness, and is not retried);
 *   <li>no answer to it came (not even a status line), and the connection closed or was reset
 *       (not a timeout: a slow backend may be working on it);
 *   <li>its method is idempotent: GET, HEAD, OPTIONS, TRACE, PUT, DELETE (POST and PATCH never);
 *   <li>it has no body (a streamed body is consumed and cannot be sent again);
 *   <li>the client still waits.
 * </ul>
 * One instance per event loop: not thread-safe.
 */
final class StaleConnections {

  /** Pooled connections that carried a request; weak, so a closed connection leaves by itself. */
  private final Set<HttpConnection> used = Collections.newSetFromMap(new WeakHashMap<>());

  /** Notes that a request goes out on {@code connection}; true when it carried one before. */
  boolean reused(HttpConnection connection) {
    return connection != null && !used.add(connection);
  }

  /**
   * Whether a request that failed without an answer may be sent again on a fresh connection.
   *
   * @param reused what {@link #reused} said when it went out
   * @param bodiless the request has no body
   * @param cause why no answer came
   */
  static boolean replayable(HttpServerRequest request, boolean reused, boolean bodiless, Throwable cause) {
    return bodiless && replayable(request.method().name(), reused, cause) && !request.response().closed();
  }

  /**
   * The same for a bodiless request of the data plane's own (an external authentication check),
   * which has no client response of its own to look at.
   *
   * @param method the request's method, as sent
   */
  static boolean replayable(String method, boolean reused, Throwable cause) {
    return reused && NextUpstream.idempotent(method) && closedOrReset(cause);
  }

  private static boolean closedOrReset(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof HttpClosedException || t instanceof IOException) {
        return true;
      }
    }
    return false;
  }
}
