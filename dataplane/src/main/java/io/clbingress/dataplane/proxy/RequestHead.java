package io.clbingress.dataplane.proxy;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Request heads a careful edge refuses before routing, whatever the route:
 * <ul>
 *   <li>An HTTP/1.1 request without Host, any request with more than one Host, or a Host that is
 *       not {@code host[:port]}: 400 (RFC 9112 §3.2: a server MUST answer 400).
 *   <li>{@code CONNECT}: 405 — an ingress is no forward proxy, and a tunnel to an address the
 *       client names would bypass every route (as nginx and Envoy without explicit configuration).
 *   <li>{@code TRACE}: 405 — it echoes the request back, cookies and all (cross-site tracing);
 *       nginx refuses it the same way.
 * </ul>
 * HTTP/2 heads are checked by Netty's codec (pseudo-headers, {@code :authority}).
 */
final class RequestHead {

  /** RFC 3986 §3.2.2 host (IP-literal, IPv4 or reg-name) and an optional port (§3.2.3). */
  private static final Pattern HOST = Pattern.compile(
      "(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9\\-._~!$&'()*+,;=%]*)(:[0-9]{0,5})?");

  /** What 405 answers name as allowed (RFC 9110 §15.5.6 requires the Allow header). */
  static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS";

  private RequestHead() {
  }

  /** The status that refuses this head, or 0 when it may be routed. */
  static int refusal(HttpServerRequest request) {
    HttpMethod method = request.method();
    if (method == HttpMethod.CONNECT || method == HttpMethod.TRACE) {
      return 405;
    }
    if (request.version() == HttpVersion.HTTP_2) {
      return 0;
    }
    List<String> hosts = request.headers().getAll("host");
    if (hosts.size() > 1 || (hosts.isEmpty() && request.version() == HttpVersion.HTTP_1_1)) {
      return 400;
    }
    return hosts.isEmpty() || HOST.matcher(hosts.get(0)).matches() ? 0 : 400;
  }
}
