package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.PathMatch;

/**
 * Identity of a route across routing tables: a route "still exists" after a change when a route
 * with the same key is in the new table, whatever its timeouts or endpoints became.
 *
 * @param canary the key of the route's {@link io.clbingress.dataplane.table.Canary} side: its
 *     tunnels belong to the canary's cluster, not the route's
 */
public record RouteKey(String listener, String host, PathMatch match, boolean canary) {

  public RouteKey(String listener, String host, PathMatch match) {
    this(listener, host, match, false);
  }

  /** The key of a listener's default route (no virtual host matched). */
  public static RouteKey defaultRoute(String listener) {
    return new RouteKey(listener, "", new PathMatch.Prefix("/"));
  }

  /** The key of this route's canary side. */
  RouteKey canarySide() {
    return new RouteKey(listener, host, match, true);
  }
}
