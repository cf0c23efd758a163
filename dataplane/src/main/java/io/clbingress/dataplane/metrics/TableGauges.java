package io.clbingress.dataplane.metrics;

import io.clbingress.dataplane.table.Canary;
import io.clbingress.dataplane.table.Certificate;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
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
 */
final class TableGauges {

  private final MeterRegistry registry;
  private final MultiGauge expiry;
  /** Each route's endpoints in the table in force, and its two gauges, by route source. */
  private Map<String, RouteEndpoints> routes = new HashMap<>();
  /** Whether an endpoint may take requests now, as the table in force was given it (one for every route). */
  private volatile Predicate<Endpoint> available = endpoint -> true;

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
    Map<String, RouteEndpoints> next = new HashMap<>();
    endpointsByRoute(table).forEach((route, list) -> {
      RouteEndpoints now = routes.remove(route);
      if (now == null) {
        now = new RouteEndpoints(registry, route);
      }
      now.endpoints = list;
      next.put(route, now);
    });
    this.available = available;
    routes.values().forEach(gone -> gone.remove(registry));
    routes = next;
  }

  /** A route's two gauges, and what they read at each scrape: its endpoints in the table in force. */
  private final class RouteEndpoints {
    private volatile List<Endpoint> endpoints = List.of();
    private final Gauge total;
    private final Gauge healthy;

    RouteEndpoints(MeterRegistry registry, String route) {
      total = Gauge.builder("clb_endpoints", this, RouteEndpoints::total).strongReference(true)
          .description("Endpoints of the clusters a route uses, by route").tag("route", route).register(registry);
      healthy = Gauge.builder("clb_endpoints_healthy", this, RouteEndpoints::healthy).strongReference(true)
          .description("Endpoints of the clusters a route uses that may take requests now, by route")
          .tag("route", route).register(registry);
    }

    double total() {
      return endpoints.size();
    }

    double healthy() {
      return endpoints.stream().filter(available).count();
    }

    void remove(MeterRegistry registry) {
      registry.remove(total);
      registry.remove(healthy);
    }
  }

  /** The endpoints of every cluster each route source uses, without repeats. */
  static Map<String, List<Endpoint>> endpointsByRoute(RoutingTable table) {
    Map<String, Cluster> clusters = new HashMap<>();
    table.clusters().forEach(cluster -> clusters.put(cluster.name(), cluster));
    Map<String, Set<Endpoint>> bySource = new HashMap<>();
    for (Listener listener : table.listeners()) {
      List<Route> routes = new ArrayList<>();
      listener.virtualHosts().forEach(vhost -> routes.addAll(vhost.routes()));
      if (listener.defaultRoute() != null) {
        routes.add(listener.defaultRoute());
      }
      for (Route route : routes) {
        Canary canary = route.filter(Canary.class);
        for (String name : canary == null ? new String[] {route.cluster()} : new String[] {route.cluster(), canary.cluster()}) {
          Cluster cluster = name == null ? null : clusters.get(name);
          if (cluster != null) {
            bySource.computeIfAbsent(route.source(), k -> new LinkedHashSet<>()).addAll(cluster.endpoints());
          }
        }
      }
    }
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
