package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.VirtualHost;
import io.clbingress.operator.state.ObjectRef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one translation computed, for the next one to take over where its inputs are the very same
 * objects (sources keep the records of unchanged objects from one state to the next): each
 * Ingress's routes, clusters and problems on each listener while the Ingress, its settings and the
 * Services and EndpointSlices it names are unchanged, and each virtual host while its routes are
 * the same objects. A translation with a cache gives a table equal to one without; it only does
 * less work, and unchanged parts of the table are the same objects as before, which lets the hash
 * and the data plane's compilation skip them too. Keeps what the last translation used, nothing
 * older. Not thread-safe: one translation at a time.
 */
public final class TranslationCache {

  private Settings settings;
  private Map<String, Map<ObjectRef, HttpRouteBuilder.Contribution>> contributions = Map.of();
  private Map<String, Map<String, VirtualHost>> virtualHosts = Map.of();
  private Map<String, Map<ObjectRef, HttpRouteBuilder.Contribution>> nextContributions = new HashMap<>();
  private Map<String, Map<String, VirtualHost>> nextVirtualHosts = new HashMap<>();

  void begin(Settings current) {
    if (!current.equals(settings)) {
      contributions = Map.of();
      virtualHosts = Map.of();
    }
    settings = current;
    nextContributions = new HashMap<>();
    nextVirtualHosts = new HashMap<>();
  }

  void end() {
    contributions = nextContributions;
    virtualHosts = nextVirtualHosts;
    nextContributions = new HashMap<>();
    nextVirtualHosts = new HashMap<>();
  }

  /** The last translation's contribution of an object to a listener, or null. */
  HttpRouteBuilder.Contribution contribution(String listener, ObjectRef owner) {
    Map<ObjectRef, HttpRouteBuilder.Contribution> byOwner = contributions.get(listener);
    return byOwner == null ? null : byOwner.get(owner);
  }

  void keep(String listener, HttpRouteBuilder.Contribution contribution) {
    nextContributions.computeIfAbsent(listener, l -> new HashMap<>()).put(contribution.ingress().ref(), contribution);
  }

  /** The last translation's virtual host if it had these very routes, else a new one; kept for the next. */
  VirtualHost virtualHost(String listener, String host, List<Route> routes) {
    Map<String, VirtualHost> before = virtualHosts.get(listener);
    VirtualHost vhost = before == null ? null : before.get(host);
    if (vhost == null || !sameObjects(vhost.routes(), routes)) {
      vhost = new VirtualHost(host, routes);
    }
    nextVirtualHosts.computeIfAbsent(listener, l -> new HashMap<>()).put(host, vhost);
    return vhost;
  }

  static <T> boolean sameObjects(List<T> a, List<T> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }
}
