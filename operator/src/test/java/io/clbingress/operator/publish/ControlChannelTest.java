package io.clbingress.operator.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clbingress.dataplane.DataPlane;
import io.clbingress.dataplane.DataPlaneOptions;
import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.control.ControlCodec;
import io.clbingress.dataplane.control.ControlMessage;
import io.clbingress.dataplane.control.TablePatches;
import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.Timeouts;
import io.clbingress.dataplane.table.VirtualHost;
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
  /**
   * The test's own clients, held for the whole test: Vert.x shuts a client down, with its
   * connections, once the client is garbage, which an unreferenced one soon is (a GC during a
   * handshake failed it with "Connection closed while handshake in process").
   */
  io.vertx.core.http.WebSocketClient webSockets;
  io.vertx.core.http.HttpClient http;

  @BeforeEach
  void start() throws Exception {
    operatorSide = Vertx.vertx();
    dataPlaneSide = Vertx.vertx();
    dataPlane = DataPlane.start(dataPlaneSide, DataPlaneOptions.loopback(Duration.ofSeconds(1)), Clock.systemUTC())
        .await(20, TimeUnit.SECONDS);
    server = new ConfigServer(operatorSide, "s3cret");
    port = server.listen("127.0.0.1", 0).await(20, TimeUnit.SECONDS);
    webSockets = dataPlaneSide.createWebSocketClient();
    http = operatorSide.createHttpClient();
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
    return http.request(io.vertx.core.http.HttpMethod.GET, port, "127.0.0.1", "/metrics")
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

  /**
   * After the whole table, a change goes as a patch: the data plane holds the new table, and the
   * virtual host the change did not touch is the very object it held before (a whole table would
   * have been decoded into new objects, and compiled anew).
   */
  @Test
  void aChangeReachesTheDataPlaneAsAPatchThatKeepsWhatDidNotChange() throws Exception {
    RoutingTable first = hosts(1, "a.example.com", "b.example.com");
    server.accept(first);
    ControlPlaneClient client = new ControlPlaneClient(dataPlaneSide, URI.create("http://127.0.0.1:" + port), "s3cret", dataPlane);
    client.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> version() == 1);
    VirtualHost kept = dataPlane.applied().table().listeners().get(0).virtualHosts().get(0);
    // When b is renamed, a staying the same object (as translation hands it over)
    RoutingTable second = table(2, List.of(first.listeners().get(0).virtualHosts().get(0), vhost("c.example.com")));
    server.accept(second);
    // Then
    await().atMost(Duration.ofSeconds(10)).until(() -> version() == 2 && server.appliedVersions().containsValue(2L));
    RoutingTable held = dataPlane.applied().table();
    assertThat(held).isEqualTo(second);
    assertThat(held.listeners().get(0).virtualHosts().get(0)).isSameAs(kept);
    client.close();
  }

  /**
   * The operator's side with a data plane of our own over a real WebSocket: the whole table on
   * connect, then patches; a {@code resend} gets the whole table in force once, and a resend for
   * a patch sent before that whole table gets nothing more.
   */
  @Test
  void aDataPlaneThatCannotRebuildAPatchGetsTheWholeTableOnce() throws Exception {
    server.accept(hosts(1, "a.example.com"));
    java.util.concurrent.BlockingQueue<ControlMessage> received = new java.util.concurrent.LinkedBlockingQueue<>();
    io.vertx.core.http.WebSocket ws = fakeDataPlane(received);
    assertThat(next(received)).isInstanceOf(ControlMessage.Table.class)
        .extracting(m -> ((ControlMessage.Table) m).table().version()).isEqualTo(1L);
    // When two changes are published
    server.accept(hosts(2, "a.example.com", "b.example.com"));
    server.accept(hosts(3, "a.example.com", "b.example.com", "c.example.com"));
    // Then they come as patches, each against the table before
    ControlMessage.Patch second = (ControlMessage.Patch) next(received);
    ControlMessage.Patch third = (ControlMessage.Patch) next(received);
    assertThat(List.of(second.base(), second.version(), third.base(), third.version())).containsExactly(1L, 2L, 2L, 3L);
    // When the data plane could not rebuild the first patch (and so not the second)
    ws.writeTextMessage(ControlCodec.encode(new ControlMessage.Resend(2, "test: not rebuilt")));
    // Then the whole table in force comes
    ControlMessage.Table whole = (ControlMessage.Table) next(received);
    assertThat(whole.table()).isEqualTo(hosts(3, "a.example.com", "b.example.com", "c.example.com"));
    // When it asks again for the patch sent before that whole table, and a new change is published
    ws.writeTextMessage(ControlCodec.encode(new ControlMessage.Resend(3, "test: base gone")));
    ws.writeTextMessage(ControlCodec.encode(new ControlMessage.Applied(3)));
    await().atMost(Duration.ofSeconds(10)).until(() -> server.appliedVersions().containsValue(3L));
    server.accept(hosts(4, "a.example.com"));
    // Then the next message is that change's patch, against the whole table: no second whole table
    ControlMessage.Patch fourth = (ControlMessage.Patch) next(received);
    assertThat(List.of(fourth.base(), fourth.version())).containsExactly(3L, 4L);
    ws.close().await(10, TimeUnit.SECONDS);
  }

  /**
   * A data plane that cannot read a patch at all (one older than patches, during a rolling
   * upgrade, answers {@code rejected} with version -1) gets the whole table in force at once, and
   * whole tables from then on.
   */
  @Test
  void aDataPlaneThatCannotReadPatchesGetsWholeTables() throws Exception {
    server.accept(hosts(1, "a.example.com"));
    java.util.concurrent.BlockingQueue<ControlMessage> received = new java.util.concurrent.LinkedBlockingQueue<>();
    io.vertx.core.http.WebSocket ws = fakeDataPlane(received);
    assertThat(next(received)).isInstanceOf(ControlMessage.Table.class);
    server.accept(hosts(2, "a.example.com", "b.example.com"));
    assertThat(next(received)).isInstanceOf(ControlMessage.Patch.class);
    // When it answers the patch as an older data plane does
    ws.writeTextMessage(ControlCodec.encode(new ControlMessage.Rejected(-1,
        "not a control message: Could not resolve type id 'patch'")));
    // Then the whole table in force comes, and the next change whole too
    assertThat(((ControlMessage.Table) next(received)).table().version()).isEqualTo(2);
    server.accept(hosts(3, "c.example.com"));
    assertThat(((ControlMessage.Table) next(received)).table().version()).isEqualTo(3);
    ws.close().await(10, TimeUnit.SECONDS);
  }

  /** Every connected data plane gets the whole table, then each change as the same patch against it. */
  @Test
  void eachDataPlaneGetsTheWholeTableThenThePatches() throws Exception {
    server.accept(hosts(1, "a.example.com"));
    List<java.util.concurrent.BlockingQueue<ControlMessage>> planes = new java.util.ArrayList<>();
    List<io.vertx.core.http.WebSocket> sockets = new java.util.ArrayList<>();
    for (int i = 0; i < 2; i++) {
      java.util.concurrent.BlockingQueue<ControlMessage> received = new java.util.concurrent.LinkedBlockingQueue<>();
      sockets.add(fakeDataPlane(received));
      assertThat(next(received)).isInstanceOf(ControlMessage.Table.class);
      planes.add(received);
    }
    server.accept(hosts(2, "a.example.com", "b.example.com"));
    ControlMessage first = next(planes.get(0));
    assertThat(first).isInstanceOf(ControlMessage.Patch.class);
    assertThat(next(planes.get(1))).isEqualTo(first);
    for (io.vertx.core.http.WebSocket ws : sockets) {
      ws.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * The data plane's side with an operator of our own: a patch against a table it does not hold
   * is answered with {@code resend}, the previous table serving on; the whole table then applies.
   */
  @Test
  void aPatchAgainstATableTheDataPlaneDoesNotHoldIsAnsweredWithResend() throws Exception {
    java.util.concurrent.BlockingQueue<ControlMessage> answers = new java.util.concurrent.LinkedBlockingQueue<>();
    java.util.concurrent.atomic.AtomicReference<io.vertx.core.http.ServerWebSocket> operator =
        new java.util.concurrent.atomic.AtomicReference<>();
    io.vertx.core.http.HttpServer fake = operatorSide.createHttpServer().webSocketHandler(ws -> {
      ws.textMessageHandler(text -> answers.add(ControlCodec.decode(text)));
      operator.set(ws);
    });
    int fakePort = fake.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    ControlPlaneClient client = new ControlPlaneClient(dataPlaneSide, URI.create("http://127.0.0.1:" + fakePort), "s3cret", dataPlane);
    client.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> operator.get() != null);
    RoutingTable first = hosts(1, "a.example.com");
    operator.get().writeTextMessage(ControlCodec.encode(new ControlMessage.Table(first)));
    assertThat(next(answers)).isEqualTo(new ControlMessage.Applied(1));
    // When a patch comes against version 2, which it never got
    RoutingTable third = hosts(3, "a.example.com", "b.example.com");
    ControlMessage.Patch patch = TablePatches.between(hosts(2, "b.example.com"), third);
    operator.get().writeTextMessage(ControlCodec.encode(patch));
    // Then it asks for the whole table, and serves version 1 meanwhile
    ControlMessage answer = next(answers);
    assertThat(answer).isInstanceOf(ControlMessage.Resend.class);
    assertThat(((ControlMessage.Resend) answer).reason())
        .isEqualTo("the patch to version 3 is against version 2, this data plane holds version 1");
    assertThat(version()).isEqualTo(1);
    // When the whole table comes, Then it applies
    operator.get().writeTextMessage(ControlCodec.encode(new ControlMessage.Table(third)));
    assertThat(next(answers)).isEqualTo(new ControlMessage.Applied(3));
    client.close();
    fake.close();
  }

  /** A data plane of our own on the operator's control channel: every message it gets goes to {@code received}. */
  private io.vertx.core.http.WebSocket fakeDataPlane(java.util.concurrent.BlockingQueue<ControlMessage> received)
      throws Exception {
    return webSockets.connect(new WebSocketConnectOptions()
            .setHost("127.0.0.1").setPort(port).setURI(ControlMessage.PATH).putHeader("Authorization", "Bearer s3cret"))
        .map(ws -> ws.textMessageHandler(text -> received.add(ControlCodec.decode(text)))) // before any frame is read
        .await(10, TimeUnit.SECONDS);
  }

  private static ControlMessage next(java.util.concurrent.BlockingQueue<ControlMessage> messages) throws InterruptedException {
    ControlMessage message = messages.poll(10, TimeUnit.SECONDS);
    assertThat(message).as("a message within 10 s").isNotNull();
    return message;
  }

  /** A table of one HTTP listener with these hosts, each routing / to one cluster. */
  private static RoutingTable hosts(long version, String... names) {
    return table(version, java.util.Arrays.stream(names).map(ControlChannelTest::vhost).toList());
  }

  private static RoutingTable table(long version, List<VirtualHost> vhosts) {
    Listener listener = new Listener("http", Protocol.HTTP, Listener.PORT_FROM_FLAGS, vhosts, null);
    Cluster app = new Cluster("app", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", 9)));
    return TableCodec.stamp(RoutingTable.unpublished(List.of(listener), List.of(app)), version);
  }

  private static VirtualHost vhost(String name) {
    return new VirtualHost(name, List.of(new Route(new PathMatch.Prefix("/"), "app", Timeouts.ofSeconds(60, 60, 5),
        "Ingress/apps/" + name)));
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
    Throwable untrusted = webSockets.connect(new WebSocketConnectOptions()
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
    Throwable wrong = connectFailure("Bearer guess");
    Throwable missing = connectFailure(null);
    // Then
    assertThat(wrong.getMessage()).contains("401");
    assertThat(missing.getMessage()).contains("401");
    assertThat(server.appliedVersions()).isEmpty();
  }

  private Throwable connectFailure(String authorization) throws Exception {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI(ControlMessage.PATH);
    if (authorization != null) {
      options.putHeader("Authorization", authorization);
    }
    return webSockets.connect(options).map(ws -> (Throwable) new AssertionError("connected"))
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
