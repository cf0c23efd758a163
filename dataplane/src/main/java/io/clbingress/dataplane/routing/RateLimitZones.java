package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.LocalRateLimit;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.VirtualHost;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rate-limit counts of a data plane, kept from routing table to routing table: one
 * {@link RateLimitZone} per source (an Ingress) and limit, so that a change elsewhere, or of the
 * Ingress's endpoints, keeps its clients' counts. {@link #retainOnly} drops the zones no route of
 * the table in force uses any more: there are never more zones than limited sources.
 */
public final class RateLimitZones {

  private record Key(String source, LocalRateLimit limit) {
  }

  private final Map<Key, RateLimitZone> zones = new ConcurrentHashMap<>();

  /** The zone of a route with this source and limit: the one in use when there is one. */
  RateLimitZone zone(String source, LocalRateLimit limit) {
    return zones.computeIfAbsent(new Key(source, limit), key -> new RateLimitZone(limit));
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
    zones.keySet().retainAll(used);
  }

  private static void addUsed(Route route, Set<Key> used) {
    LocalRateLimit limit = route.filter(LocalRateLimit.class);
    if (limit != null) {
      used.add(new Key(route.source(), limit));
    }
  }

  /** Zones in use now. */
  public int size() {
    return zones.size();
  }
}
