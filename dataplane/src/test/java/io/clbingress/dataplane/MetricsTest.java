package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.Scheduler;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /metrics on the admin port: requests by route and status class, upstream errors, tunnels, version. */
class MetricsTest {

  static DataPlaneHarness harness;
  static TestBackend web;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    web = harness.backend("web");
  }

  @AfterAll
  static void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void countsAnswersErrorsTunnelsAndTheTableVersion() throws Exception {
    int dead = DataPlaneHarness.freePort();
    harness.apply(table(7)
        .cluster(new Cluster("web", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", web.port()))))
        .cluster(new Cluster("dead", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", dead))))
        .route("m.example.com", new Route(PathMatch.Prefix.of("/ok"), "web", Tables.DEFAULT_TIMEOUTS, "Ingress shop/web"))
        .route("m.example.com", new Route(PathMatch.Prefix.of("/dead"), "dead", Tables.DEFAULT_TIMEOUTS, "Ingress shop/dead"))
        .build());
    for (int i = 0; i < 3; i++) {
      assertThat(harness.get("m.example.com", "/ok").status()).isEqualTo(200);
    }
    assertThat(harness.get("m.example.com", "/nowhere").status()).isEqualTo(404);
    assertThat(harness.get("m.example.com", "/dead").status()).isEqualTo(502);
    WebSocket ws = harness.webSocket("m.example.com", "/ok/ws");

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(metrics()).contains(
        "clb_requests_total{code=\"2xx\",route=\"Ingress shop/web\"} 3.0",
        "clb_requests_total{code=\"4xx\",route=\"none\"} 1.0",
        "clb_requests_total{code=\"5xx\",route=\"Ingress shop/dead\"} 1.0",
        "clb_upstream_errors_total{kind=\"connect\",route=\"Ingress shop/dead\"} 1.0",
        "clb_request_duration_seconds_count{route=\"Ingress shop/web\"} 3",
        "clb_tunnels_open 1.0",
        "clb_routing_table_version 7.0"));
    DataPlaneHarness.await(ws.close());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(metrics()).contains("clb_tunnels_open 0.0"));
    // When the route's object leaves the table, Then its series go
    harness.apply(table(8)
        .cluster(new Cluster("web", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", web.port()))))
        .route("m.example.com", new Route(PathMatch.Prefix.of("/ok"), "web", Tables.DEFAULT_TIMEOUTS, "Ingress shop/web"))
        .build());
    assertThat(metrics()).contains("route=\"Ingress shop/web\"", "clb_routing_table_version 8.0")
        .doesNotContain("route=\"Ingress shop/dead\"");
  }

  private static String metrics() throws Exception {
    return DataPlaneHarness.await(harness.onContext(() -> harness.http.request(new RequestOptions()
            .setHost("127.0.0.1").setPort(harness.dataPlane.adminPort()).setURI("/metrics"))
        .compose(r -> r.send()).compose(r -> r.body()).map(Object::toString)));
  }
}
