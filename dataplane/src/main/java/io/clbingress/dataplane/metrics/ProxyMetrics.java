package io.clbingress.dataplane.metrics;

import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.RoutingTable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The data plane's Prometheus metrics (SPEC §4; the list is in README, "Admin port"). Per route —
 * the object a route came from ({@code Ingress ns/name}, {@code CLBListener ns/name}), which keeps
 * the series count to the number of objects rather than paths ({@link RouteMeters}): requests by
 * status class, their duration as a histogram, upstream errors by kind, upstream connect time,
 * bytes in and out, tunnel lifetimes. Per listener ({@link ListenerMeters}): connections
 * accepted, closed and open, failed TLS handshakes by reason. From the table in force
 * ({@link TableGauges}): certificate expiry, endpoints and healthy endpoints per route. And gauges
 * for open tunnels, the table version, rejected tables, readiness and panic picks; the JVM's and
 * the process's own (file descriptors, CPU, memory, GC, threads, uptime).
 *
 * <p>Meters of a route or listener are made once and kept in a map, so a request costs one lookup
 * and a few adder updates, and no client address or path ever becomes a label.
 *
 * <p>{@link #close()} releases what the JVM holds of it: the GC metrics listen to the JVM's
 * collectors (a notification listener on each {@code GarbageCollectorMXBean}, Micrometer's
 * {@code JvmGcMetrics}), and until removed that listener keeps the registry, its gauges and what
 * they read (the data plane, its Vert.x and event loops) reachable for the life of the JVM.
 */
public final class ProxyMetrics implements AutoCloseable {

  /** The route label of requests that matched no route (404). */
  public static final String NO_ROUTE = "none";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ListenerMeters> listeners = new ConcurrentHashMap<>();
  private final TableGauges table = new TableGauges(registry);
  private final Counter tablesRejected;
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private final Counter untrustedProxyHeaders = Counter.builder("clb_proxy_headers_untrusted")
      .description("PROXY protocol headers not believed: sent by a peer outside --trusted-proxies (the socket's"
          + " address is the client)")
      .register(registry);

  /**
   * @param openTunnels WebSocket and TCP tunnels open now
   * @param tableVersion the routing table version in force
   * @param panicPicks picks made while every endpoint of a cluster was unhealthy
   * @param ready whether the data plane answers /readyz with 200
   */
  public ProxyMetrics(Supplier<Number> openTunnels, Supplier<Number> tableVersion, Supplier<Number> panicPicks,
      BooleanSupplier ready) {
    Gauge.builder("clb_tunnels_open", openTunnels).description("Open WebSocket and TCP tunnels").register(registry);
    Gauge.builder("clb_routing_table_version", tableVersion).description("Version of the routing table in force")
        .register(registry);
    Gauge.builder("clb_panic_picks", panicPicks)
        .description("Endpoint picks made while every endpoint of the cluster was unhealthy").register(registry);
    Gauge.builder("clb_ready", () -> ready.getAsBoolean() ? 1 : 0)
        .description("1 while the data plane is ready (/readyz answers 200), else 0").register(registry);
    tablesRejected = Counter.builder("clb_routing_table_rejected")
        .description("Routing tables the data plane refused (invalid content); the last good one stays in force")
        .register(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
  }

  /**
   * Stops the GC metrics' listening to the JVM's collectors (the GC pause and allocation meters stop
   * moving; every other meter, and scraping, work on). Called when the data plane closes.
   */
  @Override
  public void close() {
    gcMetrics.close();
  }

  /** A PROXY protocol header came from a peer outside {@code --trusted-proxies}: its addresses were not believed. */
  public void untrustedProxyHeader() {
    untrustedProxyHeaders.increment();
  }

  /** The meters of the route whose source is {@code route} ({@link #NO_ROUTE} for none). */
  public RouteMeters route(String route) {
    RouteMeters meters = routes.get(route);
    return meters != null ? meters : routes.computeIfAbsent(route, r -> new RouteMeters(registry, r));
  }

  /** The meters of the listener named {@code listener}, made at its first use. */
  public ListenerMeters listener(String listener) {
    ListenerMeters meters = listeners.get(listener);
    return meters != null ? meters : listeners.computeIfAbsent(listener, l -> new ListenerMeters(registry, l));
  }

  /** An answer was sent: its status, how long the exchange took and the body bytes each way. */
  public void answered(String route, int status, long nanos, long bodyIn, long bodyOut) {
    route(route).answered(status, nanos, bodyIn, bodyOut);
  }

  /** A backend failed a route: {@code connect}, {@code timeout} or {@code reset}. */
  public void upstreamError(String route, String kind) {
    route(route).upstreamError(kind);
  }

  /** A routing table was refused. */
  public void tableRejected() {
    tablesRejected.increment();
  }

  /**
   * The table now in force: drops the meters of routes whose object left it, so that deleted
   * Ingresses and CLBListeners do not stay as series forever, and follows its certificates and
   * endpoints ({@link TableGauges}).
   *
   * @param available whether an endpoint may take requests now
   */
  public void follow(RoutingTable current, Set<String> sources, Predicate<Endpoint> available) {
    routes.keySet().removeIf(route -> {
      if (sources.contains(route) || route.equals(NO_ROUTE)) {
        return false;
      }
      routes.get(route).meters().forEach(registry::remove);
      return true;
    });
    table.follow(current, available);
  }

  /** The registry, for meters of other parts of the process (the standalone mode's configuration problems). */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * A counter kept by someone else (the tracing's dropped spans, the access log's dropped lines),
   * read from {@code owner} at each scrape. The registry holds {@code owner} weakly: it must live as
   * long as the data plane (a lambda or method reference made for the call would be collected, and
   * the counter would read 0).
   *
   * @param name its name without {@code _total}
   */
  public <T> void countedElsewhere(String name, String description, T owner,
      java.util.function.ToDoubleFunction<T> count) {
    FunctionCounter.builder(name, owner, count).description(description).register(registry);
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }
}
