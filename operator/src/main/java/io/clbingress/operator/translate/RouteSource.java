package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.HealthCheck;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.RequestRedirect;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RouteFilter;
import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.Timeouts;
import io.clbingress.dataplane.table.URLRewrite;
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
 * @param hashBy what its clusters' IP_HASH hashes instead of the client's address, or null
 * @param serviceUpstream its clusters are their Services' cluster IPs (ingress-nginx's service-upstream)
 * @param sessionTtlSeconds sticky sessions' lifetime; 0 = off
 * @param healthCheck the active check of the clusters it creates; null for none
 * @param filters the filters of its routes
 * @param maxBodyBytes its routes' body limit (0 = none), or null for the listener's
 * @param extras what an Ingress's ingress-nginx annotations add ({@link RouteExtras#NONE} for none)
 */
record RouteSource(ObjectRef owner, Instant created, Timeouts timeouts, Scheduler scheduler, String hashBy,
    boolean serviceUpstream, BackendProtocol protocol,
    Set<String> redirectHosts, int sessionTtlSeconds, HealthCheck healthCheck, List<RouteFilter> filters,
    Long maxBodyBytes, RouteExtras extras) {

  RouteSource {
    redirectHosts = Set.copyOf(redirectHosts);
    filters = List.copyOf(filters);
    extras = extras == null ? RouteExtras.NONE : extras;
  }

  RouteSource(ObjectRef owner, Instant created, Timeouts timeouts, Scheduler scheduler, BackendProtocol protocol,
      Set<String> redirectHosts, int sessionTtlSeconds, HealthCheck healthCheck) {
    this(owner, created, timeouts, scheduler, null, false, protocol, redirectHosts, sessionTtlSeconds, healthCheck, List.of(), null,
        RouteExtras.NONE);
  }

  /** use-regex, rewrite-target and app-root. */
  Rewrite rewrite() {
    return extras.rewrite();
  }

  /** The rules of a canary Ingress, or null. */
  CanaryOptions canary() {
    return extras.canary();
  }

  /** Whether the www alias of each host redirects to it. */
  boolean fromToWww() {
    return extras.fromToWww();
  }

  /** default-backend and custom-http-errors, or null. */
  ErrorBackend errorBackend() {
    return extras.errorBackend();
  }

  /** Where a request for exactly {@code /} on each of its hosts is redirected (302), or null. */
  String appRoot() {
    return rewrite().appRoot();
  }

  /** The route that answers a request for exactly {@code /} with a 302 to {@link #appRoot}; no cluster. */
  Route appRootRoute() {
    return new Route(new PathMatch.Exact("/"), null, timeouts, owner.toString(), false, null,
        List.of(new RequestRedirect(null, null, null, appRoot(), 302)), null);
  }

  /**
   * A route of this source on a host whose paths are regular expressions ({@link Rewrite}): the
   * path as written, matched as {@code ^path}, and rewritten when the source has a rewrite target
   * (with upstream-vhost's hostname, when it has one, in the same URLRewrite).
   */
  Route regexRoute(Route route, String written) {
    List<RouteFilter> edited = route.filters();
    if (rewrite().target() != null) {
      URLRewrite hostOnly = route.filter(URLRewrite.class);
      URLRewrite both = new URLRewrite(hostOnly == null ? null : hostOnly.hostname(), rewrite().substitution(written));
      edited = new java.util.ArrayList<>(route.filters());
      edited.remove(hostOnly);
      edited.add(both);
    }
    return new Route(Rewrite.regexMatch(written), route.cluster(), route.timeouts(), route.source(),
        route.redirectToHttps(), route.sessionTtlSeconds(), edited, route.maxBodyBytes());
  }

  /**
   * The route of a www alias ({@link #fromToWww}): every request is answered with a 308 to the
   * same path and query on {@code host}, the scheme kept (as ingress-nginx's redirect server, whose
   * code is 308 by default).
   */
  Route wwwAliasRoute(String host) {
    return new Route(PathMatch.Prefix.of("/"), null, timeouts, owner.toString(), false, null,
        List.of(new RequestRedirect(null, host, null, null, 308)), null);
  }

  /** A route of this source. */
  Route route(PathMatch match, String cluster) {
    return new Route(match, cluster, timeouts, owner.toString(), false,
        sessionTtlSeconds == 0 ? null : sessionTtlSeconds, filters, maxBodyBytes);
  }
}
