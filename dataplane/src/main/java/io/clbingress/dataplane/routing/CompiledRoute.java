package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.RequestRedirect;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.Timeouts;
import io.clbingress.dataplane.upstream.UpstreamCluster;

/**
 * A route with everything the request path needs resolved at compile time.
 *
 * @param clientCertificates its listener asks for client certificates (mutual TLS), whose
 *     subject then goes to the backend
 * @param maxBodyBytes the route's body limit, else its listener's; 0 = none
 * @param redirect the route's {@link RequestRedirect} filter, or null (looked up once, when compiled)
 */
public record CompiledRoute(RouteKey key, Route route, UpstreamCluster cluster, boolean clientCertificates,
    long maxBodyBytes, RequestRedirect redirect) {

  public CompiledRoute(RouteKey key, Route route, UpstreamCluster cluster, boolean clientCertificates,
      long maxBodyBytes) {
    this(key, route, cluster, clientCertificates, maxBodyBytes, route.requestRedirect());
  }

  /** Whether the route answers with a redirect whose Location keeps the request's host (to HTTPS, or a filter without a host). */
  public boolean redirectKeepsHost() {
    return redirect != null ? redirect.host() == null : route.redirectToHttps();
  }

  public Timeouts timeouts() {
    return route.timeouts();
  }
}
