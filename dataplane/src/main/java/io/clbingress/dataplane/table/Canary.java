package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.google.re2j.Pattern;
import java.util.Objects;

/**
 * Sends some of a route's requests to another cluster: ingress-nginx's canary Ingress
 * ({@code canary: "true"} with {@code canary-by-header}, {@code -by-header-value},
 * {@code -by-header-pattern}, {@code -by-cookie}, {@code -weight}, {@code -weight-total}). A request
 * goes to {@code cluster}, in this order of precedence (ingress-nginx's balancer):
 * <ol>
 *   <li>by {@code header}, when the request has it: with {@code headerValue}, when it is that value;
 *       else with {@code headerPattern}, when the pattern is found in it; else {@code always} sends
 *       it to the canary and {@code never} keeps it off the canary. Any other value goes on to
 *   <li>by {@code cookie}, when the request has it: {@code always} or {@code never} as above;
 *   <li>by weight: {@code weight} requests in {@code weightTotal}, at random.
 * </ol>
 * The same choice is made for a WebSocket upgrade; the rest of the route (timeouts, filters,
 * limits) stays the route's. A canary cluster without endpoints takes no requests.
 *
 * @param cluster the canary's cluster, of the same table
 * @param header a request header name (an RFC 9110 token), or null
 * @param headerValue the value of {@code header} that chooses the canary, or null
 * @param headerPattern an RE2 pattern found in {@code header}'s value that chooses the canary
 *     (ignored when {@code headerValue} is set), or null
 * @param cookie a cookie name (a token), or null
 * @param weight 0 to {@code weightTotal}
 * @param weightTotal 1 to 1,000,000 (ingress-nginx's default: 100)
 * @throws IllegalArgumentException for a name that is not a token, a value with control characters,
 *     a pattern that is not RE2, a value or pattern without a header, or a weight out of range
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Canary(String cluster, String header, String headerValue, String headerPattern, String cookie,
    int weight, int weightTotal) implements RouteFilter {

  public Canary {
    Objects.requireNonNull(cluster, "cluster");
    if (header != null && !TableText.token(header)) {
      throw new IllegalArgumentException("canary header \"" + TableText.printable(header) + "\" is not a header name");
    }
    if ((headerValue != null || headerPattern != null) && header == null) {
      throw new IllegalArgumentException("a canary header value or pattern needs a header");
    }
    if (headerValue != null && !TableText.headerValue(headerValue)) {
      throw new IllegalArgumentException("canary header value \"" + TableText.printable(headerValue)
          + "\" has control or non-ASCII characters");
    }
    if (headerPattern != null) {
      Re2.compile("canary header pattern", headerPattern);
    }
    if (cookie != null && !TableText.token(cookie)) {
      throw new IllegalArgumentException("canary cookie \"" + TableText.printable(cookie) + "\" is not a cookie name");
    }
    if (weightTotal < 1 || weightTotal > 1_000_000) {
      throw new IllegalArgumentException("canary weight total " + weightTotal + " is out of range (1-1000000)");
    }
    if (weight < 0 || weight > weightTotal) {
      throw new IllegalArgumentException("canary weight " + weight + " is out of range (0-" + weightTotal + ")");
    }
  }

  /** {@code headerPattern} compiled, or null. */
  public Pattern compiledHeaderPattern() {
    return headerPattern == null ? null : Re2.compile("canary header pattern", headerPattern);
  }
}
