package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.Timeouts;
import io.clbingress.dataplane.upstream.UpstreamCluster;

/**
 * A route with everything the request path needs resolved at compile time.
 *
 * @param clientCertificates its listener asks for client certificates (mutual TLS), whose
 *     subject then goes to the backend
 * @param maxBodyBytes the route's body limit, else its listener's; 0 = none
 */
public record CompiledRoute(RouteKey key, Route route, UpstreamCluster cluster, boolean clientCertificates,
    long maxBodyBytes) {

  public Timeouts timeouts() {
    return route.timeouts();
  }
}
