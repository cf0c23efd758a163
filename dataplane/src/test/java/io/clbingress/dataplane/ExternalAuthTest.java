package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.table.ExternalAuth;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RouteFilter;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Timeouts;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.HostAndPort;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A route's {@link ExternalAuth} (ingress-nginx's auth-url family) with a small authentication
 * service written here: it allows {@code Bearer good} (with {@code X-User: alice} and a cookie),
 * allows {@code Bearer anonymous} without any user header, refuses {@code Bearer forbidden} with
 * 403, answers 302 (neither 2xx, 401 nor 403) to {@code Bearer odd}, never answers {@code /slow},
 * and answers 401 with {@code WWW-Authenticate} otherwise. Real clients over HTTP/1.1 (raw bytes),
 * h2, and WebSocket; the backend must see only what the service allowed, and exactly how.
 */
class ExternalAuthTest {

  static DataPlaneHarness harness;
  static TestBackend app;
  static HttpServer service;
  /** The headers of every request the service received, with its method and target. */
  static final List<MultiMap> asked = new CopyOnWriteArrayList<>();
  static final List<String> askedLines = new CopyOnWriteArrayList<>();
  static final AtomicInteger askedBodies = new AtomicInteger();
  /**
   * An auth service that keeps its first connection open after allowing a check, and resets it
   * when the next check arrives on it (a service closing an idle keep-alive connection as the proxy
   * reuses it); every later connection's check is allowed.
   */
  static ScriptedBackend resettingService;
  static final AtomicInteger resettingConnections = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    app = harness.backend("app");
    service = harness.server((request, body) -> {
      asked.add(MultiMap.caseInsensitiveMultiMap().addAll(request.headers()));
      askedLines.add(request.method() + " " + request.uri());
      if (body.length() > 0) {
        askedBodies.incrementAndGet();
      }
      if (request.path().equals("/slow")) {
        return; // never answers
      }
      String authorization = String.valueOf(request.getHeader("authorization"));
      var response = request.response();
      switch (authorization) {
        case "Bearer good" -> response.putHeader("X-User", "alice").putHeader("Set-Cookie", "auth=fresh; Path=/")
            .end("ok");
        case "Bearer anonymous" -> response.end();
        case "Bearer forbidden" -> response.setStatusCode(403).putHeader("Set-Cookie", "auth=gone").end("no");
        case "Bearer odd" -> response.setStatusCode(302).putHeader("Location", "/elsewhere").end();
        default -> response.setStatusCode(401).putHeader("WWW-Authenticate", "Bearer realm=\"test\"")
            .putHeader("Set-Cookie", "auth=none").end("who?");
      }
    });
    String check = "http://127.0.0.1:" + service.actualPort() + "/check?u=$escaped_request_uri";
    ExternalAuth plain = auth(check, null, false);
    int closed = DataPlaneHarness.freePort();
    String allowed = "HTTP/1.1 200 OK\r\nX-User: alice\r\nContent-Length: 0\r\n\r\n";
    resettingService = new ScriptedBackend((socket, head) -> {
      // counted before answering: the reply must not reach the test before the count does
      boolean first = resettingConnections.incrementAndGet() == 1;
      ScriptedBackend.write(socket, allowed);
      if (first) {
        ScriptedBackend.readHead(socket.getInputStream());
        ScriptedBackend.reset(socket);
      }
    });
    harness.apply(table(1).cluster("app", app.port())
        .route("auth.test", Tables.filtered("app", plain))
        .route("signin.test", Tables.filtered("app", new ExternalAuth(check, null,
            "https://login.example/start", null, List.of("x-user"), null, null, List.of(), false)))
        .route("always-cookie.test", Tables.filtered("app", auth(check, null, true)))
        .route("down.test", Tables.filtered("app", auth("http://127.0.0.1:" + closed + "/check", null, false)))
        .route("slow.test", new Route(PathMatch.Prefix.of("/"), "app", new Timeouts(1_000, 60_000, 5_000), "test",
            false, null, List.<RouteFilter>of(auth("http://127.0.0.1:" + service.actualPort() + "/slow", null, false))))
        .route("cached.test", Tables.filtered("app", auth(check, "$http_authorization", false)))
        .route("resetting.test", Tables.filtered("app", auth("http://127.0.0.1:" + resettingService.port() + "/check", null,
            false)))
        .route("open.test", Tables.filtered("app"))
        .overHttpsToo().build());
  }

  private static ExternalAuth auth(String url, String cacheKey, boolean alwaysSetCookie) {
    return new ExternalAuth(url, null, null, null, List.of("x-user"), null, cacheKey,
        cacheKey == null ? List.of() : List.of(new ExternalAuth.CacheDuration(List.of(200, 401), 60)), alwaysSetCookie);
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
    resettingService.close();
  }

  @BeforeEach
  void clear() {
    asked.clear();
    askedLines.clear();
    askedBodies.set(0);
    app.uris.clear();
  }

  @Test
  void anAllowedRequestGoesOnWithTheServicesHeadersAndItsCookieComesBack() throws Exception {
    RawHttp.Reply reply = RawHttp.exchangeFrom("127.0.0.2", harness.dataPlane.httpPort(), "GET /a/b?q=1 HTTP/1.1\r\n"
        + "Host: auth.test\r\nAuthorization: Bearer good\r\nX-User: mallory\r\nX-Forwarded-For: 6.6.6.6\r\n"
        + "Cookie: session=s1\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("seen-x-user")).as("the service's user, not the client's").isEqualTo("alice");
    assertThat(reply.header("set-cookie")).isEqualTo("auth=fresh; Path=/");
    assertThat(app.uris).containsExactly("/a/b?q=1");
    assertThat(askedLines).containsExactly("GET /check?u=%2Fa%2Fb%3Fq%3D1");
    MultiMap sent = asked.get(0);
    assertThat(sent.get("x-original-url")).isEqualTo("http://auth.test/a/b?q=1");
    assertThat(sent.get("x-original-method")).isEqualTo("GET");
    assertThat(sent.get("x-original-uri")).isEqualTo("/a/b?q=1");
    assertThat(sent.get("x-auth-request-redirect")).isEqualTo("/a/b?q=1");
    assertThat(sent.getAll("x-forwarded-for")).as("the client's spoofed value replaced").containsExactly("127.0.0.2");
    assertThat(sent.get("x-real-ip")).isEqualTo("127.0.0.2");
    assertThat(sent.get("x-forwarded-host")).isEqualTo("auth.test");
    assertThat(sent.get("cookie")).isEqualTo("session=s1");
    assertThat(sent.get("host")).isEqualTo("127.0.0.1:" + service.actualPort());
  }

  @Test
  void aUserHeaderTheServiceDidNotSendIsRemovedNotPassedFromTheClient() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), "GET / HTTP/1.1\r\nHost: auth.test\r\n"
        + "Authorization: Bearer anonymous\r\nX-User: admin\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("seen-x-user")).isNull();
    assertThat(reply.header("set-cookie")).isNull();
  }

  @Test
  void refusalsGoBackToTheClientAndNothingReachesTheBackend() throws Exception {
    RawHttp.Reply none = get("auth.test", null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.header("www-authenticate")).isEqualTo("Bearer realm=\"test\"");
    assertThat(none.header("set-cookie")).as("only with auth-always-set-cookie").isNull();
    RawHttp.Reply forbidden = get("auth.test", "Bearer forbidden");
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(get("auth.test", "Bearer odd").status()).as("neither 2xx, 401 nor 403").isEqualTo(500);
    assertThat(get("always-cookie.test", null).header("set-cookie")).isEqualTo("auth=none");
    assertThat(get("always-cookie.test", "Bearer forbidden").header("set-cookie")).isEqualTo("auth=gone");
    assertThat(app.uris).isEmpty();
  }

  @Test
  void a401BecomesARedirectToTheSignInPageWithTheRequestsUrl() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), "GET /app/page?x=1&y=2 HTTP/1.1\r\n"
        + "Host: signin.test\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(reply.status()).isEqualTo(302);
    assertThat(reply.header("location"))
        .isEqualTo("https://login.example/start?rd=http%3A%2F%2Fsignin.test%2Fapp%2Fpage%3Fx%3D1%26y%3D2");
    assertThat(get("signin.test", "Bearer forbidden").status()).as("403 stays 403").isEqualTo(403);
    assertThat(app.uris).isEmpty();
  }

  /**
   * A check lost by a pooled connection the service reset while it was idle is sent once more on
   * another connection (as a proxied request is, {@code StaleConnections}), not a 500. Both
   * requests come on one client connection, so that both checks go out from one event loop, whose
   * pool has the service's first connection idle when the second check goes out.
   */
  @Test
  void aCheckLostByAConnectionTheServiceResetWhileIdleIsSentAgain() throws Exception {
    String request = "GET /%s HTTP/1.1\r\nHost: resetting.test\r\n%s\r\n";
    RawHttp.Reply replies = RawHttp.exchange(harness.dataPlane.httpPort(),
        request.formatted("first", "") + request.formatted("second", "Connection: close\r\n"), 10_000);
    assertThat(replies.statuses()).as("the first check on a new connection; the second reset on it, then sent again")
        .containsExactly(200, 200);
    assertThat(resettingConnections.get()).as("connections the service saw").isEqualTo(2);
    assertThat(app.uris).containsExactly("/first", "/second");
  }

  @Test
  void aServiceThatIsDownOrSlowIsNeverAnOpenDoor() throws Exception {
    assertThat(get("down.test", "Bearer good").status()).isEqualTo(500);
    assertThat(get("slow.test", "Bearer good").status()).isEqualTo(500);
    assertThat(askedLines).containsExactly("GET /slow");
    assertThat(app.uris).isEmpty();
  }

  @Test
  void aRequestBodyWaitsForTheVerdictAndGoesOnWholeOrNotAtAll() throws Exception {
    String body = "x".repeat(200_000);
    RawHttp.Reply allowed = RawHttp.exchange(harness.dataPlane.httpPort(), "POST /echo HTTP/1.1\r\nHost: auth.test\r\n"
        + "Authorization: Bearer good\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body,
        5_000);
    assertThat(allowed.status()).isEqualTo(200);
    assertThat(allowed.text()).endsWith(body);
    assertThat(askedBodies.get()).as("the service gets no body").isZero();
    assertThat(askedLines).containsExactly("GET /check?u=%2Fecho");
    // refused: the body is read and dropped, and the next request on the connection is served
    RawHttp.Reply refused = RawHttp.exchange(harness.dataPlane.httpPort(), "POST /echo HTTP/1.1\r\nHost: auth.test\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: open.test\r\n"
        + "Connection: close\r\n\r\n", 5_000);
    assertThat(refused.statuses()).containsExactly(401, 200);
    assertThat(app.uris).containsExactly("/echo", "/next");
  }

  @Test
  void aWebSocketUpgradeIsAuthenticatedFirst() throws Exception {
    Throwable refused = DataPlaneHarness.awaitFailure(harness.onContext(() -> harness.webSockets.connect(
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(harness.dataPlane.httpPort()).setURI("/ws")
            .putHeader("host", "auth.test"))));
    assertThat(refused).isInstanceOf(UpgradeRejectedException.class);
    assertThat(((UpgradeRejectedException) refused).getStatus()).isEqualTo(401);
    assertThat(app.upgradeHeads).isEmpty();
    WebSocket ws = DataPlaneHarness.await(harness.onContext(() -> harness.webSockets.connect(
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(harness.dataPlane.httpPort()).setURI("/ws")
            .putHeader("host", "auth.test").putHeader("authorization", "Bearer good").putHeader("x-user", "mallory"))));
    assertThat(DataPlaneHarness.exchange(ws, "hello")).isEqualTo("app:hello");
    assertThat(app.upgradeHeads).hasSize(1);
    assertThat(app.upgradeHeads.get(0).getAll("x-user")).containsExactly("alice");
    DataPlaneHarness.await(ws.close());
  }

  @Test
  void overH2TheSameVerdictsHold() throws Exception {
    assertThat(h2("Bearer good")).isEqualTo("200 alice");
    assertThat(h2(null)).isEqualTo("401 null");
    assertThat(h2("Bearer forbidden")).isEqualTo("403 null");
    assertThat(app.uris).containsExactly("/h2");
  }

  @Test
  void aCachedAnswerIsReusedForTheSameKeyOnly() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(get("cached.test", "Bearer good").status()).isEqualTo(200);
    }
    assertThat(get("cached.test", "Bearer forbidden").status()).isEqualTo(403);
    assertThat(get("cached.test", "Bearer forbidden").status()).as("403 is not a cached status").isEqualTo(403);
    assertThat(get("cached.test", null).status()).isEqualTo(401);
    assertThat(get("cached.test", null).status()).isEqualTo(401);
    assertThat(askedLines).as("one ask per key, each 403, and each request whose key is empty").hasSize(5);
    assertThat(get("auth.test", "Bearer good").status()).isEqualTo(200);
    assertThat(askedLines).as("another route without a cache key asks again").hasSize(6);
  }

  @Test
  void wrongFiltersAreRefusedWhereTheTableIsMade() {
    for (String url : List.of("auth.example/check", "/check", "ftp://auth.example/", "http://", "http:///x",
        "http://auth.example/$upstream_addr", "http://auth.example/$")) {
      assertThatThrownBy(() -> new ExternalAuth(url, null, null, null, List.of(), null, null, List.of(), false))
          .as(url).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> new ExternalAuth("http://a.example/", "GET POST", null, null, List.of(), null, null,
        List.of(), false)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ExternalAuth("http://a.example/", null, null, null, List.of("x user"), null, null,
        List.of(), false)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ExternalAuth("http://a.example/", null, null, null, List.of(), null, null,
        List.of(new ExternalAuth.CacheDuration(List.of(200), 60)), false)).as("durations without a key")
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ExternalAuth.CacheDuration(List.of(600), 60)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ExternalAuth.CacheDuration(List.of(200), 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theFilterGoesThroughTheTableCodec() {
    RoutingTable table = table(2).cluster("app", app.port())
        .route("x.test", Tables.filtered("app", new ExternalAuth("https://$host/oauth2/auth", "POST",
            "https://$host/oauth2/start", "next", List.of("X-User"), "$request_uri", "$http_authorization",
            List.of(new ExternalAuth.CacheDuration(List.of(200, 202), 300)), true))).build();
    String json = TableCodec.toJson(table);
    assertThat(json).containsPattern("\"type\" ?: ?\"ExternalAuth\"");
    assertThat(TableCodec.fromJson(json)).isEqualTo(table);
  }

  private static RawHttp.Reply get(String host, String authorization) throws Exception {
    return RawHttp.exchange(harness.dataPlane.httpPort(), "GET / HTTP/1.1\r\nHost: " + host + "\r\n"
        + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "Connection: close\r\n\r\n",
        5_000);
  }

  /** An h2 request to auth.test's /h2: the status and the user the backend saw. */
  private static String h2(String authorization) throws Exception {
    int port = harness.dataPlane.httpsPort();
    RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(port).setMethod(HttpMethod.GET)
        .setURI("/h2").putHeader("x-user", "mallory");
    if (authorization != null) {
      options.putHeader("authorization", authorization);
    }
    return DataPlaneHarness.await(harness.onContext(() -> harness.h2.request(options)
        .compose(request -> request.authority(HostAndPort.create("auth.test", port)).send())
        .compose(response -> response.body().map(body -> response.statusCode() + " "
            + response.getHeader("seen-x-user")))));
  }
}
