package io.clbingress.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Certificate;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.ListenerTls;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.Timeouts;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TCP and TCP_SSL listeners (CLBListeners on their own ports): bytes both ways to a plain TCP
 * echo backend, TLS offloaded for TCP_SSL, a WebSocket through a TCP_SSL listener, and the read
 * timeout as idle timeout.
 */
class TcpListenerTest {

  private static final String HOST = "tcp.example.com";

  @TempDir
  static Path dir;
  static DataPlaneHarness harness;
  static TestBackend webSocketBackend;
  static NetServer echo;
  static final AtomicInteger echoConnections = new AtomicInteger();
  static int echoPort;
  static int tcpPort;
  static int tlsPort;
  static int wssPort;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Openssl.available(), "openssl and curl are needed (.ci/run installs them)");
    Openssl.certificate(dir, "server", HOST);
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    webSocketBackend = harness.backend("ws");
    echoPort = DataPlaneHarness.freePort();
    echo = harness.vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(echoPort))
        .connectHandler(socket -> {
          echoConnections.incrementAndGet();
          socket.closeHandler(v -> echoConnections.decrementAndGet());
          socket.handler(socket::write);
        });
    DataPlaneHarness.await(echo.listen());
    tcpPort = DataPlaneHarness.freePort();
    tlsPort = DataPlaneHarness.freePort();
    wssPort = DataPlaneHarness.freePort();
    harness.apply(table());
    await().atMost(Duration.ofSeconds(10))
        .until(() -> harness.dataPlane.listenerPorts().containsAll(List.of(tcpPort, tlsPort, wssPort)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void plainTcpEchoesBothWays() throws Exception {
    NetSocket socket = DataPlaneHarness.await(client(false).connect(tcpPort, "127.0.0.1"));
    assertThat(harness.exchange(socket, "hello over tcp\n")).isEqualTo("hello over tcp\n");
    socket.close();
  }

  /**
   * A TCP tunnel: the bytes each way counted exactly as they pass, the backend connect timed, the
   * tunnel's lifetime in the histogram once it closes, the connection on its listener's counts.
   */
  @Test
  void aTcpTunnelCountsItsBytesConnectTimeAndLifetime() throws Exception {
    String scrape = harness.metrics();
    double received = DataPlaneHarness.sample(scrape, "clb_received_bytes_total{route=\"test\"}");
    double sent = DataPlaneHarness.sample(scrape, "clb_sent_bytes_total{route=\"test\"}");
    double connects = DataPlaneHarness.sample(scrape, "clb_upstream_connect_duration_seconds_count{route=\"test\"}");
    double closed = DataPlaneHarness.sample(scrape, "clb_tunnel_duration_seconds_count{kind=\"tcp\",route=\"test\"}");
    double accepted = DataPlaneHarness.sample(scrape, "clb_connections_accepted_total{listener=\"apps/tcp\"}");
    NetSocket socket = DataPlaneHarness.await(client(false).connect(tcpPort, "127.0.0.1"));
    assertThat(harness.exchange(socket, "counted\n")).isEqualTo("counted\n");
    DataPlaneHarness.await(socket.close());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      String after = harness.metrics();
      assertThat(DataPlaneHarness.sample(after, "clb_received_bytes_total{route=\"test\"}")).isEqualTo(received + 8);
      assertThat(DataPlaneHarness.sample(after, "clb_sent_bytes_total{route=\"test\"}")).isEqualTo(sent + 8);
      assertThat(DataPlaneHarness.sample(after, "clb_upstream_connect_duration_seconds_count{route=\"test\"}"))
          .isEqualTo(connects + 1);
      assertThat(DataPlaneHarness.sample(after, "clb_tunnel_duration_seconds_count{kind=\"tcp\",route=\"test\"}"))
          .isGreaterThanOrEqualTo(closed + 1);
      assertThat(DataPlaneHarness.sample(after, "clb_connections_accepted_total{listener=\"apps/tcp\"}"))
          .isEqualTo(accepted + 1);
    });
  }

  @Test
  void tcpSslOffloadsTlsToAPlainBackend() throws Exception {
    NetSocket socket = DataPlaneHarness.await(client(true).connect(tlsPort, HOST));
    assertThat(socket.isSsl()).isTrue();
    assertThat(socket.peerCertificates().get(0).toString()).contains("CN=" + HOST);
    assertThat(harness.exchange(socket, "hello over tls\n")).isEqualTo("hello over tls\n");
    String big = "x".repeat(200_000);
    assertThat(harness.exchange(socket, big)).isEqualTo(big);
    socket.close();
  }

  /** s_client -quiet keeps the connection after its input ends; the listener's 2 s idle timeout ends it. */
  @Test
  void opensslClientEchoesThroughTcpSsl() {
    Openssl.Result result = Openssl.run(dir, List.of("openssl", "s_client", "-connect", "127.0.0.1:" + tlsPort,
        "-servername", HOST, "-CAfile", "server-cert.pem", "-verify_return_error", "-quiet"), "ping from openssl\n");
    assertThat(result.output()).contains("ping from openssl");
  }

  @Test
  void webSocketThroughTcpSsl() throws Exception {
    WebSocketClient client = harness.vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("server-cert.pem").toString())));
    for (int i = 0; i < 5; i++) {
      WebSocket ws = DataPlaneHarness.await(harness.onContext(() -> client.connect(
          new WebSocketConnectOptions().setHost(HOST).setPort(wssPort).setURI("/chat").setSsl(true))));
      Promise<String> answer = Promise.promise();
      ws.textMessageHandler(answer::tryComplete);
      ws.writeTextMessage("hello " + i);
      assertThat(DataPlaneHarness.await(answer.future())).isEqualTo("ws:hello " + i);
      DataPlaneHarness.await(ws.close());
    }
    DataPlaneHarness.await(client.close()); // also keeps it reachable until here
  }

  /**
   * Client-speaks-first protocols (a database's startup message, SMTP pipelining) write before the
   * proxy's backend connection is up: those bytes wait in the client socket and are relayed first,
   * in order, then the rest; a megabyte at once also runs into back-pressure both ways.
   */
  @Test
  void clientSpeakingFirstIsRelayedInOrder() throws Exception {
    byte[] sent = new byte[1 << 20];
    new java.util.Random(42).nextBytes(sent);
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", tcpPort)) {
      socket.setSoTimeout(20_000);
      java.util.concurrent.CompletableFuture<byte[]> echoed = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return socket.getInputStream().readNBytes(sent.length);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      socket.getOutputStream().write(sent);
      assertThat(echoed.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(sent);
    }
  }

  @Test
  void idleConnectionIsClosedAfterTheReadTimeout() throws Exception {
    NetSocket socket = DataPlaneHarness.await(client(false).connect(tcpPort, "127.0.0.1"));
    assertThat(harness.exchange(socket, "wake\n")).isEqualTo("wake\n");
    Promise<Void> closed = Promise.promise();
    long quietSince = System.nanoTime();
    socket.closeHandler(v -> closed.tryComplete());
    DataPlaneHarness.await(closed.future());
    long quietMillis = (System.nanoTime() - quietSince) / 1_000_000;
    assertThat(quietMillis).isBetween(1_500L, 15_000L);
  }

  @Test
  void noEndpointClosesTheConnection() throws Exception {
    int port = DataPlaneHarness.freePort();
    RoutingTable table = table(port);
    harness.apply(table);
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.dataPlane.listenerPorts().contains(port));
    NetSocket socket = DataPlaneHarness.await(client(false).connect(port, "127.0.0.1"));
    Promise<Void> closed = Promise.promise();
    socket.closeHandler(v -> closed.tryComplete());
    DataPlaneHarness.await(closed.future());
    harness.apply(table());
  }

  /**
   * A client kept for the class: Vert.x closes a client, with its connections, once the client is
   * garbage, which an unreferenced one soon is.
   */
  private static NetClient client(boolean tls) {
    return CLIENTS.computeIfAbsent(tls, overTls -> {
      NetClientOptions options = new NetClientOptions();
      if (overTls) {
        options.setSsl(true).setHostnameVerificationAlgorithm("HTTPS")
            .setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("server-cert.pem").toString()));
      }
      return harness.vertx.createNetClient(options);
    });
  }

  private static final java.util.Map<Boolean, NetClient> CLIENTS = new java.util.concurrent.ConcurrentHashMap<>();


  private static RoutingTable table() {
    return table(0);
  }

  /** The three listeners; with {@code emptyPort}, a fourth TCP listener whose cluster has no endpoint. */
  private static RoutingTable table(int emptyPort) {
    Timeouts idle2s = Timeouts.ofSeconds(2, 60, 5);
    Cluster echoCluster = new Cluster("echo", BackendProtocol.HTTP, Scheduler.WRR,
        List.of(new Endpoint("127.0.0.1", echoPort)));
    Cluster wsCluster = new Cluster("ws", BackendProtocol.HTTP, Scheduler.WRR,
        List.of(new Endpoint("127.0.0.1", webSocketBackend.port())));
    Cluster none = new Cluster("none", BackendProtocol.HTTP, Scheduler.WRR, List.of());
    Certificate server = new Certificate("apps/tcp-tls", List.of(), Openssl.read(dir.resolve("server-cert.pem")),
        Openssl.read(dir.resolve("server-key.pem")), "CN=" + HOST, List.of(HOST), "2030-01-01T00:00:00Z", "test");
    ListenerTls tls = new ListenerTls(List.of(server.name()), null, false, List.of());
    List<Listener> listeners = new java.util.ArrayList<>(List.of(
        new Listener("default-http", Protocol.HTTP, Listener.PORT_FROM_FLAGS, List.of(), null),
        new Listener("apps/tcp", Protocol.TCP, tcpPort, List.of(), route("echo", idle2s)),
        new Listener("apps/tls", Protocol.TCP_SSL, tlsPort, List.of(), route("echo", idle2s), tls),
        new Listener("apps/wss", Protocol.TCP_SSL, wssPort, List.of(), route("ws", Tables.DEFAULT_TIMEOUTS), tls)));
    if (emptyPort != 0) {
      listeners.add(new Listener("apps/empty", Protocol.TCP, emptyPort, List.of(), route("none", Tables.DEFAULT_TIMEOUTS)));
    }
    return TableCodec.stamp(RoutingTable.unpublished(listeners, List.of(echoCluster, wsCluster, none), List.of(server)),
        emptyPort == 0 ? 1 : 2);
  }

  private static Route route(String cluster, Timeouts timeouts) {
    return new Route(new PathMatch.Prefix("/"), cluster, timeouts, "test");
  }
}
