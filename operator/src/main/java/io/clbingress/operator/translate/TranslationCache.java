package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.VirtualHost;
import io.clbingress.dataplane.util.Capacity;
import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.EndpointSliceInfo;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ListenerInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.SecretInfo;
import io.clbingress.operator.state.ServiceInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What one translation computed, for the next one to take over where its inputs are the very same
 * objects (sources keep the records of unchanged objects from one state to the next): each
 * Ingress's routes, clusters and problems on each listener while the Ingress, its settings and the
 * Services and EndpointSlices it names are unchanged, each host's merged routes while the
 * contributions claiming paths on it are the same objects in the same order, and each virtual host
 * while its routes are. A translation with a cache gives a table equal to one without; it only does
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
  private Map<String, Map<String, HttpRouteBuilder.HostRoutes>> hostRoutes = Map.of();
  private Map<String, Map<String, HttpRouteBuilder.HostRoutes>> nextHostRoutes = new HashMap<>();
  /** Sorted lists of names (a listener's hosts, the table's clusters) as the last translation had them, by what they name. */
  private Map<String, Order> orders = Map.of();
  private Map<String, Order> nextOrders = new HashMap<>();
  /** The last translation's inputs of {@link #sorted} and the order it put each in, by what they are. */
  private Map<String, Sorting> sortings = Map.of();
  private Map<String, Sorting> nextSortings = new HashMap<>();
  /** Between begin and end. */
  private boolean translating;

  /** Names in order, and the same names as a set (kept up to date with the list from one translation to the next). */
  private record Order(List<String> sorted, Set<String> names) {
  }

  /** A list as {@link #sorted} had it, and for each place of the sorted list the index of its item in that list. */
  private record Sorting(List<?> input, int[] order) {
  }
  private Map<String, Map<ObjectRef, HttpRouteBuilder.Contribution>> nextContributions = new HashMap<>();
  private Map<String, Map<String, VirtualHost>> nextVirtualHosts = new HashMap<>();
  private EndpointResolver resolver;
  private List<ListenerInfo> listeners = List.of();
  /** Whether this translation's CLBListeners are the very objects of the last one. */
  private boolean sameListeners;
  private Map<IngressInfo, Reading> readings = new IdentityHashMap<>();
  private Map<IngressOptions, RouteSource> sources = new IdentityHashMap<>();
  private Map<IngressOptions, RouteSource> nextSources = new IdentityHashMap<>();
  private Map<IngressInfo, Reading> nextReadings = new IdentityHashMap<>();

  /**
   * What an Ingress's annotations say: its options (or problems), and the annotations not honoured.
   *
   * @param authSecret the Secret its auth-secret names ({@link BasicAuthOptions#secretRef}), or null
   * @param secret that Secret as it was read, or null (none named, or not found)
   */
  record Reading(IngressOptions.Parsed parsed, Optional<Problem> unsupported, ObjectRef authSecret, SecretInfo secret) {
  }

  void begin(Settings current, ClusterState state) {
    if (translating) {
      orders = Map.of(); // the last translation broke off after changing a set of names in place
    }
    translating = true;
    if (!current.equals(settings)) {
      contributions = Map.of();
      virtualHosts = Map.of();
      hostRoutes = Map.of();
      readings = new IdentityHashMap<>();
      sources = new IdentityHashMap<>();
      resolver = null;
    }
    sameListeners = sameObjects(listeners, state.listeners());
    listeners = state.listeners();
    nextReadings = new IdentityHashMap<>(readings.size() + 16);
    nextSources = new IdentityHashMap<>(sources.size() + 16);
    settings = current;
    sameBackends = sameObjects(services, state.services()) && sameObjects(slices, state.endpointSlices());
    services = state.services();
    slices = state.endpointSlices();
    nextContributions = new HashMap<>();
    nextVirtualHosts = new HashMap<>();
    nextHostRoutes = new HashMap<>();
    nextOrders = new HashMap<>();
    nextSortings = new HashMap<>();
  }

  void end() {
    translating = false;
    readings = nextReadings;
    nextReadings = new IdentityHashMap<>();
    sources = nextSources;
    nextSources = new IdentityHashMap<>();
    contributions = nextContributions;
    virtualHosts = nextVirtualHosts;
    hostRoutes = nextHostRoutes;
    orders = nextOrders;
    sortings = nextSortings;
    nextContributions = new HashMap<>();
    nextVirtualHosts = new HashMap<>();
    nextHostRoutes = new HashMap<>();
  }

  /**
   * The last translation's reading of this very Ingress object while the CLBListeners (which
   * its listener annotation is checked against) and the Secret its auth-secret names are the same
   * objects, else {@code read}'s; kept for the next translation.
   *
   * @param secrets this translation's Secrets, by reference
   */
  Reading reading(IngressInfo ingress, Map<ObjectRef, SecretInfo> secrets, Function<IngressInfo, Reading> read) {
    Reading reading = sameListeners ? readings.get(ingress) : null;
    if (reading != null && reading.authSecret() != null && reading.secret() != secrets.get(reading.authSecret())) {
      reading = null;
    }
    if (reading == null) {
      reading = read.apply(ingress);
    }
    nextReadings.put(ingress, reading);
    return reading;
  }

  /**
   * The route source of an Ingress on the default listeners: the last translation's while the
   * options are the very object it was made from (a reading taken over, so the same Ingress object
   * under the same settings), else {@code make}'s; kept for the next translation. What it is made
   * of besides (the default timeouts, the hosts redirected to HTTPS) follows from those two.
   */
  RouteSource defaultListenerSource(IngressInfo ingress, IngressOptions options, Supplier<RouteSource> make) {
    RouteSource source = sources.get(options);
    if (source == null || !sameOwner(source, ingress)) {
      source = make.get();
    }
    nextSources.put(options, source);
    return source;
  }

  /** Whether a route source was made for this Ingress (its name and creation): the very objects, as a rule. */
  private static boolean sameOwner(RouteSource source, IngressInfo ingress) {
    return Objects.equals(source.owner(), ingress.ref()) && Objects.equals(source.created(), ingress.created());
  }

  /** The last translation's resolver while no Service or EndpointSlice changed, else {@code make}'s. */
  EndpointResolver resolver(Supplier<EndpointResolver> make) {
    if (resolver == null || !sameBackends) {
      resolver = make.get();
    }
    return resolver;
  }

  /** Whether no Service or EndpointSlice changed since the last translation (then no backend resolves otherwise). */
  boolean sameBackends() {
    return sameBackends;
  }

  /** The last translation's contributions of objects to a listener, by object (read only; empty for none). */
  Map<ObjectRef, HttpRouteBuilder.Contribution> contributions(String listener) {
    return lastOf(contributions, listener);
  }

  /** Where a listener's contributions are kept for the next translation, by object. */
  Map<ObjectRef, HttpRouteBuilder.Contribution> keptContributions(String listener) {
    return nextOf(nextContributions, contributions, listener);
  }

  /** The last translation's routes of each host on a listener (read only; empty for none). */
  Map<String, HttpRouteBuilder.HostRoutes> hostRoutes(String listener) {
    return lastOf(hostRoutes, listener);
  }

  /** Where the routes of each host on a listener are kept for the next translation, by host. */
  Map<String, HttpRouteBuilder.HostRoutes> keptHostRoutes(String listener) {
    return nextOf(nextHostRoutes, hostRoutes, listener);
  }

  private static <K, V> Map<K, V> lastOf(Map<String, Map<K, V>> last, String listener) {
    return last.getOrDefault(listener, Map.of());
  }

  /** The next translation's map for a listener, sized as the last translation's was. */
  private static <K, V> Map<K, V> nextOf(Map<String, Map<K, V>> next, Map<String, Map<K, V>> last, String listener) {
    return next.computeIfAbsent(listener, l -> new HashMap<>(capacity(last.get(l))));
  }

  /**
   * The keys of {@code now} in their natural order, worked out from the order the last translation
   * had under the same {@code what} (kept for the next): the names still there in that order,
   * merged with the new ones sorted. A change of a few names among thousands sorts those few, not
   * all of them (each sort compared thousands of names, with each change). Once per {@code what}
   * per translation: it updates the last translation's set of names in place, so a second call
   * under the same {@code what} would start from this one's names and drop the new ones.
   */
  List<String> sortedKeys(String what, Map<String, ?> now) {
    Order last = orders.getOrDefault(what, new Order(List.of(), new HashSet<>()));
    List<String> kept = new ArrayList<>(now.size());
    List<String> gone = new ArrayList<>();
    for (String name : last.sorted()) {
      (now.containsKey(name) ? kept : gone).add(name);
    }
    List<String> sorted = kept;
    Set<String> names = last.names(); // the last translation's set, updated in place: it is not read again
    gone.forEach(names::remove);
    if (kept.size() < now.size()) {
      List<String> fresh = new ArrayList<>(now.size() - kept.size());
      for (String name : now.keySet()) {
        if (!names.contains(name)) {
          fresh.add(name);
        }
      }
      fresh.sort(null);
      names.addAll(fresh);
      sorted = new ArrayList<>(now.size());
      int i = 0;
      int j = 0;
      while (i < kept.size() || j < fresh.size()) {
        boolean takeKept = j == fresh.size() || (i < kept.size() && kept.get(i).compareTo(fresh.get(j)) < 0);
        sorted.add(takeKept ? kept.get(i++) : fresh.get(j++));
      }
    }
    nextOrders.put(what, new Order(sorted, names));
    return sorted;
  }

  /**
   * {@code items} sorted by {@code order}, stably (as {@link List#sort}): put in the order the last
   * translation gave its items under the same {@code what} when each item compares equal to the one
   * in the same place of that translation's list, else sorted anew. A change that replaces Ingresses
   * keeps each one's creation and name, so its place: thousands are not sorted again with each
   * change (the sort compared each with a dozen others). The same permutation is what a sort would
   * give, since a stable sort's result depends only on how the items compare. Once per {@code what}
   * per translation.
   *
   * @return a new list
   */
  <T> List<T> sorted(String what, List<T> items, Comparator<? super T> order) {
    Sorting last = sortings.get(what);
    int[] permutation = last != null && comparesAlike(uncheckedCast(last.input()), items, order) ? last.order() : null;
    if (permutation == null) {
      Integer[] places = new Integer[items.size()];
      Arrays.setAll(places, i -> i);
      Arrays.sort(places, (i, j) -> order.compare(items.get(i), items.get(j))); // stable
      permutation = Arrays.stream(places).mapToInt(Integer::intValue).toArray();
    }
    nextSortings.put(what, new Sorting(items, permutation));
    List<T> sorted = new ArrayList<>(items.size());
    for (int place : permutation) {
      sorted.add(items.get(place));
    }
    return sorted;
  }

  /** Whether each item of {@code now} compares equal to the one in the same place of {@code last}. */
  private static <T> boolean comparesAlike(List<T> last, List<T> now, Comparator<? super T> order) {
    if (last.size() != now.size()) {
      return false;
    }
    for (int i = 0; i < now.size(); i++) {
      if (last.get(i) != now.get(i) && order.compare(last.get(i), now.get(i)) != 0) {
        return false;
      }
    }
    return true;
  }

  @SuppressWarnings("unchecked")
  private static <T> List<T> uncheckedCast(List<?> list) {
    return (List<T>) list;
  }

  /** The last translation's virtual host if it had these very routes, else a new one; kept for the next. */
  VirtualHost virtualHost(String listener, String host, List<Route> routes) {
    Map<String, VirtualHost> before = virtualHosts.get(listener);
    VirtualHost vhost = before == null ? null : before.get(host);
    if (vhost == null || !sameObjects(vhost.routes(), routes)) {
      vhost = new VirtualHost(host, routes);
    }
    nextVirtualHosts.computeIfAbsent(listener, l -> new HashMap<>(capacity(virtualHosts.get(l)))).put(host, vhost);
    return vhost;
  }

  /** A HashMap capacity for as many entries as the last translation had (tens of thousands: no resizing). */
  private static int capacity(Map<?, ?> last) {
    return last == null ? 16 : Capacity.forEntries(last.size());
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
