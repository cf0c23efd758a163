package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.HealthCheck;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.RequestRedirect;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RouteFilter;
import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.Timeouts;
import io.clbingress.operator.state.ObjectRef;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Who asks for routes (an Ingress, or a CLBListener's rule) and with what settings: the owner's
 * age settles conflicts, the rest goes into the routes and clusters it creates.
 *
 * @param redirectHosts hosts whose plain-HTTP requests are redirected to HTTPS (TLS hosts with
 *     ssl-redirect on)
 * @param sessionTtlSeconds sticky sessions' lifetime; 0 = off
 * @param healthCheck the active check of the clusters it creates; null for none
 * @param filters the filters of its routes
 * @param maxBodyBytes its routes' body limit (0 = none), or null for the listener's
 * @param appRoot where a request for exactly {@code /} on each of its hosts is redirected (302), or
 *     null (ingress-nginx's {@code app-root})
 */
record RouteSource(ObjectRef owner, Instant created, Timeouts timeouts, Scheduler scheduler, BackendProtocol protocol,
    Set<String> redirectHosts, int sessionTtlSeconds, HealthCheck healthCheck, List<RouteFilter> filters,
    Long maxBodyBytes, String appRoot) {

  RouteSource {
    redirectHosts = Set.copyOf(redirectHosts);
    filters = List.copyOf(filters);
  }

  RouteSource(ObjectRef owner, Instant created, Timeouts timeouts, Scheduler scheduler, BackendProtocol protocol,
      Set<String> redirectHosts, int sessionTtlSeconds, HealthCheck healthCheck) {
    this(owner, created, timeouts, scheduler, protocol, redirectHosts, sessionTtlSeconds, healthCheck, List.of(), null,
        null);
  }

  /** The route that answers a request for exactly {@code /} with a 302 to {@link #appRoot}; no cluster. */
  Route appRootRoute() {
    return new Route(new PathMatch.Exact("/"), null, timeouts, owner.toString(), false, null,
        List.of(new RequestRedirect(null, null, null, appRoot, 302)), null);
  }

  /** A route of this source. */
  Route route(PathMatch match, String cluster) {
    return new Route(match, cluster, timeouts, owner.toString(), false,
        sessionTtlSeconds == 0 ? null : sessionTtlSeconds, filters, maxBodyBytes);
  }
}
