package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.VirtualHost;
import io.clbingress.dataplane.tls.ClientVerification;
import io.clbingress.dataplane.upstream.EndpointHealth;
import io.clbingress.dataplane.upstream.EndpointLoad;
import io.clbingress.dataplane.upstream.UpstreamCluster;
import io.clbingress.dataplane.util.Capacity;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A routing table compiled once for request matching. Immutable and shared by all event loops;
 * the data plane swaps whole routers atomically.
 */
public final class Router {

  private final RoutingTable table;
  private final Map<String, ListenerRouter> listeners;
  private final Map<String, UpstreamCluster> clusters;
  /** Resolved once here, not per request: the default listener of each protocol, and by port. */
  private final Map<Protocol, ListenerRouter> defaultListeners = new EnumMap<>(Protocol.class);
  private final Map<Integer, ListenerRouter> listenersByPort = new HashMap<>();

  private Router(RoutingTable table, Map<String, ListenerRouter> listeners, Map<String, UpstreamCluster> clusters) {
    this.table = table;
    this.listeners = listeners;
    this.clusters = clusters;
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
    return compile(table, new EndpointLoad(), new EndpointHealth(), null);
  }

  /** {@link #compile(RoutingTable, EndpointLoad, EndpointHealth, RateLimitZones, Router)} with rate-limit counts of its own. */
  public static Router compile(RoutingTable table, EndpointLoad load, EndpointHealth health, Router previous) {
    return compile(table, load, health, new RateLimitZones(), previous);
  }

  /**
   * @param load the data plane's counts of open requests and tunnels, kept from table to table
   * @param health the data plane's endpoint health, kept from table to table
   * @param zones the data plane's rate-limit counts, kept from table to table
   * @param previous the router in force, or null: what did not change is taken over from it (an
   *     equal cluster keeps its picker, an equal virtual host whose clusters were kept its compiled
   *     routes), so that a change of one Ingress among thousands compiles one virtual host
   */
  public static Router compile(RoutingTable table, EndpointLoad load, EndpointHealth health, RateLimitZones zones,
      Router previous) {
    // The clusters compiled anew: a kept virtual host must not name one of them.
    Set<String> replaced = new HashSet<>();
    // Clusters all equal to the previous table's, in the same order (a change of one Ingress among
    // thousands, as a rule): its compiled clusters serve this table, map and all, without a look-up each.
    Map<String, UpstreamCluster> clusters = previous != null && previous.table.clusters().equals(table.clusters())
        ? previous.clusters : compileClusters(table, load, health, previous, replaced);
    Map<String, ListenerRouter> listeners = new java.util.LinkedHashMap<>();
    for (Listener listener : table.listeners()) {
      ListenerRouter before = previous == null ? null : previous.listeners.get(listener.name());
      boolean sameSettings = before != null && isMutual(before.listener()) == isMutual(listener)
          && before.listener().limits().maxBodyBytes() == listener.limits().maxBodyBytes();
      Map<String, PathRoutes> exactHosts = new HashMap<>(Capacity.forEntries(listener.virtualHosts().size()));
      Map<String, PathRoutes> wildcardHosts = new HashMap<>();
      PathRoutes anyHost = null;
      for (VirtualHost vhost : listener.virtualHosts()) {
        PathRoutes kept = sameSettings ? before.virtualHost(vhost.host()) : null;
        PathRoutes paths = kept != null && kept.isCompiledFrom(vhost, replaced) ? kept
            : compilePaths(listener, vhost, clusters, zones);
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
        defaultRoute = CompiledRoute.compile(RouteKey.defaultRoute(listener.name()), listener.defaultRoute(), clusters,
            isMutual(listener) ? ClientVerification.HANDSHAKE : null, listener.limits().maxBodyBytes(), zones);
      }
      listeners.put(listener.name(),
          new ListenerRouter(listener, exactHosts, wildcardHosts, anyHost, defaultRoute));
    }
    return new Router(table, listeners, clusters);
  }

  /**
   * Each cluster of the table: the previous router's where its definition is equal (its picker and
   * its counts go on), else compiled anew, its name added to {@code replaced}.
   */
  private static Map<String, UpstreamCluster> compileClusters(RoutingTable table, EndpointLoad load,
      EndpointHealth health, Router previous, Set<String> replaced) {
    Map<String, UpstreamCluster> clusters = new HashMap<>(Capacity.forEntries(table.clusters().size()));
    for (Cluster cluster : table.clusters()) {
      UpstreamCluster before = previous == null ? null : previous.clusters.get(cluster.name());
      boolean kept = before != null && (before.definition() == cluster || before.definition().equals(cluster));
      clusters.put(cluster.name(), kept ? before : UpstreamCluster.of(cluster, load, health));
      if (!kept) {
        replaced.add(cluster.name());
      }
    }
    return clusters;
  }

  private static PathRoutes compilePaths(Listener listener, VirtualHost vhost, Map<String, UpstreamCluster> clusters,
      RateLimitZones zones) {
    Map<String, CompiledRoute> exact = new HashMap<>();
    Map<String, CompiledRoute> prefix = new HashMap<>();
    List<CompiledRoute> regex = new ArrayList<>();
    // one compiled check per virtual host, shared by its routes (its result is kept per TLS session)
    ClientVerification clientCertificates = isMutual(listener) ? ClientVerification.HANDSHAKE
        : vhost.clientCertificates() != null ? ClientVerification.of(vhost.clientCertificates()) : null;
    for (Route route : vhost.routes()) {
      RouteKey key = new RouteKey(listener.name(), vhost.host(), route.match());
      CompiledRoute compiled = CompiledRoute.compile(key, route, clusters, clientCertificates,
          route.maxBodyBytes() != null ? route.maxBodyBytes() : listener.limits().maxBodyBytes(), zones);
      if (route.match() instanceof PathMatch.Exact) {
        exact.put(route.match().path(), compiled);
      } else if (route.match() instanceof PathMatch.Prefix) {
        prefix.put(route.match().path(), compiled);
      } else {
        regex.add(compiled); // RegularExpression, in the table's order
      }
    }
    return new PathRoutes(vhost, exact, prefix, regex);
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
    ListenerRouter listener = listeners.get(key.listener());
    return listener == null ? null : listener.route(key);
  }
}
