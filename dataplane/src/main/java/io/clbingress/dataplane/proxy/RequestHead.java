package io.clbingress.dataplane.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.Iterator;
import java.util.Map;

/**
 * Request heads a careful edge refuses before routing, whatever the route:
 * <ul>
 *   <li>An HTTP/1.1 request without Host, any request with more than one Host, or a Host that is
 *       not {@code host[:port]}: 400 (RFC 9112 §3.2: a server MUST answer 400).
 *   <li>{@code CONNECT}: 405 — an ingress is no forward proxy, and a tunnel to an address the
 *       client names would bypass every route (as nginx and Envoy without explicit configuration).
 *   <li>{@code TRACE}: 405 — it echoes the request back, cookies and all (cross-site tracing);
 *       nginx refuses it the same way.
 *   <li>A request target whose query holds a space or an ASCII control character (CR, LF, NUL...):
 *       400, as nginx (RFC 9112 §3.2, RFC 3986 §2). Vert.x's HTTP/2 server lets them through in a
 *       {@code :path}, and Netty's HTTP/1.x decoder lets a NUL through in a request line; they
 *       would reach a backend's request line as written (a request split in two by CR LF) or
 *       make its encoding fail, the exchange never answered.
 * </ul>
 * HTTP/2 heads are otherwise checked by Netty's codec (pseudo-headers, {@code :authority}); the
 * path of every request by {@link RequestPath}.
 */
final class RequestHead {

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
    if (badQuery(request.uri())) {
      return 400;
    }
    if (request.version() == HttpVersion.HTTP_2) {
      return 0;
    }
    return hostRefusal(request.headers().iterator(), request.version() == HttpVersion.HTTP_1_1);
  }

  /** The status that refuses an HTTP/1.x head read by Netty, or 0 when it may be routed. */
  static int refusal(io.netty.handler.codec.http.HttpRequest request) {
    io.netty.handler.codec.http.HttpMethod method = request.method();
    if (method == io.netty.handler.codec.http.HttpMethod.CONNECT || method == io.netty.handler.codec.http.HttpMethod.TRACE) {
      return 405;
    }
    if (badQuery(request.uri())) {
      return 400;
    }
    return hostRefusal(request.headers().iteratorCharSequence(),
        request.protocolVersion() == io.netty.handler.codec.http.HttpVersion.HTTP_1_1);
  }

  /**
   * Whether the query of request target {@code target} has a space or an ASCII control character;
   * bytes above 0x7F pass, as nginx lets them. A scan without allocation: it runs on every
   * request with a query.
   */
  private static boolean badQuery(String target) {
    int query = target.indexOf('?');
    if (query < 0) {
      return false;
    }
    for (int i = query + 1; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c <= 0x20 || c == 0x7F) {
        return true;
      }
    }
    return false;
  }

  /**
   * 400 for more than one Host, for none from an HTTP/1.1 client, or for one that is not a host
   * (RFC 9112 §3.2); else 0. One walk of the head's lines rather than getAll or
   * valueStringIterator: on Vert.x's header map (what its HTTP/1.x decoder makes) both build a
   * LinkedList, five objects per request.
   *
   * @param lines the head's header lines, names in any case
   */
  private static int hostRefusal(Iterator<? extends Map.Entry<? extends CharSequence, ? extends CharSequence>> lines,
      boolean http11) {
    String first = null;
    while (lines.hasNext()) {
      Map.Entry<? extends CharSequence, ? extends CharSequence> line = lines.next();
      if (AsciiString.contentEqualsIgnoreCase(line.getKey(), HttpHeaderNames.HOST)) {
        if (first != null) {
          return 400;
        }
        first = line.getValue().toString();
      }
    }
    if (first == null) {
      return http11 ? 400 : 0;
    }
    return validHost(first) ? 0 : 400;
  }

  /**
   * Whether a Host header value is an RFC 3986 host (§3.2.2: an IP-literal in brackets, or an
   * IPv4 address or reg-name, which may be empty) with an optional port of up to five digits
   * (§3.2.3). A scan without allocation: it runs on every request.
   */
  static boolean validHost(String host) {
    int length = host.length();
    int at = 0;
    if (length > 0 && host.charAt(0) == '[') {
      int close = host.indexOf(']');
      if (close < 2) {
        return false;
      }
      for (int i = 1; i < close; i++) {
        char c = host.charAt(i);
        if (Character.digit(c, 16) < 0 && c != ':' && c != '.' || c > 'f') {
          return false;
        }
      }
      at = close + 1;
    } else {
      while (at < length && isRegNameChar(host.charAt(at))) {
        at++;
      }
    }
    if (at == length) {
      return true;
    }
    if (host.charAt(at) != ':' || length - at - 1 > 5) {
      return false;
    }
    for (int i = at + 1; i < length; i++) {
      if (host.charAt(i) < '0' || host.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** unreserved, sub-delims or '%' (RFC 3986 §3.2.2 reg-name; escapes are not decoded here). */
  private static boolean isRegNameChar(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~!$&'()*+,;=%".indexOf(c) >= 0;
  }
}
