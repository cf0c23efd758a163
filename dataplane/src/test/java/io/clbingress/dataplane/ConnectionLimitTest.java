package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.clbingress.dataplane.RawHttp.Upgrade;
import io.clbingress.dataplane.routing.ConnectionLimitZone;
import io.clbingress.dataplane.routing.LimitStatuses;
import io.clbingress.dataplane.table.ConnectionLimit;
import io.clbingress.dataplane.table.LocalRateLimit;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A route's {@link ConnectionLimit} (ingress-nginx's limit-connections with limit-whitelist, nginx's
 * limit_conn): real clients on addresses of their own (127.0.0.x) over HTTP/1.1 keep-alive, h2 and
 * WebSocket. The backend holds {@code /hold} requests until the test lets them go, so that requests
 * are in progress at a point the test knows; a request over the limit gets the configured status
 * (429 here, {@code --limit-conn-status-code}) and never reaches the backend; and the counts hold
 * nothing once every request ended, however it ended.
 */
class ConnectionLimitTest {

  static final int LIMITED = 429;
  /** The answer of a rate-limited request here ({@code --limit-req-status-code}). */
  static final int RATE_LIMITED = 420;
  static DataPlaneHarness harness;
  static HttpServer app;
  static TestBackend ws;
  /** {@code /hold} requests the app holds unanswered. */
  static final Queue<HttpServerRequest> held = new ConcurrentLinkedQueue<>();
  /** Requests that reached the app. */
  static final AtomicInteger reached = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(DataPlaneOptions.loopback(Duration.ofSeconds(1))
        .withLimitStatuses(new LimitStatuses(RATE_LIMITED, LIMITED)));
    app = harness.server((request, body) -> {
      reached.incrementAndGet();
      switch (request.path()) {
        case "/hold" -> held.add(request);
        case "/drop" -> request.connection().close(); // a backend that fails mid-request
        default -> request.response().end("app");
      }
    });
    ws = harness.backend("ws");
    harness.apply(table(1).cluster("app", app.actualPort()).cluster("ws", ws.port())
        .cluster("dead", DataPlaneHarness.freePort())
        .route("limited.test", Tables.filtered("app", new ConnectionLimit(2, List.of("127.0.0.9"))))
        .route("ws.test", Tables.filtered("ws", new ConnectionLimit(1, List.of())))
        .route("dead.test", Tables.filtered("dead", new ConnectionLimit(1, List.of())))
        .route("rated.test", Tables.filtered("app", new LocalRateLimit(0, 1, 1, List.of()),
            new ConnectionLimit(1, List.of())))
        .overHttpsToo().build());
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  @AfterEach
  void nothingIsCountedAfterwards() {
    answerHeld();
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.dataPlane.connectionLimitEntries() == 0);
  }

  /** Answers every held request. */
  private static void answerHeld() {
    for (HttpServerRequest request = held.poll(); request != null; request = held.poll()) {
      if (!request.response().closed()) {
        request.response().end("held");
      }
    }
  }

  /** {@code socket}, a kept-alive connection, once it has sent a request of {@code target} on limited.test. */
  private static Socket send(Socket socket, String target) throws IOException {
    return send(socket, "limited.test", target);
  }

  /** {@code socket} once it has sent a request of {@code target} on {@code host}, its answer not read yet. */
  private static Socket send(Socket socket, String host, String target) throws IOException {
    socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1));
    return socket;
  }

  private static Socket connectFrom(String from) throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(from, 0));
    socket.connect(new InetSocketAddress("127.0.0.1", harness.dataPlane.httpPort()));
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Reads one answer on a kept-alive connection: its status, after reading its body. */
  private static int readAnswer(Socket socket) throws IOException {
    String head = RawHttp.readHead(socket.getInputStream());
    String length = new RawHttp.Reply(head, false).header("content-length");
    socket.getInputStream().readNBytes(length == null ? 0 : Integer.parseInt(length));
    return Integer.parseInt(head.substring(9, 12));
  }

  /** The status of one request of {@code target} on {@code host} from {@code from}, on a connection of its own. */
  private static int status(String from, String host, String target) throws IOException {
    return RawHttp.exchangeFrom(from, harness.dataPlane.httpPort(), "GET " + target + " HTTP/1.1\r\nHost: " + host
        + "\r\nConnection: close\r\n\r\n", 10_000).status();
  }

  @Test
  void http11RequestsInProgressAreCountedAndIdleKeptAliveConnectionsAreNot() throws Exception {
    try (Socket first = connectFrom("127.0.0.2"); Socket second = connectFrom("127.0.0.2")) {
      send(first, "/hold");
      send(second, "/hold");
      await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 2);
      int reachedBefore = reached.get();
      List<Integer> answers = new ArrayList<>();
      answers.add(status("127.0.0.2", "limited.test", "/"));
      answers.add(status("127.0.0.2", "limited.test", "/"));
      answers.add(status("127.0.0.3", "limited.test", "/"));
      answers.add(status("127.0.0.9", "limited.test", "/"));
      assertThat(answers).as("two in progress from .2: a third is refused; others and the exempt are served")
          .containsExactly(LIMITED, LIMITED, 200, 200);
      assertThat(reached.get() - reachedBefore).as("the refused requests never reached the backend").isEqualTo(2);
      answerHeld();
      assertThat(List.of(readAnswer(first), readAnswer(second))).containsExactly(200, 200);
      // both connections stay open, idle: nginx counts a connection only while it has a request in progress
      assertThat(List.of(status("127.0.0.2", "limited.test", "/"), status("127.0.0.2", "limited.test", "/")))
          .containsExactly(200, 200);
      // the kept-alive connections' next requests count again
      send(first, "/hold");
      send(second, "/hold");
      await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 2);
      assertThat(status("127.0.0.2", "limited.test", "/")).isEqualTo(LIMITED);
      answerHeld();
      assertThat(List.of(readAnswer(first), readAnswer(second))).containsExactly(200, 200);
    }
  }

  @Test
  void eachHttp2StreamCountsAndAResetStreamGivesItsPlaceBack() throws Exception {
    HttpClientAgent h2 = harness.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
        .setVerifyHost(false).setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2).setLocalAddress("127.0.0.4"),
        new PoolOptions().setHttp2MaxSize(1));
    try {
      List<HttpClientRequest> streams = new ArrayList<>();
      List<Future<Integer>> holding = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        holding.add(harness.onContext(() -> h2.request(h2Request("/hold")).compose(request -> {
          synchronized (streams) {
            streams.add(request);
          }
          return request.authority(HostAndPort.create("limited.test", harness.dataPlane.httpsPort())).send();
        }).map(response -> response.statusCode())));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 2);
      assertThat(h2Status("/")).as("a third stream from the same client").isEqualTo(LIMITED);
      HttpServerRequest firstHeld = held.peek();
      synchronized (streams) {
        streams.forEach(stream -> stream.reset());
      }
      // the backend sees its request go once the proxy has ended the client's stream
      await().atMost(Duration.ofSeconds(10)).until(() -> firstHeld.response().closed());
      await().atMost(Duration.ofSeconds(10)).until(() -> held.stream().allMatch(r -> r.response().closed()));
      assertThat(List.of(h2Status("/"), h2Status("/"))).as("the reset streams gave their places back")
          .containsExactly(200, 200);
    } finally {
      h2.close();
    }
  }

  private static RequestOptions h2Request(String target) {
    return new RequestOptions().setHost("127.0.0.1").setPort(harness.dataPlane.httpsPort()).setURI(target);
  }

  private static int h2Status(String target) throws Exception {
    HttpClientAgent h2 = harness.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
        .setVerifyHost(false).setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2).setLocalAddress("127.0.0.4"));
    try {
      return DataPlaneHarness.await(harness.onContext(() -> h2.request(h2Request(target))
          .compose(request -> request.authority(HostAndPort.create("limited.test", harness.dataPlane.httpsPort()))
              .send())
          .compose(response -> response.body().map(body -> response.statusCode()))));
    } finally {
      h2.close();
    }
  }

  @Test
  void aWebSocketCountsUntilItsTunnelCloses() throws Exception {
    int port = harness.dataPlane.httpPort();
    Upgrade first = RawHttp.upgradeFrom("127.0.0.5", port, "ws.test");
    Upgrade second = RawHttp.upgradeFrom("127.0.0.5", port, "ws.test");
    second.socket().close();
    Upgrade other = RawHttp.upgradeFrom("127.0.0.6", port, "ws.test");
    other.socket().close();
    assertThat(List.of(first.status(), second.status(), other.status())).containsExactly(101, LIMITED, 101);
    first.socket().close();
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.dataPlane.connectionLimitEntries() == 0);
    Upgrade again = RawHttp.upgradeFrom("127.0.0.5", port, "ws.test");
    again.socket().close();
    assertThat(again.status()).as("the closed tunnel gave its place back").isEqualTo(101);
  }

  @Test
  void everyWayARequestEndsGivesItsPlaceBack() throws Exception {
    // the client vanishes while its request is in progress
    Socket vanishing = send(connectFrom("127.0.0.7"), "/hold");
    await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 1);
    vanishing.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.dataPlane.connectionLimitEntries() == 0);
    answerHeld();
    // the backend cannot be reached (limit 1: a second attempt would be refused if the first kept its place)
    assertThat(List.of(status("127.0.0.7", "dead.test", "/"), status("127.0.0.7", "dead.test", "/")))
        .containsExactly(502, 502);
    // nor for an upgrade
    Upgrade refused = RawHttp.upgradeFrom("127.0.0.7", harness.dataPlane.httpPort(), "dead.test");
    refused.socket().close();
    assertThat(refused.status()).isEqualTo(502);
    assertThat(status("127.0.0.7", "dead.test", "/")).isEqualTo(502);
    // the backend fails mid-request, twice on one kept-alive connection (limit 2 from one address: three)
    try (Socket kept = connectFrom("127.0.0.7")) {
      assertThat(List.of(readAnswer(send(kept, "/drop")), readAnswer(send(kept, "/drop")),
          readAnswer(send(kept, "/drop")))).containsExactly(502, 502, 502);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.dataPlane.connectionLimitEntries() == 0);
  }

  @Test
  void eachLimitAnswersWithItsConfiguredStatus() throws Exception {
    // one a minute with a burst of one: two at once pass, the third is over the rate
    List<Integer> answers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      answers.add(status("127.0.0.8", "rated.test", "/"));
    }
    assertThat(answers).containsExactly(200, 200, RATE_LIMITED);
    // from another client: one request held, the next passes the rate but not the connection limit
    // (1), and the one after is over the rate first (nginx runs limit_req before limit_conn)
    try (Socket holding = send(connectFrom("127.0.0.10"), "rated.test", "/hold")) {
      await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 1);
      assertThat(List.of(status("127.0.0.10", "rated.test", "/"), status("127.0.0.10", "rated.test", "/")))
          .containsExactly(LIMITED, RATE_LIMITED);
    }
  }

  @Test
  void aZoneCountsAtMostItsBoundOfAddressesAndForgetsAnAddressAtZero() {
    ConnectionLimitZone zone = new ConnectionLimitZone(new ConnectionLimit(1, List.of("10.9.0.0/16")), 503);
    List<ConnectionLimitZone.Lease> leases = new ArrayList<>();
    for (int i = 0; i < ConnectionLimitZone.MAX_CLIENTS; i++) {
      ConnectionLimitZone.Lease lease = zone.acquire("10." + (i >> 16) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff));
      assertThat(lease).isNotNull();
      leases.add(lease);
    }
    assertThat(zone.clientsCounted()).isEqualTo(ConnectionLimitZone.MAX_CLIENTS);
    assertThat(zone.acquire("192.0.2.1")).as("a new address beyond the bound is refused, as nginx's full zone")
        .isNull();
    assertThat(zone.acquire("10.0.0.0")).as("an address at its limit").isNull();
    assertThat(zone.acquire("10.9.1.1")).as("an exempt address counts for nothing").isSameAs(ConnectionLimitZone.NONE);
    leases.forEach(ConnectionLimitZone.Lease::release);
    leases.forEach(ConnectionLimitZone.Lease::release); // a second release changes nothing
    assertThat(zone.clientsCounted()).isZero();
    assertThat(zone.acquire("192.0.2.1")).isNotNull();
  }

  @Test
  void wrongLimitsAreRefusedWhereTheTableIsMade() {
    assertThatThrownBy(() -> new ConnectionLimit(0, List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ConnectionLimit(ConnectionLimit.MAX + 1, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ConnectionLimit(1, List.of("10.0.0.0/33"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LimitStatuses(399, 503)).hasMessageContaining("limit-req-status-code");
    assertThatThrownBy(() -> new LimitStatuses(503, 600)).hasMessageContaining("limit-conn-status-code");
  }
}
