package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.Timeouts;
import io.clbingress.dataplane.upstream.UpstreamCluster;

/** A route with everything the request path needs resolved at compile time. */
public record CompiledRoute(RouteKey key, Route route, UpstreamCluster cluster) {

  public Timeouts timeouts() {
    return route.timeouts();
  }
}
