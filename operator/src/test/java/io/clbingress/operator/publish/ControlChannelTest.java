package io.clbingress.operator.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clbingress.dataplane.DataPlane;
import io.clbingress.dataplane.DataPlaneOptions;
import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.control.ControlMessage;
import io.clbingress.dataplane.control.ControlPlaneClient;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.RoutingTable;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Operator's config server and a data plane's client over a real WebSocket. */
class ControlChannelTest {

  Vertx operatorSide;
  Vertx dataPlaneSide;
  DataPlane dataPlane;
  ConfigServer server;
  int port;

  @BeforeEach
  void start() throws Exception {
    operatorSide = Vertx.vertx();
    dataPlaneSide = Vertx.vertx();
    dataPlane = DataPlane.start(dataPlaneSide, DataPlaneOptions.loopback(Duration.ofSeconds(1)), Clock.systemUTC())
        .await(20, TimeUnit.SECONDS);
    server = new ConfigServer(operatorSide, "s3cret");
    port = server.listen("127.0.0.1", 0).await(20, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    operatorSide.close().await(20, TimeUnit.SECONDS);
    dataPlaneSide.close().await(20, TimeUnit.SECONDS);
  }

  @Test
  void dataPlaneAppliesPublishedTablesAndReportsTheVersion() throws Exception {
    // Given a table published before the data plane connects
    server.accept(table(1, "first"));
    ControlPlaneClient client = new ControlPlaneClient(dataPlaneSide, URI.create("http://127.0.0.1:" + port), "s3cret", dataPlane);
    // When it connects
    client.start();
    // Then it applies it and the operator learns the version
    await().atMost(Duration.ofSeconds(10)).until(() -> version() == 1 && server.appliedVersions().containsValue(1L));
    // When a new table is published, Then it follows
    server.accept(table(2, "second"));
    await().atMost(Duration.ofSeconds(10)).until(() -> version() == 2 && server.appliedVersions().containsValue(2L));
    client.close();
  }

  /**
   * The operator's /metrics on the config port, without the token: connected data planes, and the
   * configuration problems of the last translation per object (gone once the object has none).
   */
  @Test
  void operatorMetricsCountDataPlanesAndProblemsPerObject() throws Exception {
    server.accept(table(1, "first"));
    ControlPlaneClient client = new ControlPlaneClient(dataPlaneSide, URI.create("http://127.0.0.1:" + port), "s3cret", dataPlane);
    client.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.appliedVersions().containsValue(1L));
    ProblemGauge problems = new ProblemGauge(server.metrics());
    io.clbingress.operator.state.ObjectRef shop = new io.clbingress.operator.state.ObjectRef("Ingress", "apps", "shop");
    problems.accept(translation(List.of(
        new io.clbingress.operator.translate.Problem(shop, "a", "wrong", "InvalidAnnotation"),
        new io.clbingress.operator.translate.Problem(shop, "b", "wrong", "InvalidAnnotation"))));
    assertThat(operatorMetrics()).contains("clb_data_planes_connected 1.0",
        "clb_config_problems{object=\"Ingress apps/shop\"} 2.0", "clb_routing_table_rejected_total 0.0",
        "process_files_open_files");
    problems.accept(translation(List.of()));
    assertThat(operatorMetrics()).doesNotContain("clb_config_problems{");
    client.close();
  }

  private String operatorMetrics() throws Exception {
    return operatorSide.createHttpClient().request(io.vertx.core.http.HttpMethod.GET, port, "127.0.0.1", "/metrics")
        .compose(request -> request.send()).compose(response -> response.body()).map(Object::toString)
        .await(10, TimeUnit.SECONDS);
  }

  private static io.clbingress.operator.translate.Translation translation(
      List<io.clbingress.operator.translate.Problem> problems) {
    return new io.clbingress.operator.translate.Translation(table(0, "x"), problems, java.util.Map.of(), List.of());
  }

  @Test
  void operatorAwayKeepsTheLastTableAndReconnectResyncs() throws Exception {
    // Given a connected data plane on version 1
    server.accept(table(1, "first"));
    ControlPlaneClient client = new ControlPlaneClient(dataPlaneSide, URI.create("http://127.0.0.1:" + port), "s3cret", dataPlane);
    client.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> version() == 1);
    // When the operator goes away
    server.close().await(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> !client.isConnected());
    // Then the data plane keeps serving version 1
    assertThat(dataPlane.isReady()).isTrue();
    assertThat(version()).isEqualTo(1);
    // When an operator comes back on the same port with version 3
    ConfigServer restarted = new ConfigServer(operatorSide, "s3cret");
    restarted.accept(table(3, "third"));
    restarted.listen("127.0.0.1", port).await(10, TimeUnit.SECONDS);
    // Then the data plane reconnects and resyncs
    await().atMost(Duration.ofSeconds(30)).until(() -> version() == 3);
    client.close();
  }

  @Test
  void tlsChannelWithACertificateMadeByOpenssl(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    // Given a certificate for 127.0.0.1 made with openssl, and an operator serving wss:// with it
    org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("sh", "-c", "command -v openssl").start().waitFor() == 0,
        "openssl is not installed");
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=clb-operator", "-addext", "subjectAltName=IP:127.0.0.1",
        "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString())
        .redirectErrorStream(true).start();
    assertThat(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0).isTrue();
    ConfigServer tlsServer = new ConfigServer(operatorSide, "s3cret");
    int tlsPort = tlsServer.listen("127.0.0.1", 0, new io.vertx.core.net.PemKeyCertOptions()
        .setCertPath(dir.resolve("cert.pem").toString()).setKeyPath(dir.resolve("key.pem").toString()))
        .await(20, TimeUnit.SECONDS);
    tlsServer.accept(table(5, "over-tls"));
    // When a data plane trusts that certificate, Then it gets the table over TLS
    ControlPlaneClient trusting = new ControlPlaneClient(dataPlaneSide, URI.create("https://127.0.0.1:" + tlsPort),
        "s3cret", dir.resolve("cert.pem").toString(), dataPlane);
    trusting.start();
    await().atMost(Duration.ofSeconds(20)).until(() -> version() == 5);
    trusting.close();
    // And a client that does not trust it never connects
    Throwable untrusted = dataPlaneSide.createWebSocketClient().connect(new WebSocketConnectOptions()
            .setHost("127.0.0.1").setPort(tlsPort).setSsl(true).setURI(ControlMessage.PATH)
            .putHeader("Authorization", "Bearer s3cret"))
        .map(ws -> (Throwable) new AssertionError("connected")).recover(io.vertx.core.Future::succeededFuture)
        .await(20, TimeUnit.SECONDS);
    assertThat(untrusted).isNotInstanceOf(AssertionError.class);
  }

  @Test
  void healthzAnswersWithoutTokenAndOtherPathsAre404() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpResponse<String> health = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + port + "/healthz")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    java.net.http.HttpResponse<String> other = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + port + "/config")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(other.statusCode()).isEqualTo(404);
  }

  @Test
  void wrongOrMissingTokenIsRefused() throws Exception {
    // Given / When
    var client = dataPlaneSide.createWebSocketClient();
    Throwable wrong = connectFailure(client, "Bearer guess");
    Throwable missing = connectFailure(client, null);
    // Then
    assertThat(wrong.getMessage()).contains("401");
    assertThat(missing.getMessage()).contains("401");
    assertThat(server.appliedVersions()).isEmpty();
  }

  private Throwable connectFailure(io.vertx.core.http.WebSocketClient client, String authorization) throws Exception {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI(ControlMessage.PATH);
    if (authorization != null) {
      options.putHeader("Authorization", authorization);
    }
    return client.connect(options).map(ws -> (Throwable) new AssertionError("connected"))
        .recover(io.vertx.core.Future::succeededFuture).await(10, TimeUnit.SECONDS);
  }

  private long version() {
    return dataPlane.applied() == null ? 0 : dataPlane.applied().table().version();
  }

  /** A table whose content differs by its listener name, so each version is applied. */
  private static RoutingTable table(long version, String name) {
    Listener listener = new Listener(name, Protocol.HTTP, Listener.PORT_FROM_FLAGS, List.of(), null);
    return TableCodec.stamp(RoutingTable.unpublished(List.of(listener), List.of()), version);
  }
}
