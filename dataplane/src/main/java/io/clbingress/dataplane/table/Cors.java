package io.clbingress.dataplane.table;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Cross-origin resource sharing answered at the edge: ingress-nginx's {@code enable-cors} with its
 * {@code cors-*} annotations, shaped as Gateway API's HTTPRoute {@code CORS} filter. A request of
 * an allowed origin gets {@code Access-Control-Allow-Origin} and the other
 * {@code Access-Control-*} headers of this filter on every answer of the route (they replace the
 * backend's own, as ingress-nginx's {@code more_set_headers}); an {@code OPTIONS} request of an
 * allowed origin is a preflight the proxy answers itself with 204 and those headers, without
 * asking the backend (ingress-nginx's CORS block). A request of any other origin is forwarded as
 * it is and its answers get none of the headers. The Fetch standard's CORS protocol
 * (fetch.spec.whatwg.org, "CORS protocol") says what a browser makes of them.
 *
 * @param allowOrigins {@code *} alone: every origin (even a request without {@code Origin}), and
 *     the answer says {@code *}, never the origin, so a browser sends no credentials (as
 *     ingress-nginx; list the origins for credentialed requests); else origins
 *     {@code http(s)://host[:port]}, compared without case, whose host may start with {@code *.}
 *     for exactly one more label ({@code https://*.example.com} allows
 *     {@code https://app.example.com}, not {@code https://a.b.example.com} nor
 *     {@code https://example.com}; at least two labels follow {@code *.}, so never a whole top-level
 *     domain such as {@code https://*.com}); the answer then names the request's origin and says
 *     {@code Vary: Origin}
 * @param allowCredentials {@code Access-Control-Allow-Credentials: true} is sent
 * @param allowMethods {@code Access-Control-Allow-Methods}: methods (RFC 9110 tokens), at least one
 * @param allowHeaders {@code Access-Control-Allow-Headers}: header names (tokens), may be empty
 * @param exposeHeaders {@code Access-Control-Expose-Headers}: header names, or {@code *}; may be empty
 * @param maxAgeSeconds {@code Access-Control-Max-Age}: how long a browser may keep a preflight's
 *     answer, 0–2147483647 seconds
 * @throws IllegalArgumentException for an origin, method or header name not of these forms
 */
public record Cors(List<String> allowOrigins, boolean allowCredentials, List<String> allowMethods,
    List<String> allowHeaders, List<String> exposeHeaders, long maxAgeSeconds) implements RouteFilter {

  /** Any origin. */
  public static final String ANY_ORIGIN = "*";
  /** An origin as a browser sends it, with a leading {@code *.} label allowed in the host. */
  private static final Pattern ORIGIN = Pattern.compile(
      "https?://(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?");

  public Cors {
    allowOrigins = List.copyOf(allowOrigins).stream().map(origin -> origin.toLowerCase(Locale.ROOT)).toList();
    allowMethods = List.copyOf(allowMethods);
    allowHeaders = allowHeaders == null ? List.of() : List.copyOf(allowHeaders);
    exposeHeaders = exposeHeaders == null ? List.of() : List.copyOf(exposeHeaders);
    if (allowOrigins.isEmpty() || allowOrigins.contains(ANY_ORIGIN) && allowOrigins.size() > 1) {
      throw new IllegalArgumentException("allowed origins are * alone or a list of origins: " + allowOrigins);
    }
    for (String origin : allowOrigins) {
      if (!origin.equals(ANY_ORIGIN) && !isOrigin(origin)) {
        throw new IllegalArgumentException("origin " + origin + " is not http(s)://host[:port]");
      }
      if (wildcardOverTopLevelDomain(origin)) {
        throw new IllegalArgumentException("origin " + origin + " puts * right under a top-level domain: name at"
            + " least two labels after *.");
      }
    }
    if (allowMethods.isEmpty() || !allowMethods.stream().allMatch(TableText::token)) {
      throw new IllegalArgumentException("allowed methods must be one or more tokens: " + allowMethods);
    }
    if (!allowHeaders.stream().allMatch(TableText::token)) {
      throw new IllegalArgumentException("allowed headers must be header names: " + allowHeaders);
    }
    if (!exposeHeaders.stream().allMatch(TableText::token)) {
      throw new IllegalArgumentException("exposed headers must be header names or *: " + exposeHeaders);
    }
    if (maxAgeSeconds < 0 || maxAgeSeconds > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("max age " + maxAgeSeconds + " is not 0–" + Integer.MAX_VALUE + " seconds");
    }
  }

  /**
   * Whether {@code origin} is {@code http(s)://host[:port]} in lower case, the host a DNS name or
   * IPv4 address, whose first label may be {@code *} (RFC 6454 §7: an origin is scheme, host and port).
   */
  public static boolean isOrigin(String origin) {
    return ORIGIN.matcher(origin).matches();
  }

  /**
   * Whether {@code origin} is a wildcard right under a top-level domain ({@code https://*.com}),
   * which would let every site of that domain read the answers, with credentials.
   */
  public static boolean wildcardOverTopLevelDomain(String origin) {
    return isWildcard(origin) && !origin.substring(origin.indexOf("://*.") + 5).contains(".");
  }

  /** Whether {@code origin} (lower case, of {@link #allowOrigins}) is a pattern for one more host label. */
  public static boolean isWildcard(String origin) {
    return origin.contains("://*.");
  }
}
