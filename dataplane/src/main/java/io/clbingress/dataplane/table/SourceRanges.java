package io.clbingress.dataplane.table;

import java.util.List;

/**
 * Which client addresses a route serves: ingress-nginx's {@code whitelist-source-range} and
 * {@code denylist-source-range} (nginx's {@code allow} and {@code deny}, ngx_http_access_module).
 * A request from an address in {@code deny} is refused with 403; else, when {@code allow} is not
 * empty, a request from an address outside it is refused with 403; the rest are served. The
 * refusal comes before anything else the route does (a redirect, a CORS preflight, a WebSocket
 * upgrade), so nothing of a refused request reaches a backend. The address is the client's as the
 * data plane knows it: the socket's peer, or the address a trusted proxy or the PROXY protocol gave.
 *
 * @param allow CIDRs ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or single addresses; empty for any
 * @param deny CIDRs or single addresses refused even when {@code allow} has them
 * @throws IllegalArgumentException for an entry that is not a {@link Cidr} (an IPv4 or IPv6 address
 *     with an optional prefix length, 0–32 or 0–128), or when both lists are empty
 */
public record SourceRanges(List<String> allow, List<String> deny) implements RouteFilter {

  public SourceRanges {
    allow = allow == null ? List.of() : List.copyOf(allow);
    deny = deny == null ? List.of() : List.copyOf(deny);
    if (allow.isEmpty() && deny.isEmpty()) {
      throw new IllegalArgumentException("source ranges without an allowed or a denied range");
    }
    for (String range : allow) {
      Cidr.parse(range);
    }
    for (String range : deny) {
      Cidr.parse(range);
    }
  }
}
