package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.PathMatch;

/**
 * Identity of a route across routing tables: a route "still exists" after a change when a route
 * with the same key is in the new table, whatever its timeouts or endpoints became.
 */
public record RouteKey(String listener, String host, PathMatch match) {

  /** The key of a listener's default route (no virtual host matched). */
  public static RouteKey defaultRoute(String listener) {
    return new RouteKey(listener, "", new PathMatch.Prefix("/"));
  }
}
