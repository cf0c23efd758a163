package io.clbingress.dataplane.table;

/**
 * Caps on the WebSocket tunnels of a route's source (an Ingress), per data plane replica:
 * {@code clb.ingress.io/max-tunnels} and {@code max-tunnels-per-client}. An upgrade that would
 * open one more than a cap allows is answered 503 before the backend is asked; a tunnel counts from
 * the moment its upgrade starts until it closes (or its upgrade fails). The routes of one source
 * share the counts.
 *
 * @param maxTunnels tunnels open or opening through the source's routes at once, 0 for no cap,
 *     else 1–10000000
 * @param maxTunnelsPerClient the same per client address, 0 for no cap, else 1–10000000
 * @throws IllegalArgumentException for a value out of range, or both 0
 */
public record TunnelLimits(int maxTunnels, int maxTunnelsPerClient) implements RouteFilter {

  /** The largest cap. */
  public static final int MAX = 10_000_000;

  public TunnelLimits {
    if (maxTunnels < 0 || maxTunnels > MAX || maxTunnelsPerClient < 0 || maxTunnelsPerClient > MAX) {
      throw new IllegalArgumentException("tunnel caps out of 0–" + MAX + ": " + maxTunnels + ", " + maxTunnelsPerClient);
    }
    if (maxTunnels == 0 && maxTunnelsPerClient == 0) {
      throw new IllegalArgumentException("tunnel limits without a cap");
    }
  }
}
