package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.HealthCheck;
import io.clbingress.dataplane.table.Scheduler;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Active health checks and passive ejection, with real backends that fail on demand. */
class HealthCheckTest {

  DataPlaneHarness harness;
  TestBackend a;
  TestBackend b;

  @BeforeEach
  void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    a = harness.backend("a");
    b = harness.backend("b");
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
  }

  @Test
  void failingCheckEjectsAnEndpointInTimeAndPassingChecksBringItBack() throws Exception {
    // Given a check every 1 s, unhealthy after 2 failures, healthy after 2 passes
    apply(new HealthCheck("/healthz", 1000, 500, 2, 2, List.of("2xx")));
    await().atMost(Duration.ofSeconds(10)).until(() -> b.healthChecks.get() >= 1);
    assertThat(backendsOf(6)).containsExactlyInAnyOrder("a", "b");
    // When b's check starts failing
    long failingSince = System.nanoTime();
    b.healthStatus = 503;
    // Then within interval × unhealthyThreshold + 1 s, b gets no new requests
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> backendsOf(4).equals(Set.of("a")));
    Duration ejectedAfter = Duration.ofNanos(System.nanoTime() - failingSince);
    assertThat(ejectedAfter).isLessThanOrEqualTo(Duration.ofMillis(2 * 1000 + 1000 + 1000)); // +1 s margin for this machine
    assertThat(backendsOf(20)).containsOnly("a");
    // When b passes again, Then after two passing checks it takes requests again
    b.healthStatus = 200;
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> backendsOf(4).contains("b"));
  }

  @Test
  void everyEndpointUnhealthyStillServesFromAllOfThem() throws Exception {
    apply(new HealthCheck("/healthz", 1000, 500, 2, 2, List.of("2xx")));
    a.healthStatus = 500;
    b.healthStatus = 500;
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.dataPlane.panicPicks() > 0 || panicProbe());
    assertThat(backendsOf(6)).containsExactlyInAnyOrder("a", "b");
    assertThat(harness.dataPlane.panicPicks()).isPositive();
  }

  @Test
  void passiveEjectionAfterConsecutive5xx() throws Exception {
    apply(null);
    // When b answers 500 to everything
    b.failing = true;
    // Then after five 500s in a row b is ejected: the next requests all reach a
    int fromB = 0;
    for (int i = 0; i < 30; i++) {
      if (harness.get("app.example.com", "/").status() == 500) {
        fromB++;
      }
    }
    assertThat(fromB).isEqualTo(5);
    assertThat(backendsOf(10)).containsOnly("a");
  }

  @Test
  void passiveEjectionAfterConsecutiveConnectFailures() throws Exception {
    // Given a cluster whose second endpoint refuses connections
    int dead;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      dead = socket.getLocalPort();
    }
    Cluster cluster = new Cluster("app", BackendProtocol.HTTP, Scheduler.WRR,
        List.of(new Endpoint("127.0.0.1", a.port()), new Endpoint("127.0.0.1", dead)));
    harness.apply(table(1).cluster(cluster).prefix("app.example.com", "/", "app").build());
    // When 40 requests go through (each one picking the dead endpoint is retried on a)
    for (int i = 0; i < 40; i++) {
      assertThat(harness.get("app.example.com", "/").status()).isEqualTo(200);
    }
    // Then after five connect failures in a row it was ejected: no more attempts on it
    String metrics = DataPlaneHarness.await(harness.onContext(() -> harness.http.request(
            new io.vertx.core.http.RequestOptions().setHost("127.0.0.1").setPort(harness.dataPlane.adminPort())
                .setURI("/metrics")).compose(r -> r.send()).compose(r -> r.body()).map(Object::toString)));
    assertThat(metrics).contains("clb_upstream_errors_total{kind=\"connect\",route=\"test\"} 5.0");
  }

  /** One request, to make the picker run while everything is down. */
  private boolean panicProbe() throws Exception {
    harness.get("app.example.com", "/");
    return harness.dataPlane.panicPicks() > 0;
  }

  private Set<String> backendsOf(int requests) throws Exception {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < requests; i++) {
      seen.add(harness.get("app.example.com", "/").body());
    }
    return seen;
  }

  private void apply(HealthCheck check) {
    Cluster cluster = new Cluster("app", BackendProtocol.HTTP, Scheduler.WRR,
        List.of(new Endpoint("127.0.0.1", a.port()), new Endpoint("127.0.0.1", b.port())), check);
    harness.apply(table(1).cluster(cluster).prefix("app.example.com", "/", "app").build());
  }
}
