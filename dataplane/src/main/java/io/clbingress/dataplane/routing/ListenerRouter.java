package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.VirtualHost;
import java.util.Locale;
import java.util.Map;

/** Host and path matching for one listener: exact host, then one-label wildcard, then {@code *}. */
public final class ListenerRouter {

  private final Listener listener;
  private final Map<String, PathRoutes> exactHosts;
  /** Keyed by the suffix after the wildcard label: {@code *.example.com} is under {@code example.com}. */
  private final Map<String, PathRoutes> wildcardHosts;
  private final PathRoutes anyHost;
  private final CompiledRoute defaultRoute;
  /** The listener's compression, or null (the default listeners' comes from the flags). */
  private final GzipPolicy gzip;

  /**
   * @param exactHosts taken as they are, not copied (tens of thousands of hosts are compiled again
   *     on every table change): the compiler's own map, never changed afterwards
   */
  ListenerRouter(Listener listener, Map<String, PathRoutes> exactHosts, Map<String, PathRoutes> wildcardHosts,
      PathRoutes anyHost, CompiledRoute defaultRoute) {
    this.listener = listener;
    this.exactHosts = exactHosts;
    this.wildcardHosts = Map.copyOf(wildcardHosts);
    this.anyHost = anyHost;
    this.defaultRoute = defaultRoute;
    this.gzip = listener.gzip() == null ? null : new GzipPolicy(listener.gzip());
  }

  /** The listener's own compression ({@link io.clbingress.dataplane.table.Listener#gzip}), compiled; null for none. */
  public GzipPolicy gzip() {
    return gzip;
  }

  public Listener listener() {
    return listener;
  }

  /** Where requests go that no virtual host matches; a TCP listener's only route. Null if none. */
  public CompiledRoute defaultRoute() {
    return defaultRoute;
  }

  /**
   * The route for a request, or null for 404.
   *
   * @param host the request's host without port, any case; null when the request had none
   * @param path the request path without query
   */
  public CompiledRoute match(String host, String path) {
    PathRoutes routes = hostRoutes(normalizeHost(host));
    CompiledRoute route = routes == null ? null : routes.match(path.isEmpty() ? "/" : path);
    return route != null ? route : defaultRoute;
  }

  /**
   * Whether two host names (any case, without port; null for none) reach the same virtual host:
   * a TLS handshake's SNI name and a request's host, which must agree for a host that asks for
   * client certificates in its handshakes.
   */
  public boolean sameVirtualHost(String serverName, String host) {
    return hostRoutes(normalizeHost(serverName)) == hostRoutes(normalizeHost(host));
  }

  /** The compiled routes of the virtual host named as in the table ({@code *}, {@code *.suffix} or a name), or null. */
  PathRoutes virtualHost(String host) {
    if (host.equals(VirtualHost.ANY_HOST)) {
      return anyHost;
    }
    return host.startsWith("*.") ? wildcardHosts.get(host.substring(2)) : exactHosts.get(host);
  }

  /** The route with this identity (its listener's), or null. */
  CompiledRoute route(RouteKey key) {
    if (defaultRoute != null && defaultRoute.key().equals(key)) {
      return defaultRoute;
    }
    PathRoutes routes = virtualHost(key.host());
    return routes == null ? null : routes.route(key);
  }

  private PathRoutes hostRoutes(String host) {
    if (host != null) {
      PathRoutes routes = exactHosts.get(host);
      if (routes != null) {
        return routes;
      }
      int firstDot = host.indexOf('.');
      if (firstDot > 0 && !wildcardHosts.isEmpty()) {
        routes = wildcardHosts.get(host.substring(firstDot + 1));
        if (routes != null) {
          return routes;
        }
      }
    }
    return anyHost;
  }

  private static String normalizeHost(String host) {
    if (host == null || host.isEmpty()) {
      return null;
    }
    String lower = host.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
  }
}
