package io.clbingress.dataplane.proxy;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;

/**
 * The authority a request names. A request target in absolute form
 * ({@code GET http://app.example.test/x HTTP/1.1}, RFC 9112 §3.2.2) names it in the target, and
 * then the target's authority wins over the Host header, which a proxy replaces by it; otherwise
 * the Host header (as sent) or the HTTP/2 {@code :authority} names it. Routing, the Host and
 * X-Forwarded-Host the backend receives and HTTPS redirects all use this one authority.
 *
 * <p>An absolute target is accepted with the {@code http} or {@code https} scheme (any case) and
 * a non-empty {@code host[:port]} authority without userinfo (RFC 9110 §4.2.1, §4.2.4); any other
 * absolute target is refused (400).
 */
final class AbsoluteForm {

  /** What {@link #authority} returns for an absolute target that must be refused. */
  static final String INVALID = "";

  private AbsoluteForm() {
  }

  /** Whether the request target is in absolute form (a scheme, then {@code ://}). */
  static boolean isAbsolute(String uri) {
    return !uri.isEmpty() && uri.charAt(0) != '/' && uri.indexOf("://") > 0;
  }

  /**
   * The authority the request names, exactly as the client wrote it ({@code app.example.test:80}
   * keeps its port); null when it names none; {@link #INVALID} for an absolute target to refuse.
   */
  static String authority(HttpServerRequest request) {
    String uri = request.uri();
    return isAbsolute(uri) ? targetAuthority(uri) : hostSent(request);
  }

  /** The Host header as sent, else the HTTP/2 {@code :authority}; null when the request has neither. */
  static String hostSent(HttpServerRequest request) {
    String sent = request.getHeader("host");
    if (sent != null) {
      return sent;
    }
    HostAndPort authority = request.authority();
    return authority == null ? null : authority.toString();
  }

  /** The authority of an absolute target, or {@link #INVALID}. */
  static String targetAuthority(String uri) {
    int schemeEnd = uri.indexOf("://");
    String scheme = uri.substring(0, schemeEnd);
    if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
      return INVALID;
    }
    int start = schemeEnd + 3;
    int end = start;
    while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
      end++;
    }
    String authority = uri.substring(start, end);
    if (authority.isEmpty() || authority.indexOf('@') >= 0 || authority.startsWith(":")) {
      return INVALID;
    }
    return HostAndPort.parseAuthority(authority, -1) == null ? INVALID : authority;
  }

  /** The host part of an authority for routing and redirects, or null. */
  static HostAndPort parse(String authority) {
    return authority == null || authority.isEmpty() ? null : HostAndPort.parseAuthority(authority, -1);
  }
}
