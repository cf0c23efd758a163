package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Timeouts;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** WebSocket through the data plane: frames both ways, idle timeout, table changes and drains. */
class WebSocketProxyTest {

  private static final Timeouts TWO_SECONDS_IDLE = Timeouts.ofSeconds(2, 60, 5);

  DataPlaneHarness harness;
  TestBackend chat;
  TestBackend other;

  @BeforeEach
  void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    chat = harness.backend("chat");
    other = harness.backend("other");
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
  }

  /** RFC 9110 §8.6: a 1xx carries no Content-Length (the backend's 101 went out with "content-length: 0"). */
  @Test
  void the101ToTheClientCarriesNoContentLength() throws Exception {
    harness.apply(table(1).cluster("chat", chat.port()).prefix("chat.example.com", "/ws", "chat").build());
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", harness.dataPlane.httpPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: chat.example.com\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      String head = RawHttp.readHead(socket.getInputStream()).toLowerCase(java.util.Locale.ROOT);
      assertThat(head).startsWith("http/1.1 101").contains("upgrade: websocket")
          .doesNotContain("content-length").doesNotContain("transfer-encoding");
    }
  }

  @Test
  void textBinaryPingPongAndCloseCodesPassBothWays() throws Exception {
    // Given
    harness.apply(table(1).cluster("chat", chat.port()).prefix("chat.example.com", "/ws", "chat").build());
    WebSocket ws = harness.webSocket("chat.example.com", "/ws/room");
    BlockingQueue<String> received = new ArrayBlockingQueue<>(16);
    ws.textMessageHandler(text -> received.add("text:" + text));
    ws.binaryMessageHandler(data -> received.add("binary:" + data.length()));
    ws.pongHandler(data -> received.add("pong:" + data));
    Promise<Short> closed = Promise.promise();
    ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
    // When / Then
    ws.writeTextMessage("hello");
    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("text:chat:hello");
    ws.writeBinaryMessage(Buffer.buffer(new byte[70_000]));
    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("binary:70000");
    ws.writePing(Buffer.buffer("are-you-there"));
    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("pong:are-you-there");
    // And the backend's close code reaches the client
    ws.writeTextMessage("close-me");
    assertThat(DataPlaneHarness.await(closed.future())).isEqualTo((short) 4002);
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.dataPlane.openWebSockets() == 0);
  }

  @Test
  void clientCloseCodeReachesTheBackend() throws Exception {
    // Given
    harness.apply(table(1).cluster("chat", chat.port()).prefix("chat.example.com", "/", "chat").build());
    WebSocket ws = harness.webSocket("chat.example.com", "/");
    // When
    DataPlaneHarness.await(ws.close((short) 4001, "bye"));
    // Then
    await().atMost(Duration.ofSeconds(10)).until(() -> chat.closeCodesReceived.contains(4001));
  }

  @Test
  void idleConnectionIsClosedAfterTheReadTimeout() throws Exception {
    // Given a route with a 2 s read timeout
    harness.apply(table(1).cluster("chat", chat.port())
        .route("chat.example.com", new PathMatch.Prefix("/"), "chat", TWO_SECONDS_IDLE).build());
    long opened = System.nanoTime();
    WebSocket ws = harness.webSocket("chat.example.com", "/");
    AtomicLong closedAfterMillis = new AtomicLong(-1);
    ws.closeHandler(v -> closedAfterMillis.set((System.nanoTime() - opened) / 1_000_000));
    // When nothing is sent, Then both sides are closed, not before 2 s
    await().atMost(Duration.ofSeconds(15)).until(() -> closedAfterMillis.get() >= 0);
    System.out.println("idle WebSocket closed after " + closedAfterMillis.get() + " ms (timeout 2000 ms)");
    assertThat(closedAfterMillis.get()).isBetween(1_900L, 6_000L);
    await().atMost(Duration.ofSeconds(10)).until(() -> chat.openWebSockets.get() == 0);
  }

  @Test
  void pingsFromTheClientEverySecondKeepItOpen() throws Exception {
    // Given a 2 s idle timeout
    harness.apply(table(1).cluster("chat", chat.port())
        .route("chat.example.com", new PathMatch.Prefix("/"), "chat", TWO_SECONDS_IDLE).build());
    WebSocket ws = harness.webSocket("chat.example.com", "/");
    AtomicInteger pongs = new AtomicInteger();
    ws.pongHandler(data -> pongs.incrementAndGet());
    // When the client pings every second for 5 s
    long timer = harness.vertx.setPeriodic(1000, id -> ws.writePing(Buffer.buffer("keepalive")));
    await().atMost(Duration.ofSeconds(20)).until(() -> pongs.get() >= 5);
    harness.vertx.cancelTimer(timer);
    // Then it is still open and still echoes
    assertThat(ws.isClosed()).isFalse();
    assertEchoes(ws, "still-there");
  }

  @Test
  void pingsFromTheBackendEverySecondKeepItOpen() throws Exception {
    // Given a 2 s idle timeout
    harness.apply(table(1).cluster("chat", chat.port())
        .route("chat.example.com", new PathMatch.Prefix("/"), "chat", TWO_SECONDS_IDLE).build());
    WebSocket ws = harness.webSocket("chat.example.com", "/");
    AtomicInteger backendPings = new AtomicInteger();
    ws.frameHandler(frame -> {
      if (frame.type() == io.vertx.core.http.WebSocketFrameType.PING) {
        backendPings.incrementAndGet();
      }
    });
    // When only the backend pings, every second for 5 s
    long timer = harness.vertx.setPeriodic(1000, id -> chat.pingAllClients());
    await().atMost(Duration.ofSeconds(20)).until(() -> backendPings.get() >= 5);
    harness.vertx.cancelTimer(timer);
    // Then
    assertThat(ws.isClosed()).isFalse();
  }

  @Test
  void hundredWebSocketsSurviveTwentyTableChanges() throws Exception {
    // Given 100 open WebSockets on the chat route
    harness.apply(table(1).cluster("chat", chat.port()).cluster("other", other.port())
        .prefix("chat.example.com", "/", "chat").build());
    List<WebSocket> sockets = new ArrayList<>();
    AtomicInteger closes = new AtomicInteger();
    for (int i = 0; i < 100; i++) {
      WebSocket ws = harness.webSocket("chat.example.com", "/");
      ws.closeHandler(v -> closes.incrementAndGet());
      sockets.add(ws);
    }
    // When 20 tables change other routes, listeners' hosts, and the chat route's own settings
    for (int version = 2; version <= 21; version++) {
      Tables next = table(version).cluster("chat", chat.port()).cluster("other", other.port())
          .route("chat.example.com", new PathMatch.Prefix("/"), "chat", Timeouts.ofSeconds(60 + version, 60, 5));
      for (int extra = 0; extra < version % 4; extra++) {
        next.prefix("host" + extra + ".example.com", "/v" + version, "other");
      }
      harness.apply(next.build());
    }
    // Then none of them was closed, and every one still echoes
    for (WebSocket ws : sockets) {
      assertEchoes(ws, "after-changes");
    }
    assertThat(closes.get()).isZero();
    assertThat(harness.dataPlane.openWebSockets()).isEqualTo(100);
  }

  @Test
  void removedRouteDrainsAndThenCloses() throws Exception {
    // Given a WebSocket on a route, and a drain period of 1 s
    harness.apply(table(1).cluster("chat", chat.port()).cluster("other", other.port())
        .prefix("chat.example.com", "/", "chat").prefix("other.example.com", "/", "other").build());
    WebSocket doomed = harness.webSocket("chat.example.com", "/");
    WebSocket survivor = harness.webSocket("other.example.com", "/");
    AtomicLong closedAt = new AtomicLong();
    doomed.closeHandler(v -> closedAt.set(System.nanoTime()));
    // When the route is removed
    long removedAt = System.nanoTime();
    harness.apply(table(2).cluster("other", other.port()).prefix("other.example.com", "/", "other").build());
    // Then it still works during the drain, is closed after it, and the other route's is untouched
    assertEchoes(doomed, "draining");
    await().atMost(Duration.ofSeconds(15)).until(() -> closedAt.get() != 0);
    assertThat((closedAt.get() - removedAt) / 1_000_000).isGreaterThanOrEqualTo(900L);
    assertEchoes(survivor, "untouched");
    // And new requests to the removed route get 404
    assertThat(harness.get("chat.example.com", "/").status()).isEqualTo(404);
  }

  @Test
  void endpointLeavingTheClusterDrainsItsTunnels() throws Exception {
    // Given a WebSocket to the chat endpoint
    harness.apply(table(1).cluster("pool", chat.port()).prefix("chat.example.com", "/", "pool").build());
    WebSocket ws = harness.webSocket("chat.example.com", "/");
    AtomicLong closedAt = new AtomicLong();
    ws.closeHandler(v -> closedAt.set(System.nanoTime()));
    // When the route stays but its cluster now holds only the other endpoint
    harness.apply(table(2).cluster("pool", other.port()).prefix("chat.example.com", "/", "pool").build());
    // Then the tunnel closes after the drain period
    assertEchoes(ws, "draining");
    await().atMost(Duration.ofSeconds(15)).until(() -> closedAt.get() != 0);
  }

  @Test
  void upgradedConnectionsDoNotHoldPoolSlotsOfPlainRequests() throws Exception {
    // Given more WebSockets on one route than any pool default (5)
    harness.apply(table(1).cluster("chat", chat.port()).prefix("chat.example.com", "/", "chat").build());
    List<WebSocket> sockets = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      sockets.add(harness.webSocket("chat.example.com", "/"));
    }
    // When / Then plain requests on the same route are answered
    for (int i = 0; i < 5; i++) {
      assertThat(harness.get("chat.example.com", "/plain").body()).isEqualTo("chat");
    }
    assertEchoes(sockets.get(11), "twelfth");
  }

  @Test
  void backendRefusingTheUpgradeIsRelayed() throws Exception {
    // Given a backend path that answers the upgrade with a plain response
    harness.apply(table(1).cluster("chat", chat.port()).prefix("chat.example.com", "/", "chat").build());
    chat.refuseUpgradesOn("/refused");
    // When / Then
    Throwable failure = DataPlaneHarness.awaitFailure(harness.connectWebSocket("chat.example.com", "/refused"));
    assertThat(failure.getMessage()).contains("403");
  }

  @Test
  void clientGivingUpDuringTheHandshakeReleasesTheBackendConnection() throws Exception {
    // Given a backend that never answers the upgrade
    harness.apply(table(1).cluster("chat", chat.port()).prefix("chat.example.com", "/", "chat").build());
    // Referenced to the end: Vert.x closes a garbage client's connections.
    io.vertx.core.net.NetClient netClient = harness.vertx.createNetClient();
    NetSocket client = DataPlaneHarness.await(netClient.connect(harness.dataPlane.httpPort(), "127.0.0.1"));
    client.write("GET /hang HTTP/1.1\r\nHost: chat.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> chat.connections.get() == 1);
    // When the client gives up
    client.close();
    // Then the proxy's connection to the backend goes too
    await().atMost(Duration.ofSeconds(10)).until(() -> chat.connections.get() == 0);
    DataPlaneHarness.await(netClient.close());
  }

  private static void assertEchoes(WebSocket ws, String message) throws Exception {
    BlockingQueue<String> received = new ArrayBlockingQueue<>(4);
    ws.textMessageHandler(received::add);
    ws.writeTextMessage(message);
    String answer = received.poll(10, TimeUnit.SECONDS);
    assertThat(answer).endsWith(":" + message);
  }
}
