package io.clbingress.dataplane.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.Timeouts;
import io.clbingress.dataplane.table.VirtualHost;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The per-route endpoint gauges follow each table in force: a route's series keep their meters
 * from one table to the next and read its endpoints now; the series of a route that left go.
 */
class TableGaugesTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final TableGauges gauges = new TableGauges(registry);

  @Test
  void aRouteKeepsItsGaugesAndReadsTheEndpointsOfTheTableInForce() {
    // Given
    gauges.follow(table(Map.of("a", 1, "b", 2)), endpoint -> true);
    Gauge before = gauge("clb_endpoints", "a");
    // When a changes, b leaves, c comes
    gauges.follow(table(Map.of("a", 3, "c", 1)), endpoint -> endpoint.port() != 9001);
    // Then
    assertThat(gauge("clb_endpoints", "a")).isSameAs(before);
    assertThat(gauge("clb_endpoints", "a").value()).isEqualTo(3);
    assertThat(gauge("clb_endpoints_healthy", "a").value()).isEqualTo(2);
    assertThat(gauge("clb_endpoints", "c").value()).isEqualTo(1);
    assertThat(registry.find("clb_endpoints").tag("route", "Ingress default/b").gauge()).isNull();
    assertThat(registry.find("clb_endpoints_healthy").tag("route", "Ingress default/b").gauge()).isNull();
  }

  private Gauge gauge(String name, String route) {
    return registry.get(name).tag("route", "Ingress default/" + route).gauge();
  }

  /** One host per route, its cluster with the given number of endpoints (ports 9000, 9001, ...). */
  private static RoutingTable table(Map<String, Integer> endpointsByRoute) {
    List<VirtualHost> hosts = new ArrayList<>();
    List<Cluster> clusters = new ArrayList<>();
    endpointsByRoute.keySet().stream().sorted().forEach(name -> {
      List<Endpoint> endpoints = new ArrayList<>();
      for (int i = 0; i < endpointsByRoute.get(name); i++) {
        endpoints.add(new Endpoint("127.0.0.1", 9000 + i));
      }
      clusters.add(new Cluster("default/" + name + ":80", BackendProtocol.HTTP, Scheduler.WRR, endpoints));
      hosts.add(new VirtualHost(name + ".example.com", List.of(new Route(PathMatch.Prefix.of("/"),
          "default/" + name + ":80", Timeouts.ofSeconds(60, 60, 5), "Ingress default/" + name))));
    });
    return RoutingTable.unpublished(List.of(new Listener("default-http", Protocol.HTTP, Listener.PORT_FROM_FLAGS,
        hosts, null)), clusters);
  }
}
