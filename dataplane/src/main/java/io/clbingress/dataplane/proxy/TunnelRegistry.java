package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.metrics.ProxyMetrics;
import io.clbingress.dataplane.metrics.RouteMeters;
import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.routing.Router;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open WebSocket tunnels of a data plane, so that a routing-table change can tell which of
 * them lost their route (or their endpoint) and must drain, and which stay untouched.
 */
public final class TunnelRegistry {

  private final Set<Tunnel> open = ConcurrentHashMap.newKeySet();
  private final TunnelCaps caps = new TunnelCaps();
  private final ProxyMetrics metrics;
  /** The router of the last change and its drain period, for tunnels registered after it. */
  private volatile Router latest;
  private volatile long latestDrainMillis;
  /** Set once the data plane stops ({@link #closeAll}). */
  private volatile boolean closing;

  /** @param metrics where tunnels count their bytes and lifetimes */
  public TunnelRegistry(ProxyMetrics metrics) {
    this.metrics = metrics;
  }

  /** The meters of a tunnel of {@code route}. */
  RouteMeters meters(CompiledRoute route) {
    return metrics.route(route.route().source());
  }

  /**
   * Registers an open tunnel. Its route was matched on the router of its handshake, which a
   * change may have replaced meanwhile: checked against the latest one here, so that no tunnel
   * slips between a change and its registration.
   */
  void add(Tunnel tunnel) {
    open.add(tunnel);
    if (closing) {
      tunnel.shutdown(); // started while the data plane stops: closeAll may have passed it by
      return;
    }
    Router router = latest;
    if (router != null && isOrphan(router, tunnel)) {
      tunnel.drainAfter(latestDrainMillis);
    }
  }

  void remove(Tunnel tunnel) {
    open.remove(tunnel);
  }

  /** The counts behind the routes' tunnel caps. */
  TunnelCaps caps() {
    return caps;
  }

  /** See {@link io.clbingress.dataplane.DataPlane#tunnelCapEntries}. */
  public int capEntries() {
    return caps.entries();
  }

  public int openCount() {
    return open.size();
  }

  /**
   * Schedules the close of every tunnel whose route is gone from {@code router}, or whose endpoint
   * left the route's cluster; all others are left alone.
   *
   * @return how many tunnels started draining
   */
  public int drainOrphans(Router router, long drainMillis) {
    latestDrainMillis = drainMillis;
    latest = router;
    int draining = 0;
    for (Tunnel tunnel : open) {
      if (!tunnel.isDraining() && isOrphan(router, tunnel)) {
        tunnel.drainAfter(drainMillis);
        draining++;
      }
    }
    return draining;
  }

  private static boolean isOrphan(Router router, Tunnel tunnel) {
    CompiledRoute route = router.route(tunnel.route());
    return route == null || route.cluster() == null || !route.cluster().contains(tunnel.endpoint());
  }

  /** Closes every open tunnel, and each one registered from now on: the data plane stops. */
  public void closeAll() {
    closing = true;
    for (Tunnel tunnel : open) {
      tunnel.shutdown();
    }
  }
}
