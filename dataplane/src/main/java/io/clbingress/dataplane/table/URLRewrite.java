package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Changes what the backend receives, not what the client sees: Gateway API's {@code URLRewrite}
 * filter (HTTPURLRewriteFilter), ingress-nginx's {@code upstream-vhost} (the hostname) and
 * {@code rewrite-target} (the path). Applies to forwarded requests and WebSocket upgrades alike;
 * a redirect of the same route answers with the request as the client sent it.
 *
 * @param hostname the Host header the backend receives instead of the client's ({@code host} or
 *     {@code host:port}); X-Forwarded-Host keeps the client's. Null keeps the client's Host
 * @param path how the path changes; null keeps it
 * @throws IllegalArgumentException when both are null, or the hostname is not a host name, an IPv4
 *     address or a bracketed IPv6 address with an optional port
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record URLRewrite(String hostname, PathModifier path) implements RouteFilter {

  /** A host name, IPv4 address or bracketed IPv6 address, then an optional port of up to five digits. */
  private static final java.util.regex.Pattern HOSTNAME = java.util.regex.Pattern.compile(
      "([A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?");

  public URLRewrite {
    if (hostname == null && path == null) {
      throw new IllegalArgumentException("a URL rewrite needs a hostname, a path, or both");
    }
    if (hostname != null && (!HOSTNAME.matcher(hostname).matches() || !validPort(hostname))) {
      throw new IllegalArgumentException("rewrite hostname \"" + TableText.printable(hostname)
          + "\" is not a host name or an IP address with an optional port");
    }
  }

  /** A port after the host, if any, is 1–65535. */
  private static boolean validPort(String hostname) {
    int colon = hostname.lastIndexOf(':');
    if (colon < 0 || hostname.lastIndexOf(']') > colon) {
      return true;
    }
    int port = Integer.parseInt(hostname.substring(colon + 1));
    return port >= 1 && port <= 65535;
  }
}
