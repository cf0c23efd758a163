package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.VirtualHost;
import io.clbingress.dataplane.upstream.EndpointHealth;
import io.clbingress.dataplane.upstream.EndpointLoad;
import io.clbingress.dataplane.upstream.UpstreamCluster;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * A routing table compiled once for request matching. Immutable and shared by all event loops;
 * the data plane swaps whole routers atomically.
 */
public final class Router {

  private final RoutingTable table;
  private final Map<String, ListenerRouter> listeners;
  private final Map<RouteKey, CompiledRoute> routesByKey;
  /** Resolved once here, not per request: the default listener of each protocol, and by port. */
  private final Map<Protocol, ListenerRouter> defaultListeners = new EnumMap<>(Protocol.class);
  private final Map<Integer, ListenerRouter> listenersByPort = new HashMap<>();

  private Router(RoutingTable table, Map<String, ListenerRouter> listeners, Map<RouteKey, CompiledRoute> routesByKey) {
    this.table = table;
    this.listeners = Map.copyOf(listeners);
    this.routesByKey = Map.copyOf(routesByKey);
    for (ListenerRouter listener : this.listeners.values()) {
      if (listener.listener().port() == Listener.PORT_FROM_FLAGS) {
        defaultListeners.putIfAbsent(listener.listener().protocol(), listener);
      } else {
        listenersByPort.putIfAbsent(listener.listener().port(), listener);
      }
    }
  }

  /** For a table on its own (tests, benchmarks): load counts start at zero, every endpoint healthy. */
  public static Router compile(RoutingTable table) {
    return compile(table, new EndpointLoad(), new EndpointHealth());
  }

  /**
   * @param load the data plane's counts of open requests and tunnels, kept from table to table
   * @param health the data plane's endpoint health, kept from table to table
   */
  public static Router compile(RoutingTable table, EndpointLoad load, EndpointHealth health) {
    Map<String, UpstreamCluster> clusters = new HashMap<>();
    for (Cluster cluster : table.clusters()) {
      clusters.put(cluster.name(), UpstreamCluster.of(cluster, load, health));
    }
    Map<String, ListenerRouter> listeners = new HashMap<>();
    Map<RouteKey, CompiledRoute> routesByKey = new HashMap<>();
    for (Listener listener : table.listeners()) {
      Map<String, PathRoutes> exactHosts = new HashMap<>();
      Map<String, PathRoutes> wildcardHosts = new HashMap<>();
      PathRoutes anyHost = null;
      for (VirtualHost vhost : listener.virtualHosts()) {
        PathRoutes paths = compilePaths(listener, vhost, clusters, routesByKey);
        if (vhost.host().equals(VirtualHost.ANY_HOST)) {
          anyHost = paths;
        } else if (vhost.isWildcard()) {
          wildcardHosts.put(vhost.host().substring(2), paths);
        } else {
          exactHosts.put(vhost.host(), paths);
        }
      }
      CompiledRoute defaultRoute = null;
      if (listener.defaultRoute() != null) {
        RouteKey key = RouteKey.defaultRoute(listener.name());
        defaultRoute = new CompiledRoute(key, listener.defaultRoute(), clusters.get(listener.defaultRoute().cluster()),
            isMutual(listener), listener.limits().maxBodyBytes());
        routesByKey.put(key, defaultRoute);
      }
      listeners.put(listener.name(),
          new ListenerRouter(listener, exactHosts, wildcardHosts, anyHost, defaultRoute));
    }
    return new Router(table, listeners, routesByKey);
  }

  private static PathRoutes compilePaths(Listener listener, VirtualHost vhost, Map<String, UpstreamCluster> clusters,
      Map<RouteKey, CompiledRoute> routesByKey) {
    Map<String, CompiledRoute> exact = new HashMap<>();
    Map<String, CompiledRoute> prefix = new HashMap<>();
    for (Route route : vhost.routes()) {
      RouteKey key = new RouteKey(listener.name(), vhost.host(), route.match());
      CompiledRoute compiled = new CompiledRoute(key, route, clusters.get(route.cluster()), isMutual(listener),
          listener.limits().maxBodyBytes());
      routesByKey.put(key, compiled);
      if (route.match() instanceof PathMatch.Exact) {
        exact.put(route.match().path(), compiled);
      } else {
        prefix.put(route.match().path(), compiled);
      }
    }
    return new PathRoutes(exact, prefix);
  }

  private static boolean isMutual(Listener listener) {
    return listener.tls() != null && listener.tls().isMutual();
  }

  public RoutingTable table() {
    return table;
  }

  /** The listener that serves a protocol on the data plane's own port ({@code --http-port} ...). */
  public ListenerRouter defaultListener(Protocol protocol) {
    return defaultListeners.get(protocol);
  }

  /** The listener with its own port (a CLBListener), or null. */
  public ListenerRouter listenerOnPort(int port) {
    return listenersByPort.get(port);
  }

  /** The route with this identity in this table, or null when the table no longer has it. */
  public CompiledRoute route(RouteKey key) {
    return routesByKey.get(key);
  }
}
