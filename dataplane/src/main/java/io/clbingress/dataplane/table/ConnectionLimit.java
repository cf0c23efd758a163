package io.clbingress.dataplane.table;

import java.util.List;

/**
 * Requests in progress at once per client address, counted by each data plane on its own:
 * ingress-nginx's {@code limit-connections} (with {@code limit-whitelist}), which is nginx's
 * {@code limit_conn} keyed by the client address (ngx_http_limit_conn_module). As there, a
 * connection counts only while it has a request in progress whose head has been read: an idle
 * keep-alive connection counts for nothing, each HTTP/2 stream counts as one, and a WebSocket
 * counts from its upgrade request until its tunnel closes. A request that would make one more than
 * {@code connections} is answered with the limit status (503 unless {@code --limit-conn-status-code}
 * says otherwise) without reaching a backend. The routes of one source (one Ingress) with equal
 * limits share their counts, as ingress-nginx's zone per Ingress.
 *
 * @param connections requests in progress at once per client address, 1–10000000
 * @param exempt client addresses and CIDRs never limited ({@link Cidr})
 * @throws IllegalArgumentException for a value out of range or a wrong address
 */
public record ConnectionLimit(int connections, List<String> exempt) implements RouteFilter {

  /** The largest limit. */
  public static final int MAX = 10_000_000;

  public ConnectionLimit {
    exempt = exempt == null ? List.of() : List.copyOf(exempt);
    if (connections < 1 || connections > MAX) {
      throw new IllegalArgumentException("connection limit " + connections + " is not 1–" + MAX);
    }
    for (String range : exempt) {
      Cidr.parse(range);
    }
  }
}
