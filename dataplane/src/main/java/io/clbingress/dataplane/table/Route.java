package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * A match and where it goes.
 *
 * @param cluster name of a {@link Cluster} of the same table; null only for a route that answers with
 *     a {@link RequestRedirect} (it forwards nothing)
 * @param source the object this route came from, {@code Kind namespace/name}, for logs and metrics
 * @param redirectToHttps answer 308 to the same URL on HTTPS instead of proxying (plain HTTP
 *     listener, a host with TLS)
 * @param sessionTtlSeconds sticky sessions: a cookie pins a client to its endpoint for this long;
 *     null when off
 * @param filters what the route does besides choosing its cluster (Gateway API's HTTPRoute filters),
 *     at most one of each type: a {@link RequestRedirect} answers instead of forwarding, before
 *     {@code redirectToHttps}; a {@link URLRewrite} and a {@link RequestHeaderModifier} change what
 *     the backend receives; a {@link Canary} sends some requests to another cluster; a
 *     {@link SessionCookie} names and shapes the sticky sessions' cookie
 * @param maxBodyBytes the largest request body in bytes (413 above it), instead of the listener's
 *     limit; 0 = no limit; null = the listener's (ingress-nginx's {@code proxy-body-size})
 */
public record Route(PathMatch match, @JsonInclude(JsonInclude.Include.NON_NULL) String cluster, Timeouts timeouts, String source, boolean redirectToHttps,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer sessionTtlSeconds,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<RouteFilter> filters,
    @JsonInclude(JsonInclude.Include.NON_NULL) Long maxBodyBytes) {

  public Route {
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(timeouts, "timeouts");
    source = Objects.requireNonNullElse(source, "");
    if (sessionTtlSeconds != null && sessionTtlSeconds < 1) {
      sessionTtlSeconds = null;
    }
    filters = filters == null ? List.of() : List.copyOf(filters);
    if (cluster == null && filters.stream().noneMatch(RequestRedirect.class::isInstance)) {
      throw new NullPointerException("cluster (only a route that redirects has none)");
    }
    if (filters.stream().map(Object::getClass).distinct().count() < filters.size()) {
      throw new IllegalArgumentException("a route has at most one filter of each type: " + filters);
    }
    if (sessionTtlSeconds == null && filters.stream().anyMatch(SessionCookie.class::isInstance)) {
      throw new IllegalArgumentException("a session cookie needs sticky sessions (sessionTtlSeconds)");
    }
    if (maxBodyBytes != null && maxBodyBytes < 0) {
      throw new IllegalArgumentException("route body limit " + maxBodyBytes + " is negative");
    }
  }

  public Route(PathMatch match, String cluster, Timeouts timeouts, String source, boolean redirectToHttps,
      Integer sessionTtlSeconds, List<RouteFilter> filters) {
    this(match, cluster, timeouts, source, redirectToHttps, sessionTtlSeconds, filters, null);
  }

  public Route(PathMatch match, String cluster, Timeouts timeouts, String source, boolean redirectToHttps,
      Integer sessionTtlSeconds) {
    this(match, cluster, timeouts, source, redirectToHttps, sessionTtlSeconds, List.of());
  }

  public Route(PathMatch match, String cluster, Timeouts timeouts, String source, boolean redirectToHttps) {
    this(match, cluster, timeouts, source, redirectToHttps, null);
  }

  public Route(PathMatch match, String cluster, Timeouts timeouts, String source) {
    this(match, cluster, timeouts, source, false);
  }

  /** This route with the redirect on or off (itself when it already is). */
  public Route withRedirectToHttps(boolean redirect) {
    return redirect == redirectToHttps ? this
        : new Route(match, cluster, timeouts, source, redirect, sessionTtlSeconds, filters, maxBodyBytes);
  }

  /** This route to another cluster. */
  public Route withCluster(String other) {
    return new Route(match, other, timeouts, source, redirectToHttps, sessionTtlSeconds, filters, maxBodyBytes);
  }

  /** This route with one more filter (of a type it has none of). */
  public Route withFilter(RouteFilter added) {
    List<RouteFilter> more = new java.util.ArrayList<>(filters);
    more.add(added);
    return new Route(match, cluster, timeouts, source, redirectToHttps, sessionTtlSeconds, more, maxBodyBytes);
  }

  /** The route's {@link RequestRedirect}, or null. */
  public RequestRedirect requestRedirect() {
    return filter(RequestRedirect.class);
  }

  /** The route's filter of this type (it has at most one), or null. */
  public <T extends RouteFilter> T filter(Class<T> type) {
    for (RouteFilter filter : filters) {
      if (type.isInstance(filter)) {
        return type.cast(filter);
      }
    }
    return null;
  }
}
