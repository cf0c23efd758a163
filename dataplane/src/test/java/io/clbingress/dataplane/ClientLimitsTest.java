package io.clbingress.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.ClientLimits;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.VirtualHost;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A listener's client limits (CLBListener spec.defaults), driven over raw sockets so that the
 * test controls every byte: 408 for a slow request head, the keep-alive timeout, 413 over the
 * body limit (declared or chunked), and WebSockets untouched by keep-alive.
 */
class ClientLimitsTest {

  static DataPlaneHarness harness;
  static TestBackend backend;
  static int limited;
  static int noKeepAlive;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    backend = harness.backend("app");
    limited = DataPlaneHarness.freePort();
    noKeepAlive = DataPlaneHarness.freePort();
    Cluster cluster = new Cluster("app", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", backend.port())));
    List<VirtualHost> hosts = List.of(new VirtualHost("*", List.of(
            new Route(new PathMatch.Prefix("/"), "app", Tables.DEFAULT_TIMEOUTS, "test"))),
        // ingress-nginx's proxy-body-size on a route: its own limit, or 0 for none, instead of the listener's
        new VirtualHost("small.example.com", List.of(
            new Route(new PathMatch.Prefix("/"), "app", Tables.DEFAULT_TIMEOUTS, "test", false, null, List.of(), 100L))),
        new VirtualHost("unlimited.example.com", List.of(
            new Route(new PathMatch.Prefix("/"), "app", Tables.DEFAULT_TIMEOUTS, "test", false, null, List.of(), 0L))));
    RoutingTable table = TableCodec.stamp(RoutingTable.unpublished(List.of(
        new Listener("default-http", Protocol.HTTP, Listener.PORT_FROM_FLAGS, List.of(), null),
        new Listener("apps/limited", Protocol.HTTP, limited, hosts, null, null, new ClientLimits(1500, 1000, 1000)),
        new Listener("apps/no-keepalive", Protocol.HTTP, noKeepAlive, hosts, null, null, new ClientLimits(0, 1000, 0))),
        List.of(cluster)), 1);
    harness.apply(table);
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.dataPlane.listenerPorts().containsAll(List.of(limited, noKeepAlive)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void slowRequestHeadGets408AndTheConnectionCloses() throws Exception {
    Raw raw = Raw.connect(limited);
    long started = System.nanoTime();
    raw.socket.write("GET /slow-head HTTP/1.1\r\nHost: app.example.com\r\n");
    raw.awaitClosed();
    assertThat(raw.received()).startsWith("HTTP/1.1 408");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(800), Duration.ofSeconds(15));
  }

  @Test
  void idleKeepAliveConnectionIsClosedAfterTheKeepAliveTimeout() throws Exception {
    Raw raw = Raw.connect(limited);
    raw.socket.write("GET /one HTTP/1.1\r\nHost: app.example.com\r\n\r\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> raw.received().contains("\r\n\r\napp"));
    long answered = System.nanoTime();
    raw.awaitClosed();
    assertThat(raw.received()).startsWith("HTTP/1.1 200").doesNotContain("HTTP/1.1 408");
    assertThat(Duration.ofNanos(System.nanoTime() - answered)).isBetween(Duration.ofMillis(1300), Duration.ofSeconds(15));
  }

  @Test
  void keepAliveZeroClosesAfterEachResponse() throws Exception {
    Raw raw = Raw.connect(noKeepAlive);
    raw.socket.write("GET /one HTTP/1.1\r\nHost: app.example.com\r\n\r\n");
    raw.awaitClosed();
    assertThat(raw.received()).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close").endsWith("app");
  }

  @Test
  void declaredBodyOverTheLimitGets413WithoutReachingTheBackend() throws Exception {
    assertThat(post("app.example.com", "Content-Length: 1001", "x".repeat(1001))).startsWith("HTTP/1.1 413");
  }

  @Test
  void chunkedBodyOverTheLimitGets413AndOneUnderItPasses() throws Exception {
    assertThat(post("app.example.com", CHUNKED, chunk(600) + chunk(600) + "0\r\n\r\n")).startsWith("HTTP/1.1 413");
    assertThat(post("app.example.com", CHUNKED + "\r\nConnection: close", chunk(400) + chunk(400) + "0\r\n\r\n"))
        .startsWith("HTTP/1.1 200").contains("x".repeat(800));
  }

  @Test
  void aRoutesOwnBodyLimitReplacesTheListenersDeclaredOrChunked() throws Exception {
    assertThat(post("small.example.com", "Content-Length: 101", "x".repeat(101))).startsWith("HTTP/1.1 413");
    assertThat(post("small.example.com", CHUNKED, chunk(60) + chunk(60) + "0\r\n\r\n")).startsWith("HTTP/1.1 413");
    assertThat(post("small.example.com", "Content-Length: 100\r\nConnection: close", "x".repeat(100)))
        .startsWith("HTTP/1.1 200").contains("x".repeat(100));
  }

  @Test
  void aRouteBodyLimitOfZeroLiftsTheListenersLimit() throws Exception {
    assertThat(post("unlimited.example.com", CHUNKED + "\r\nConnection: close", chunk(900) + chunk(900) + "0\r\n\r\n"))
        .startsWith("HTTP/1.1 200").contains("x".repeat(1800));
  }

  private static final String CHUNKED = "Transfer-Encoding: chunked";

  /** A POST to /echo on the limited listener (headers CRLF-separated, without the last CRLF); what came back once the server closed. */
  private static String post(String host, String headers, String body) throws Exception {
    Raw raw = Raw.connect(limited);
    raw.socket.write("POST /echo HTTP/1.1\r\nHost: " + host + "\r\n" + headers + "\r\n\r\n" + body);
    raw.awaitClosed();
    return raw.received();
  }

  @Test
  void webSocketOnAListenerWithAShortKeepAliveStaysOpen() throws Exception {
    WebSocket ws = DataPlaneHarness.await(harness.onContext(() -> harness.webSockets.connect(new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(limited).setURI("/ws").putHeader("host", "app.example.com"))));
    long opened = System.nanoTime();
    // Longer than the 1.5 s keep-alive timeout: the echo shows the tunnel is still up
    await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(10)).until(() -> true);
    Promise<String> echo = Promise.promise();
    ws.textMessageHandler(echo::tryComplete);
    ws.writeTextMessage("still here");
    assertThat(DataPlaneHarness.await(echo.future())).isEqualTo("app:still here");
    assertThat(Duration.ofNanos(System.nanoTime() - opened)).isGreaterThan(Duration.ofMillis(2500));
    DataPlaneHarness.await(ws.close());
  }

  private static String chunk(int size) {
    return Integer.toHexString(size) + "\r\n" + "x".repeat(size) + "\r\n";
  }


  /** A plain TCP client: what it received, and whether the server closed. */
  private record Raw(NetSocket socket, Buffer buffer, Promise<Void> closed) {

    /** Held for the class: Vert.x closes a client, and its connections, once it is garbage. */
    static final io.vertx.core.net.NetClient CLIENT = harness.vertx.createNetClient();

    static Raw connect(int port) throws Exception {
      Buffer buffer = Buffer.buffer();
      Promise<Void> closed = Promise.promise();
      NetSocket socket = DataPlaneHarness.await(harness.onContext(() -> CLIENT
          .connect(port, "127.0.0.1").onSuccess(s -> {
            s.handler(data -> {
              synchronized (buffer) {
                buffer.appendBuffer(data);
              }
            });
            s.closeHandler(v -> closed.tryComplete());
          })));
      return new Raw(socket, buffer, closed);
    }

    String received() {
      synchronized (buffer) {
        return buffer.toString();
      }
    }

    void awaitClosed() throws Exception {
      DataPlaneHarness.await(closed.future());
    }
  }
}
