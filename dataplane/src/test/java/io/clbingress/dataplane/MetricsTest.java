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
        "clb_requests_total{code=\"1xx\",route=\"Ingress shop/web\"} 1.0", // the WebSocket's upgrade
        "clb_request_duration_seconds_count{route=\"Ingress shop/web\"} 4",
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

  /**
   * A POST of a known body to a route that echoes it: 100 bytes each way, one request in the
   * duration histogram (every bucket from 5 ms up holds it or none below), one new backend
   * connection timed (a backend of its own: no pooled connection to reuse); the endpoint gauges of the route.
   */
  @Test
  void countsBodyBytesExactlyAndFillsTheHistograms() throws Exception {
    TestBackend echo = harness.backend("echo");
    harness.apply(table(20)
        .cluster(new Cluster("web", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", echo.port()))))
        .route("b.example.com", new Route(PathMatch.Prefix.of("/"), "web", Tables.DEFAULT_TIMEOUTS, "Ingress shop/bytes"))
        .build());
    String body = "0123456789".repeat(10);
    DataPlaneHarness.Answer answer = harness.send(io.vertx.core.http.HttpMethod.POST, "b.example.com", "/echo", body);
    assertThat(answer.body()).isEqualTo(body);

    String route = "route=\"Ingress shop/bytes\"";
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      String scrape = metrics();
      assertThat(DataPlaneHarness.sample(scrape, "clb_received_bytes_total{" + route + "}")).isEqualTo(100);
      assertThat(DataPlaneHarness.sample(scrape, "clb_sent_bytes_total{" + route + "}")).isEqualTo(100);
      assertThat(DataPlaneHarness.sample(scrape, "clb_request_duration_seconds_count{" + route + "}")).isEqualTo(1);
      assertThat(DataPlaneHarness.sample(scrape, "clb_request_duration_seconds_bucket{" + route + ",le=\"60.0\"}"))
          .isEqualTo(1);
      assertThat(DataPlaneHarness.sample(scrape, "clb_request_duration_seconds_bucket{" + route + ",le=\"+Inf\"}"))
          .isEqualTo(1);
      assertThat(DataPlaneHarness.sample(scrape, "clb_upstream_connect_duration_seconds_count{" + route + "}"))
          .isEqualTo(1);
      assertThat(DataPlaneHarness.sample(scrape, "clb_upstream_connect_duration_seconds_bucket{" + route
          + ",le=\"5.0\"}")).isEqualTo(1);
      assertThat(DataPlaneHarness.sample(scrape, "clb_endpoints{" + route + "}")).isEqualTo(1);
      assertThat(DataPlaneHarness.sample(scrape, "clb_endpoints_healthy{" + route + "}")).isEqualTo(1);
    });
    // The buckets are the fixed set of Buckets.REQUEST, not Micrometer's ~70 percentile buckets.
    assertThat(metrics().lines().filter(l -> l.startsWith("clb_request_duration_seconds_bucket{" + route))).hasSize(14);
  }

  /**
   * A client that leaves while the backend has not answered yet (HTTP/1.1, the Netty engine): the
   * request is counted, as nginx's 499 (a 4xx), with its duration; before, it was not counted at all.
   */
  @Test
  void aClientThatLeavesBeforeTheAnswerIsCountedAs499() throws Exception {
    TestBackend slow = harness.backend("slow");
    harness.apply(table(30)
        .cluster(new Cluster("slow", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", slow.port()))))
        .route("left.example.com", new Route(PathMatch.Prefix.of("/"), "slow", Tables.DEFAULT_TIMEOUTS, "Ingress shop/left"))
        .build());
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", harness.dataPlane.httpPort())) {
      socket.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: left.example.com\r\n\r\n"
          .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      await().atMost(Duration.ofSeconds(10)).until(() -> slow.uris.contains("/slow"));
    }
    String route = "route=\"Ingress shop/left\"";
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      String scrape = metrics();
      assertThat(DataPlaneHarness.sample(scrape, "clb_requests_total{code=\"4xx\"," + route + "}")).isEqualTo(1);
      assertThat(DataPlaneHarness.sample(scrape, "clb_request_duration_seconds_count{" + route + "}")).isEqualTo(1);
    });
  }

  /** Five failed connects in a row eject the route's only endpoint: no healthy endpoint is left. */
  @Test
  void aRouteWhoseEndpointsAreAllEjectedHasNoHealthyEndpoint() throws Exception {
    int dead = DataPlaneHarness.freePort();
    harness.apply(table(21)
        .cluster(new Cluster("down", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", dead))))
        .route("d.example.com", new Route(PathMatch.Prefix.of("/"), "down", Tables.DEFAULT_TIMEOUTS, "Ingress shop/down"))
        .build());
    assertThat(DataPlaneHarness.sample(metrics(), "clb_endpoints_healthy{route=\"Ingress shop/down\"}")).isEqualTo(1);
    for (int i = 0; i < 5; i++) {
      assertThat(harness.get("d.example.com", "/").status()).isEqualTo(502);
    }
    String scrape = metrics();
    assertThat(DataPlaneHarness.sample(scrape, "clb_endpoints{route=\"Ingress shop/down\"}")).isEqualTo(1);
    assertThat(DataPlaneHarness.sample(scrape, "clb_endpoints_healthy{route=\"Ingress shop/down\"}")).isZero();
    assertThat(scrape).contains("clb_ready 1.0");
  }

  /**
   * A WebSocket through the data plane: the frames each way counted as bytes (masked client frames:
   * 2 + 4 + payload; server frames: 2 + payload), and its lifetime in the tunnel histogram once it closes.
   */
  @Test
  void aWebSocketTunnelCountsItsBytesAndItsLifetime() throws Exception {
    harness.apply(table(22)
        .cluster(new Cluster("web", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", web.port()))))
        .route("w.example.com", new Route(PathMatch.Prefix.of("/"), "web", Tables.DEFAULT_TIMEOUTS, "Ingress shop/ws"))
        .build());
    WebSocket ws = harness.webSocket("w.example.com", "/chat");
    assertThat(DataPlaneHarness.exchange(ws, "hello")).isEqualTo("web:hello");
    DataPlaneHarness.await(ws.close());

    String route = "route=\"Ingress shop/ws\"";
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      String scrape = metrics();
      assertThat(DataPlaneHarness.sample(scrape, "clb_tunnel_duration_seconds_count{kind=\"websocket\"," + route + "}"))
          .isEqualTo(1);
      assertThat(DataPlaneHarness.sample(scrape, "clb_tunnel_duration_seconds_bucket{kind=\"websocket\"," + route
          + ",le=\"+Inf\"}")).isEqualTo(1);
      // "hello" (11) and the close frame with its code 1000 (2 + 4 + 2); "web:hello" (11) and the close echoed (2 + 2)
      assertThat(DataPlaneHarness.sample(scrape, "clb_received_bytes_total{" + route + "}")).isEqualTo(11 + 8);
      assertThat(DataPlaneHarness.sample(scrape, "clb_sent_bytes_total{" + route + "}")).isEqualTo(11 + 4);
      assertThat(DataPlaneHarness.sample(scrape, "clb_upstream_connect_duration_seconds_count{" + route + "}"))
          .isEqualTo(1);
      // the upgrade itself is a request answered 101, as on the HTTP/2 engine and in ingress-nginx's metrics
      assertThat(DataPlaneHarness.sample(scrape, "clb_requests_total{code=\"1xx\"," + route + "}")).isEqualTo(1);
    });
  }

  /**
   * A connection of its own to the default HTTP listener, closed without a request (so that no
   * route's counts change): accepted, then closed; the open gauge goes back.
   */
  @Test
  void countsConnectionsPerListener() throws Exception {
    String scrape = metrics();
    double accepted = DataPlaneHarness.sample(scrape, "clb_connections_accepted_total{listener=\"default-http\"}");
    double closed = DataPlaneHarness.sample(scrape, "clb_connections_closed_total{listener=\"default-http\"}");
    double open = DataPlaneHarness.sample(scrape, "clb_connections_open{listener=\"default-http\"}");
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", harness.dataPlane.httpPort())) {
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(DataPlaneHarness.sample(metrics(),
          "clb_connections_open{listener=\"default-http\"}")).isEqualTo(open + 1));
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      String after = metrics();
      assertThat(DataPlaneHarness.sample(after, "clb_connections_accepted_total{listener=\"default-http\"}"))
          .isEqualTo(accepted + 1);
      assertThat(DataPlaneHarness.sample(after, "clb_connections_closed_total{listener=\"default-http\"}"))
          .isEqualTo(closed + 1);
      assertThat(DataPlaneHarness.sample(after, "clb_connections_open{listener=\"default-http\"}")).isEqualTo(open);
    });
  }

  /**
   * Failed handshakes on the default HTTPS listener, each for a known reason: plain HTTP sent to
   * it (not_tls), and a TLS 1.2 client offering only a DHE suite, which BoringSSL does not do (cipher).
   */
  @Test
  void countsFailedTlsHandshakesByReason() throws Exception {
    String errors = "clb_tls_handshake_errors_total{listener=\"default-https\",reason=";
    double notTls = DataPlaneHarness.sample(metrics(), errors + "\"not_tls\"}");
    double cipher = DataPlaneHarness.sample(metrics(), errors + "\"cipher\"}");
    RawHttp.get(harness.dataPlane.httpsPort(), "a.example.com", "/");
    javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
    context.init(null, new javax.net.ssl.TrustManager[] {TrustAll.INSTANCE}, null);
    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory()
        .createSocket("127.0.0.1", harness.dataPlane.httpsPort())) {
      socket.setEnabledProtocols(new String[] {"TLSv1.2"});
      socket.setEnabledCipherSuites(new String[] {"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"});
      org.assertj.core.api.Assertions.assertThatThrownBy(socket::startHandshake)
          .isInstanceOf(javax.net.ssl.SSLException.class);
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      String scrape = metrics();
      assertThat(DataPlaneHarness.sample(scrape, errors + "\"not_tls\"}")).isEqualTo(notTls + 1);
      assertThat(DataPlaneHarness.sample(scrape, errors + "\"cipher\"}")).isEqualTo(cipher + 1);
    });
  }

  /** The process's file descriptors (the tunnels-near-the-limit alert) and the JVM's own meters are exported. */
  @Test
  void exportsFileDescriptorsAndJvmMeters() throws Exception {
    String scrape = metrics();
    assertThat(DataPlaneHarness.sample(scrape, "process_files_open_files")).isPositive();
    assertThat(DataPlaneHarness.sample(scrape, "process_files_max_files")).isPositive();
    assertThat(scrape).contains("jvm_memory_used_bytes{", "process_cpu_usage", "clb_routing_table_rejected_total 0.0");
  }

  /** Trusts any server certificate: the handshakes of these tests fail before one is checked. */
  private enum TrustAll implements javax.net.ssl.X509TrustManager {
    INSTANCE;

    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
    }

    @Override
    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
      return new java.security.cert.X509Certificate[0];
    }
  }

  private static String metrics() throws Exception {
    return harness.metrics();
  }
}
