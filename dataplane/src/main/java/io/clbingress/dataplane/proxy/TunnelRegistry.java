package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.routing.Router;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open WebSocket tunnels of a data plane, so that a routing-table change can tell which of
 * them lost their route (or their endpoint) and must drain, and which stay untouched.
 */
public final class TunnelRegistry {

  private final Set<WebSocketTunnel> open = ConcurrentHashMap.newKeySet();

  void add(WebSocketTunnel tunnel) {
    open.add(tunnel);
  }

  void remove(WebSocketTunnel tunnel) {
    open.remove(tunnel);
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
    int draining = 0;
    for (WebSocketTunnel tunnel : open) {
      CompiledRoute route = router.route(tunnel.route());
      boolean orphaned = route == null || !route.cluster().contains(tunnel.endpoint());
      if (orphaned && !tunnel.isDraining()) {
        tunnel.drainAfter(drainMillis);
        draining++;
      }
    }
    return draining;
  }

  public void closeAll(String reason) {
    for (WebSocketTunnel tunnel : open) {
      tunnel.close(reason);
    }
  }
}
