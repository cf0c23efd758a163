package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.ConnectionLimit;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.LocalRateLimit;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RouteFilter;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.VirtualHost;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rate-limit and connection-limit counts of a data plane, kept from routing table to routing
 * table: one {@link RateLimitZone} per source (an Ingress) and {@link LocalRateLimit}, one
 * {@link ConnectionLimitZone} per source and {@link ConnectionLimit}, so that a change elsewhere, or
 * of the Ingress's endpoints, keeps its clients' counts. {@link #retainOnly} drops the zones no
 * route of the table in force uses any more: there are never more zones than limited sources. A
 * request still in progress in a dropped connection zone gives its place back there, harmlessly.
 */
public final class RateLimitZones {

  private record Key(String source, RouteFilter limit) {
  }

  private final LimitStatuses statuses;
  private final Map<Key, RateLimitZone> rates = new ConcurrentHashMap<>();
  private final Map<Key, ConnectionLimitZone> connections = new ConcurrentHashMap<>();

  /** Zones whose refusals are 503 ({@link LimitStatuses#DEFAULTS}). */
  public RateLimitZones() {
    this(LimitStatuses.DEFAULTS);
  }

  /** @param statuses the answers of refused requests ({@code --limit-req-status-code}, {@code --limit-conn-status-code}) */
  public RateLimitZones(LimitStatuses statuses) {
    this.statuses = statuses;
  }

  /** The rate zone of a route with this source and limit: the one in use when there is one. */
  RateLimitZone zone(String source, LocalRateLimit limit) {
    return rates.computeIfAbsent(new Key(source, limit), key -> new RateLimitZone(limit, statuses.request()));
  }

  /** The connection zone of a route with this source and limit: the one in use when there is one. */
  ConnectionLimitZone connections(String source, ConnectionLimit limit) {
    return connections.computeIfAbsent(new Key(source, limit),
        key -> new ConnectionLimitZone(limit, statuses.connection()));
  }

  /** Drops every zone that no route of {@code table} has (its default routes included). */
  public void retainOnly(RoutingTable table) {
    Set<Key> used = new HashSet<>();
    for (Listener listener : table.listeners()) {
      if (listener.defaultRoute() != null) {
        addUsed(listener.defaultRoute(), used);
      }
      for (VirtualHost vhost : listener.virtualHosts()) {
        for (Route route : vhost.routes()) {
          addUsed(route, used);
        }
      }
    }
    rates.keySet().retainAll(used);
    connections.keySet().retainAll(used);
  }

  private static void addUsed(Route route, Set<Key> used) {
    for (Class<? extends RouteFilter> kind : java.util.List.of(LocalRateLimit.class, ConnectionLimit.class)) {
      RouteFilter limit = route.filter(kind);
      if (limit != null) {
        used.add(new Key(route.source(), limit));
      }
    }
  }

  /** Zones in use now, of both kinds. */
  public int size() {
    return rates.size() + connections.size();
  }

  /**
   * Client addresses the connection zones in use count now: zero once every request of a limited
   * route ended, however it ended.
   */
  public int connectionEntries() {
    return connections.values().stream().mapToInt(ConnectionLimitZone::clientsCounted).sum();
  }
}
