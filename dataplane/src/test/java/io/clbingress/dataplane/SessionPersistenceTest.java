package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RouteFilter;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.SessionCookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sticky sessions by cookie: a client stays on its endpoint for the TTL, then is scheduled anew. */
class SessionPersistenceTest {

  static DataPlaneHarness harness;
  static List<TestBackend> backends = new ArrayList<>();
  static long version;

  /** An exchange's answering backend and the session cookie it set, if any. */
  record Answer(String backend, String setCookie) {
  }

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    for (String name : List.of("a", "b", "c")) {
      backends.add(harness.backend(name));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void cookieHoldsAClientOnItsEndpointForAHundredRequests() throws Exception {
    apply(3600, backends);
    Answer first = get(null);
    assertThat(first.setCookie()).startsWith("clb_session=").contains("Max-Age=3600", "Path=/", "HTTPOnly", "SameSite=Lax");
    String cookie = cookieOf(first);
    for (int i = 0; i < 100; i++) {
      Answer next = get(cookie);
      assertThat(next.backend()).isEqualTo(first.backend());
      assertThat(next.setCookie()).isNull();
    }
    // Without the cookie the scheduler spreads requests (round robin over three)
    Set<String> spread = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      spread.add(get(null).backend());
    }
    assertThat(spread).hasSize(3);
  }

  @Test
  void sessionExpiresAfterItsTtl() throws Exception {
    apply(2, backends);
    Answer first = get(null);
    String cookie = cookieOf(first);
    long started = System.nanoTime();
    assertThat(get(cookie).setCookie()).isNull();
    // The server refuses the cookie once its TTL is over, even though this client keeps sending it
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> get(cookie).setCookie() != null);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
  }

  @Test
  void anEndpointLeavingBreaksOnlyItsOwnSessions() throws Exception {
    apply(3600, backends);
    // Given one session on each endpoint
    List<Answer> sessions = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sessions.add(get(null));
    }
    assertThat(sessions.stream().map(Answer::backend)).containsExactlyInAnyOrder("a", "b", "c");
    // When b leaves the cluster
    apply(3600, List.of(backends.get(0), backends.get(2)));
    // Then a's and c's sessions stay, b's client gets a new endpoint and a new cookie
    for (Answer session : sessions) {
      Answer now = get(cookieOf(session));
      if (session.backend().equals("b")) {
        assertThat(now.backend()).isIn("a", "c");
        assertThat(now.setCookie()).startsWith("clb_session=");
      } else {
        assertThat(now.backend()).isEqualTo(session.backend());
        assertThat(now.setCookie()).isNull();
      }
    }
  }

  @Test
  void webSocketUpgradeFollowsTheSessionCookie() throws Exception {
    apply(3600, backends);
    Answer session = get(null);
    for (int i = 0; i < 3; i++) {
      var ws = DataPlaneHarness.await(harness.onContext(() -> harness.webSockets.connect(new WebSocketConnectOptions()
          .setHost("127.0.0.1").setPort(harness.dataPlane.httpPort()).setURI("/ws").putHeader("host", "app.example.com")
          .putHeader("cookie", cookieOf(session)))));
      io.vertx.core.Promise<String> echo = io.vertx.core.Promise.promise();
      ws.textMessageHandler(echo::tryComplete);
      ws.writeTextMessage("who");
      assertThat(DataPlaneHarness.await(echo.future())).isEqualTo(session.backend() + ":who");
      DataPlaneHarness.await(ws.close());
    }
  }

  /**
   * ingress-nginx's affinity cookie shapes ({@link SessionCookie}): its name is the one read and
   * set, with its Path, SameSite and Secure, and without Max-Age for a browser-session cookie.
   */
  @Test
  void aSessionCookieFilterNamesAndShapesTheCookie() throws Exception {
    apply(3600, backends, new SessionCookie("INGRESSCOOKIE", "/app", "Strict", true, true));
    Answer first = get(null);
    assertThat(first.setCookie()).startsWith("INGRESSCOOKIE=").contains("Path=/app", "SameSite=Strict", "Secure",
        "HTTPOnly").doesNotContain("Max-Age", "Expires");
    for (int i = 0; i < 20; i++) {
      Answer next = get(cookieOf(first));
      assertThat(next.backend()).isEqualTo(first.backend());
      assertThat(next.setCookie()).isNull();
    }
    // the default name is not read on this route: a clb_session cookie starts a new session
    assertThat(get(cookieOf(first).replace("INGRESSCOOKIE=", "clb_session=")).setCookie()).startsWith("INGRESSCOOKIE=");
    var ws = DataPlaneHarness.await(harness.onContext(() -> harness.webSockets.connect(new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(harness.dataPlane.httpPort()).setURI("/ws").putHeader("host", "app.example.com")
        .putHeader("cookie", "other=1; " + cookieOf(first)))));
    assertThat(DataPlaneHarness.exchange(ws, "who")).isEqualTo(first.backend() + ":who");
    DataPlaneHarness.await(ws.close());
  }

  @Test
  void aSessionCookieNeedsStickySessionsAndAValidShape() {
    SessionCookie cookie = new SessionCookie("INGRESSCOOKIE", null, null, false, false);
    assertThatThrownBy(() -> new Route(new PathMatch.Prefix("/"), "app", Tables.DEFAULT_TIMEOUTS, "t", false, null,
        List.of(cookie))).hasMessageContaining("needs sticky sessions");
    assertThatThrownBy(() -> new SessionCookie("a b", null, null, false, false)).hasMessageContaining("not a token");
    assertThatThrownBy(() -> new SessionCookie("n", "/a; Domain=evil.example", null, false, false))
        .hasMessageContaining("without ;");
    assertThatThrownBy(() -> new SessionCookie("n", "relative", null, false, false)).hasMessageContaining("start with /");
    assertThatThrownBy(() -> new SessionCookie("n", null, "lax", false, false)).hasMessageContaining("not Strict, Lax or None");
  }

  private static String cookieOf(Answer answer) {
    return answer.setCookie().substring(0, answer.setCookie().indexOf(';'));
  }

  private static Answer get(String cookie) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
        .setPort(harness.dataPlane.httpPort()).setURI("/").putHeader("host", "app.example.com");
    if (cookie != null) {
      options.putHeader("cookie", cookie);
    }
    return DataPlaneHarness.await(harness.onContext(() -> harness.http.request(options)
        .compose(r -> r.send()).compose(r -> r.body().map(b -> new Answer(b.toString(), r.getHeader("set-cookie"))))));
  }

  private static void apply(int ttlSeconds, List<TestBackend> endpoints, RouteFilter... filters) {
    Cluster cluster = new Cluster("app", BackendProtocol.HTTP, Scheduler.WRR,
        endpoints.stream().map(b -> new Endpoint("127.0.0.1", b.port())).toList());
    Route route = new Route(new PathMatch.Prefix("/"), "app", Tables.DEFAULT_TIMEOUTS, "test", false, ttlSeconds,
        List.of(filters));
    RoutingTable table = table(++version).cluster(cluster).route("app.example.com", route).build();
    harness.apply(table);
  }
}
