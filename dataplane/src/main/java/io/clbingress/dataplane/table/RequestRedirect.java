package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Set;

/**
 * Answer with a redirect instead of forwarding: Gateway API's {@code RequestRedirect} filter
 * (HTTPRequestRedirectFilter: scheme, hostname, port, statusCode; here a path replaces the whole
 * path and query) and ingress-nginx's {@code permanent-redirect} / {@code temporal-redirect} (a
 * fixed URL, or one ending in {@code $request_uri}). A part left null is taken from the request.
 *
 * @param scheme {@code http} or {@code https}; null keeps the request's
 * @param host the Location's host (a name, or an IP address; IPv6 without brackets); null keeps the
 *     host the request named
 * @param port 1–65535, left out of the Location when it is the scheme's default; null keeps the
 *     request's port when scheme and host are the request's, else none (the scheme's default)
 * @param path the Location's path and query, as is (may be empty, as in {@code https://example.com});
 *     null keeps the request's path and query
 * @param statusCode 301, 302, 303, 307 or 308 (RFC 9110 §15.4)
 * @throws IllegalArgumentException for any other status, scheme or port, a host that is not a
 *     host name or IP address, or a path with white space or control characters (which would split
 *     the Location header)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RequestRedirect(String scheme, String host, Integer port, String path, int statusCode)
    implements RouteFilter {

  /** The redirect statuses of RFC 9110 §15.4 that carry a Location (300, 304 and 305 do not). */
  public static final Set<Integer> STATUS_CODES = Set.of(301, 302, 303, 307, 308);

  public RequestRedirect {
    if (!STATUS_CODES.contains(statusCode)) {
      throw new IllegalArgumentException("redirect status " + statusCode + " is not one of 301, 302, 303, 307, 308");
    }
    if (scheme != null && !scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("redirect scheme " + scheme + " is not http or https");
    }
    if (port != null && (port < 1 || port > 65535)) {
      throw new IllegalArgumentException("redirect port " + port + " is out of range (1-65535)");
    }
    if (host != null && !HOST.matcher(host).matches()) {
      throw new IllegalArgumentException("redirect host \"" + TableText.printable(host) + "\" is not a host name or an IP address");
    }
    if (path != null && !TableText.visible(path)) {
      throw new IllegalArgumentException("redirect path \"" + TableText.printable(path) + "\" has white space or control characters");
    }
  }

  /**
   * The Location of a request's redirect.
   *
   * @param requestScheme {@code http} or {@code https}: the listener's
   * @param requestHost the host the request named (an IPv6 address in brackets or not), or null
   * @param requestPort the port the request named, or -1
   * @param requestUri the path and query the request is forwarded with
   */
  public String location(String requestScheme, String requestHost, int requestPort, String requestUri) {
    String toScheme = scheme != null ? scheme : requestScheme;
    String toHost = host != null ? host : requestHost == null ? "" : requestHost;
    int toPort = port != null ? port : host == null && scheme == null ? requestPort : -1;
    boolean defaultPort = toPort == ("https".equals(toScheme) ? 443 : 80);
    StringBuilder location = new StringBuilder(toScheme).append("://")
        .append(toHost.indexOf(':') >= 0 && !toHost.startsWith("[") ? "[" + toHost + "]" : toHost);
    if (toPort > 0 && !defaultPort) {
      location.append(':').append(toPort);
    }
    return location.append(path != null ? path : requestUri).toString();
  }

  /**
   * A DNS name (letters, digits, hyphens, underscores, dots), an IPv4 address, or an IPv6 address
   * without brackets: nothing that moves the Location's authority ({@code @}, {@code /}, {@code ?},
   * {@code #}, {@code :} outside IPv6).
   */
  private static final java.util.regex.Pattern HOST =
      java.util.regex.Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
}
