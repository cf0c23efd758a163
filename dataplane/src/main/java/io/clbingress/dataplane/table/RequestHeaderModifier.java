package io.clbingress.dataplane.table;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Header edits on the request a backend receives (Gateway API's {@code RequestHeaderModifier};
 * ingress-nginx's {@code x-forwarded-prefix}), applied after the proxy's own X-Forwarded-* headers
 * and on WebSocket upgrades too.
 *
 * @param set headers that replace any of the same name, the client's included
 * @throws IllegalArgumentException for an empty list, or one that sets a header the proxy owns:
 *     Host (a {@link URLRewrite}'s hostname sets it), the hop-by-hop headers of RFC 9110 §7.6.1,
 *     Content-Length and Transfer-Encoding (the body's framing)
 */
public record RequestHeaderModifier(List<HttpHeader> set) implements RouteFilter {

  /** Headers whose value is the proxy's to choose: a route that set them could break framing or routing. */
  private static final Set<String> OWNED = Set.of("host", "connection", "keep-alive", "proxy-connection", "te",
      "trailer", "transfer-encoding", "upgrade", "content-length", "proxy-authenticate", "proxy-authorization");

  public RequestHeaderModifier {
    set = set == null ? List.of() : List.copyOf(set);
    if (set.isEmpty()) {
      throw new IllegalArgumentException("a request header modifier needs a header to set");
    }
    for (HttpHeader header : set) {
      if (OWNED.contains(header.name().toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("header " + header.name() + " is set by the proxy, not by a route");
      }
    }
  }
}
