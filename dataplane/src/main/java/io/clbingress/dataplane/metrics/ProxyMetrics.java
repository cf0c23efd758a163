package io.clbingress.dataplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The data plane's Prometheus metrics (SPEC §4), labelled by route — the object a route came from
 * ({@code Ingress ns/name}, {@code CLBListener ns/name}), which keeps the series count to the
 * number of objects rather than paths: requests by status class, their latency, upstream errors
 * by kind; and gauges for open WebSocket/TCP tunnels, the routing table version and panic picks.
 * Meters of a route are made once and kept in a map, so a request costs a lookup and two updates.
 */
public final class ProxyMetrics {

  /** The route label of requests that matched no route (404). */
  public static final String NO_ROUTE = "none";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();

  /** The meters of one route: a counter per status class, a latency timer, upstream errors. */
  private final class RouteMeters {
    final Counter[] byClass = new Counter[6];
    final Timer latency;
    final ConcurrentHashMap<String, Counter> errors = new ConcurrentHashMap<>();
    final String route;

    RouteMeters(String route) {
      this.route = route;
      for (int i = 1; i <= 5; i++) {
        byClass[i] = Counter.builder("clb_requests").description("Requests answered, by route and status class")
            .tag("route", route).tag("code", i + "xx").register(registry);
      }
      latency = Timer.builder("clb_request_duration").description("Time from request head to the end of the answer")
          .tag("route", route).register(registry);
    }
  }

  /**
   * @param openTunnels WebSocket and TCP tunnels open now
   * @param tableVersion the routing table version in force
   * @param panicPicks picks made while every endpoint of a cluster was unhealthy
   */
  public ProxyMetrics(Supplier<Number> openTunnels, Supplier<Number> tableVersion, Supplier<Number> panicPicks) {
    Gauge.builder("clb_tunnels_open", openTunnels).description("Open WebSocket and TCP tunnels").register(registry);
    Gauge.builder("clb_routing_table_version", tableVersion).description("Version of the routing table in force")
        .register(registry);
    Gauge.builder("clb_panic_picks", panicPicks)
        .description("Endpoint picks made while every endpoint of the cluster was unhealthy").register(registry);
  }

  /** An answer was sent: its status and how long the exchange took. */
  public void answered(String route, int status, long nanos) {
    RouteMeters meters = meters(route);
    int statusClass = status / 100;
    if (statusClass >= 1 && statusClass <= 5) {
      meters.byClass[statusClass].increment();
    }
    meters.latency.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A backend failed a route: {@code connect}, {@code timeout} or {@code reset}. */
  public void upstreamError(String route, String kind) {
    meters(route).errors.computeIfAbsent(kind, k -> Counter.builder("clb_upstream_errors")
        .description("Backend failures by route and kind").tag("route", route).tag("kind", k).register(registry))
        .increment();
  }

  /**
   * Drops the meters of routes whose object left the routing table, so that deleted Ingresses and
   * CLBListeners do not stay as series forever.
   */
  public void retainRoutes(java.util.Set<String> current) {
    routes.keySet().removeIf(route -> {
      if (current.contains(route) || route.equals(NO_ROUTE)) {
        return false;
      }
      RouteMeters meters = routes.get(route);
      for (Counter counter : meters.byClass) {
        if (counter != null) {
          registry.remove(counter);
        }
      }
      registry.remove(meters.latency);
      meters.errors.values().forEach(registry::remove);
      return true;
    });
  }

  /** The Prometheus text exposition of every meter. */
  /**
   * A counter kept by someone else (the tracing's dropped spans), read from {@code owner} at each
   * scrape. The registry holds {@code owner} weakly: it must live as long as the data plane.
   *
   * @param name its name without {@code _total}
   */
  public <T> void countedElsewhere(String name, String description, T owner,
      java.util.function.ToDoubleFunction<T> count) {
    io.micrometer.core.instrument.FunctionCounter.builder(name, owner, count).description(description).register(registry);
  }

  public String scrape() {
    return registry.scrape();
  }

  private RouteMeters meters(String route) {
    RouteMeters meters = routes.get(route);
    return meters != null ? meters : routes.computeIfAbsent(route, RouteMeters::new);
  }
}
