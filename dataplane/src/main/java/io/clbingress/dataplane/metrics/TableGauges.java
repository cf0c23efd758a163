package io.clbingress.dataplane.metrics;

import io.clbingress.dataplane.table.Canary;
import io.clbingress.dataplane.table.Certificate;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.VirtualHost;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Gauges read from the routing table in force, their series replaced with each table (so that
 * deleted objects leave): the expiry time of each certificate ({@code
 * clb_certificate_expiry_timestamp_seconds{certificate="ns/secret"}}, the {@code notAfter} of its
 * first certificate, RFC 5280 §4.1.2.5) and, per route, the endpoints of the clusters its routes
 * use (canary clusters included) and how many of them may take requests now ({@code
 * clb_endpoints{route}}, {@code clb_endpoints_healthy{route}}: active health checks and passive
 * ejection, read at each scrape). A route's two gauges are registered once, when it appears, and
 * read its endpoints in the table now in force; a new table only registers and removes the gauges
 * of routes that came and went (re-registering both series of every route with every table, or
 * handing a MultiGauge every route again, cost 50 ms and more per change with 10,000 Ingresses).
 * Which endpoints each route uses is worked out from a table when it is first scraped, not when it
 * comes into force: a table replaced before the next scrape costs no such walk (20 ms with 10,000
 * Ingresses, on the thread that applies tables).
 */
final class TableGauges {

  private final MeterRegistry registry;
  private final MultiGauge expiry;
  /** Each route's two gauges, by route source. */
  private Map<String, RouteEndpoints> routes = new HashMap<>();
  /** The endpoints of each route in the table in force, worked out at its first scrape. */
  private volatile InForce inForce = new InForce(RoutingTable.unpublished(List.of(), List.of()), endpoint -> true);

  TableGauges(MeterRegistry registry) {
    this.registry = registry;
    expiry = MultiGauge.builder("clb_certificate_expiry_timestamp_seconds")
        .description("When each certificate of the routing table expires (its notAfter), in Unix seconds")
        .register(registry);
  }

  /** The table now in force; {@code available} tells whether an endpoint may take requests now. */
  void follow(RoutingTable table, Predicate<Endpoint> available) {
    List<MultiGauge.Row<?>> expiries = new ArrayList<>();
    for (Certificate certificate : table.certificates()) {
      Instant notAfter = notAfter(certificate);
      if (notAfter != null) {
        expiries.add(MultiGauge.Row.of(Tags.of("certificate", certificate.name()), notAfter.getEpochSecond()));
      }
    }
    expiry.register(expiries, true);
    inForce = new InForce(table, available);
    Map<String, RouteEndpoints> next = new HashMap<>(routes.size() * 4 / 3 + 16);
    forEachRoute(table, (route, cluster) -> {
      if (!next.containsKey(route.source())) {
        RouteEndpoints kept = routes.remove(route.source());
        next.put(route.source(), kept != null ? kept : new RouteEndpoints(registry, route.source()));
      }
    });
    routes.values().forEach(gone -> gone.remove(registry));
    routes = next;
  }

  /** A table in force and, once asked for, the endpoints of each of its routes. */
  private static final class InForce {
    private final RoutingTable table;
    private final Predicate<Endpoint> available;
    private Map<String, List<Endpoint>> byRoute;

    InForce(RoutingTable table, Predicate<Endpoint> available) {
      this.table = table;
      this.available = available;
    }

    synchronized List<Endpoint> endpoints(String route) {
      if (byRoute == null) {
        byRoute = endpointsByRoute(table);
      }
      return byRoute.getOrDefault(route, List.of());
    }
  }

  /** A route's two gauges, read at each scrape from the table in force. */
  private final class RouteEndpoints {
    private final String route;
    private final Gauge total;
    private final Gauge healthy;

    RouteEndpoints(MeterRegistry registry, String route) {
      this.route = route;
      total = Gauge.builder("clb_endpoints", this, RouteEndpoints::total).strongReference(true)
          .description("Endpoints of the clusters a route uses, by route").tag("route", route).register(registry);
      healthy = Gauge.builder("clb_endpoints_healthy", this, RouteEndpoints::healthy).strongReference(true)
          .description("Endpoints of the clusters a route uses that may take requests now, by route")
          .tag("route", route).register(registry);
    }

    double total() {
      return inForce.endpoints(route).size();
    }

    double healthy() {
      InForce now = inForce;
      return now.endpoints(route).stream().filter(now.available).count();
    }

    void remove(MeterRegistry registry) {
      registry.remove(total);
      registry.remove(healthy);
    }
  }

  /** Each route of every listener (default routes too) with each cluster name it sends requests to (a canary's too). */
  private static void forEachRoute(RoutingTable table, BiConsumer<Route, String> action) {
    for (Listener listener : table.listeners()) {
      for (VirtualHost vhost : listener.virtualHosts()) {
        for (Route route : vhost.routes()) {
          clustersOf(route, action);
        }
      }
      if (listener.defaultRoute() != null) {
        clustersOf(listener.defaultRoute(), action);
      }
    }
  }

  private static void clustersOf(Route route, BiConsumer<Route, String> action) {
    if (route.cluster() != null) {
      action.accept(route, route.cluster());
    }
    Canary canary = route.filter(Canary.class);
    if (canary != null) {
      action.accept(route, canary.cluster());
    }
  }

  /** The endpoints of every cluster each route source uses, without repeats. */
  static Map<String, List<Endpoint>> endpointsByRoute(RoutingTable table) {
    Map<String, Cluster> clusters = new HashMap<>();
    table.clusters().forEach(cluster -> clusters.put(cluster.name(), cluster));
    Map<String, Set<Endpoint>> bySource = new HashMap<>();
    forEachRoute(table, (route, name) -> {
      Cluster cluster = clusters.get(name);
      if (cluster != null) {
        bySource.computeIfAbsent(route.source(), k -> new LinkedHashSet<>()).addAll(cluster.endpoints());
      }
    });
    Map<String, List<Endpoint>> result = new HashMap<>();
    bySource.forEach((source, set) -> result.put(source, List.copyOf(set)));
    return result;
  }

  /** The table's notAfter (ISO-8601, as the operator writes it), else that of the PEM's first certificate. */
  static Instant notAfter(Certificate certificate) {
    if (certificate.notAfter() != null) {
      try {
        return Instant.parse(certificate.notAfter());
      } catch (DateTimeParseException e) {
        // read from the PEM below
      }
    }
    try {
      X509Certificate x509 = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
          new ByteArrayInputStream(certificate.certificatePem().getBytes(StandardCharsets.US_ASCII)));
      return x509.getNotAfter().toInstant();
    } catch (CertificateException | RuntimeException e) {
      return null;
    }
  }
}
