package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.VirtualHost;
import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.EndpointSliceInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.ServiceInfo;
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
  private List<ServiceInfo> services = List.of();
  private List<EndpointSliceInfo> slices = List.of();
  /** Whether this translation's Services and EndpointSlices are the very objects of the last one. */
  private boolean sameBackends;
  private Map<String, Map<ObjectRef, HttpRouteBuilder.Contribution>> contributions = Map.of();
  private Map<String, Map<String, VirtualHost>> virtualHosts = Map.of();
  private Map<String, Map<ObjectRef, HttpRouteBuilder.Contribution>> nextContributions = new HashMap<>();
  private Map<String, Map<String, VirtualHost>> nextVirtualHosts = new HashMap<>();

  void begin(Settings current, ClusterState state) {
    if (!current.equals(settings)) {
      contributions = Map.of();
      virtualHosts = Map.of();
    }
    settings = current;
    sameBackends = sameObjects(services, state.services()) && sameObjects(slices, state.endpointSlices());
    services = state.services();
    slices = state.endpointSlices();
    nextContributions = new HashMap<>();
    nextVirtualHosts = new HashMap<>();
  }

  void end() {
    contributions = nextContributions;
    virtualHosts = nextVirtualHosts;
    nextContributions = new HashMap<>();
    nextVirtualHosts = new HashMap<>();
  }

  /** Whether no Service or EndpointSlice changed since the last translation (then no backend resolves otherwise). */
  boolean sameBackends() {
    return sameBackends;
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
