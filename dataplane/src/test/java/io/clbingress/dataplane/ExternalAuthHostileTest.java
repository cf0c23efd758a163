package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.Canary;
import io.clbingress.dataplane.table.ExternalAuth;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.RegexSubstitution;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RouteFilter;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.URLRewrite;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile clients (and a hostile-ish authentication service) against a route's
 * {@link ExternalAuth}: nothing of a request may reach the backend before the service allowed it,
 * the identity headers the backend trusts must come from the service only, and the proxy must
 * neither hang nor ask a service the operator did not name.
 *
 * <p>The service: {@code Bearer good} 200 with {@code X-User: alice}; {@code Bearer anonymous} 200
 * without headers; {@code Bearer late} 401 after {@link #LATE_MILLIS}; {@code Bearer late-good} 200
 * ({@code X-User: alice}) after {@link #LATE_MILLIS}; {@code Bearer a-only} 200 only when asked
 * with Host {@code a.example.com} (a per-host service); {@code Bearer many-challenges} 401 with
 * many WWW-Authenticate lines; anything else 401.
 */
class ExternalAuthHostileTest {

  static final long LATE_MILLIS = 600;

  static DataPlaneHarness harness;
  static TestBackend app;
  static TestBackend canaryApp;
  /** The backend of wedge.test, which the h2 query tests may wedge (kept apart from app's pool). */
  static TestBackend victim;
  static HttpServer service;
  /** A second service, whose /hang never answers (its own connection pool in the data plane). */
  static HttpServer hangingService;
  static final List<MultiMap> asked = new CopyOnWriteArrayList<>();
  static final List<String> askedLines = new CopyOnWriteArrayList<>();
  static final AtomicLong version = new AtomicLong(1);

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    app = harness.backend("app");
    canaryApp = harness.backend("canary");
    victim = harness.backend("victim");
    service = harness.server((request, body) -> {
      asked.add(MultiMap.caseInsensitiveMultiMap().addAll(request.headers()));
      askedLines.add(request.method() + " " + request.uri());
      var response = request.response();
      switch (String.valueOf(request.getHeader("authorization"))) {
        case "Bearer good" -> response.putHeader("X-User", "alice").end("ok");
        case "Bearer anonymous" -> response.end();
        case "Bearer late" -> harness.vertx.setTimer(LATE_MILLIS, t -> response.setStatusCode(401).end());
        case "Bearer late-good" -> harness.vertx.setTimer(LATE_MILLIS, t -> response.putHeader("X-User", "alice").end());
        case "Bearer a-only" -> {
          if (String.valueOf(request.getHeader("host")).startsWith("a.example.com")) {
            response.putHeader("X-User", "alice-of-a").end();
          } else {
            response.setStatusCode(401).end();
          }
        }
        case "Bearer public-only" -> {
          if (String.valueOf(request.getHeader("x-original-uri")).startsWith("/public")) {
            response.putHeader("X-User", "reader").end();
          } else {
            response.setStatusCode(403).end();
          }
        }
        case "null" -> {
          if (request.headers().getAll("cookie").stream().anyMatch(line -> line.contains("session=alice-secret"))) {
            response.putHeader("X-User", "alice").end();
          } else {
            response.setStatusCode(401).end();
          }
        }
        case "Bearer many-challenges" -> {
          response.setStatusCode(401);
          for (int i = 0; i < 300; i++) {
            response.headers().add("WWW-Authenticate", "Bearer realm=\"r" + i + "\", error=\"" + "e".repeat(60) + "\"");
          }
          response.end();
        }
        default -> response.setStatusCode(401).end();
      }
    });
    hangingService = harness.server((request, body) -> {
      if (!request.path().equals("/hang")) {
        request.response().end();
      }
    });
    harness.apply(baseTable(List.of("x-user")));
  }

  private static String check() {
    return "http://127.0.0.1:" + service.actualPort() + "/check";
  }

  private static ExternalAuth auth(String url, List<String> responseHeaders, String cacheKey) {
    return new ExternalAuth(url, null, null, null, responseHeaders, null, cacheKey,
        cacheKey == null ? List.of() : List.of(new ExternalAuth.CacheDuration(List.of(200, 401), 60)), false);
  }

  /** The table of every test; {@code cachedHeaders}: the auth-response-headers of cached.test. */
  static RoutingTable baseTable(List<String> cachedHeaders) {
    ExternalAuth plain = auth(check(), List.of("x-user"), null);
    // one Ingress ("test") with two hosts and a per-host service (ingress-nginx's https://$host/oauth2/auth)
    ExternalAuth perHost = auth("http://$host:" + service.actualPort() + "/check", List.of("x-user"),
        "$http_authorization");
    return table(version.incrementAndGet()).cluster("app", app.port()).cluster("canary", canaryApp.port()).cluster("victim", victim.port())
        .route("auth.test", Tables.filtered("app", plain))
        .route("cached.test", Tables.filtered("app", auth(check(), cachedHeaders, "$http_authorization")))
        .route("a.example.com", Tables.filtered("app", perHost))
        .route("b.example.com", Tables.filtered("app", perHost))
        .route("canary.test", Tables.filtered("app", plain, new Canary("canary", "X-Canary", null, null, null, 0, 100)))
        .route("rewrite.test", new Route(PathMatch.Prefix.of("/"), "app", Tables.DEFAULT_TIMEOUTS, "test", false, null,
            List.<RouteFilter>of(plain, new URLRewrite(null, new RegexSubstitution("^/public(/.*)?$", "/admin$1")))))
        .route("open.test", Tables.filtered("app"))
        // one Ingress ("test") with two paths, a service that authorizes by path (Authelia's access
        // rules, OPA), and answers cached per token
        .route("paths.test", new Route(PathMatch.Prefix.of("/public"), "app", Tables.DEFAULT_TIMEOUTS, "test", false,
            null, List.<RouteFilter>of(auth(check(), List.of("x-user"), "$http_authorization"))))
        .route("paths.test", new Route(PathMatch.Prefix.of("/admin"), "app", Tables.DEFAULT_TIMEOUTS, "test", false,
            null, List.<RouteFilter>of(auth(check(), List.of("x-user"), "$http_authorization"))))
        .route("wedge.test", Tables.filtered("victim"))
        .route("crumbs.test", Tables.filtered("app", auth(check(), List.of("x-user"), "$cookie_session")))
        .route("hang.test", Tables.filtered("app", auth("http://127.0.0.1:" + hangingService.actualPort() + "/hang",
            List.of(), null)))
        .route("legit.test", Tables.filtered("app", auth("http://127.0.0.1:" + hangingService.actualPort() + "/check",
            List.of(), null)))
        .overHttpsToo().build();
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  @BeforeEach
  void clear() {
    asked.clear();
    askedLines.clear();
    app.uris.clear();
    app.upgradeHeads.clear();
    canaryApp.uris.clear();
  }

  // ---- identity headers ----

  /**
   * nginx (so ingress-nginx, {@code enable-underscores-in-headers: false}) drops every client header
   * with an underscore. Behind clb-ingress, {@code X_User} reaches the backend, where CGI, WSGI,
   * Rack (Puma before 6.4.2, CVE-2024-45614), PHP and others read it as {@code HTTP_X_USER}: the
   * very header the service's answer is meant to set.
   */
  @Test
  void anUnderscoreSpellingOfAnAuthResponseHeaderDoesNotReachTheBackend() throws Exception {
    RawHttp.Reply anonymous = RawHttp.exchange(harness.dataPlane.httpPort(), "GET / HTTP/1.1\r\nHost: auth.test\r\n"
        + "Authorization: Bearer anonymous\r\nX_User: admin\r\nx_user: root\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(anonymous.status()).isEqualTo(200);
    assertThat(anonymous.header("seen-x-user")).isNull();
    assertThat(anonymous.text().toLowerCase()).as("the backend saw the client's X_User").doesNotContain("seen-x_user");
    RawHttp.Reply alice = RawHttp.exchange(harness.dataPlane.httpPort(), "GET / HTTP/1.1\r\nHost: auth.test\r\n"
        + "X_User: admin\r\nAuthorization: Bearer good\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(alice.header("seen-x-user")).isEqualTo("alice");
    assertThat(alice.text().toLowerCase()).as("the backend saw the client's X_User").doesNotContain("seen-x_user");
  }

  @Test
  void headerNamesInOtherCasesOrDuplicatedAreAllReplaced() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), "GET / HTTP/1.1\r\nHost: auth.test\r\n"
        + "x-user: one\r\nX-USER: two\r\nAuthorization: Bearer good\r\nX-User: three\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.text().toLowerCase()).contains("seen-x-user: alice").doesNotContain("seen-x-user: one")
        .doesNotContain("seen-x-user: two").doesNotContain("seen-x-user: three");
    // a space before the colon, or a tab: refused or read as X-User (and replaced), never passed on as it is
    RawHttp.Reply spaced = RawHttp.exchange(harness.dataPlane.httpPort(), "GET / HTTP/1.1\r\nHost: auth.test\r\n"
        + "X-User : admin\r\nAuthorization: Bearer anonymous\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(spaced.text().toLowerCase()).doesNotContain("admin");
  }

  @Test
  void overH2AnAnonymousAnswerRemovesTheClientsUserHeader() throws Exception {
    int port = harness.dataPlane.httpsPort();
    RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(port).setMethod(HttpMethod.GET)
        .setURI("/h2").putHeader("x-user", "mallory").putHeader("authorization", "Bearer anonymous");
    String seen = DataPlaneHarness.await(harness.onContext(() -> harness.h2.request(options)
        .compose(request -> request.authority(HostAndPort.create("auth.test", port)).send())
        .compose(response -> response.body().map(body -> response.statusCode() + " "
            + response.getHeader("seen-x-user")))));
    assertThat(seen).isEqualTo("200 null");
  }

  /**
   * The service's side of the same: nginx never passes it a client's {@code X_Original_URI} or
   * {@code X_Forwarded_For}; here it gets them next to the proxy's own {@code X-Original-URI} and
   * {@code X-Forwarded-For}, which a CGI/WSGI/Rack/PHP service reads under the same name.
   */
  @Test
  void theServiceGetsNoUnderscoreSpellingOfTheHeadersTheProxySets() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), "GET /admin HTTP/1.1\r\nHost: auth.test\r\n"
        + "Authorization: Bearer anonymous\r\nX_Original_URI: /public\r\nX_Original_Method: GET\r\n"
        + "X_Forwarded_For: 10.0.0.1\r\nX_Real_IP: 10.0.0.1\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(asked.get(0).names().stream().filter(name -> name.contains("_")).toList())
        .as("client headers that alias the proxy's for the service").isEmpty();
  }

  /** CR/LF or NUL in an h2 header value or :path must not reach the service's (HTTP/1.1) request. */
  @Test
  void controlCharactersInAnH2RequestNeverReachTheService() throws Exception {
    List<Http2Headers> requests = List.of(
        RawHttp2.request("GET", "/h2").authority("auth.test").add("authorization", "Bearer good")
            .add("x-note", "a\r\nX-Injected: 1\r\n\r\nGET /check HTTP/1.1\r\nAuthorization: Bearer good\r\n\r\n"),
        RawHttp2.request("GET", "/h2?x=1\r\nX-Injected: 1").authority("auth.test").add("authorization", "Bearer good"),
        RawHttp2.request("GET", "/h2 HTTP/1.1\r\nX-Injected: 1\r\n\r\n").authority("auth.test")
            .add("authorization", "Bearer good"),
        RawHttp2.request("GET", "/h2").authority("auth.test").add("authorization", "Bearer good\r\nX-Injected: 1"),
        RawHttp2.request("GET", "/h2").authority("auth.test").add("authorization", "Bearer good")
            .add("x-note", "a\u0000b"));
    try (RawHttp2 h2 = RawHttp2.connect(harness.dataPlane.httpsPort())) {
      int stream = 1;
      for (Http2Headers request : requests) {
        h2.headers(stream, request, true);
        int id = stream;
        RawHttp2.Frame answer = h2.readUntil(f -> f.is(Http2FrameTypes.GO_AWAY)
            || f.streamId() == id && (f.is(Http2FrameTypes.HEADERS) || f.is(Http2FrameTypes.RST_STREAM)));
        if (answer == null || answer.is(Http2FrameTypes.GO_AWAY)) {
          break;
        }
        stream += 2;
      }
    }
    Thread.sleep(300);
    for (MultiMap sent : asked) {
      assertThat(sent.contains("x-injected")).as("a header injected into the service's request: %s", sent).isFalse();
    }
    assertThat(askedLines).as("an extra request smuggled to the service").allMatch(line -> line.equals("GET /check"));
    for (String uri : app.uris) {
      assertThat(uri).doesNotContain("\r").doesNotContain("\n");
    }
  }

  /**
   * The same request target on a route without authentication: an h2 {@code :path} whose query holds
   * CR/LF or a space (RequestPath checks the path only, and Vert.x's h2 server lets them through)
   * makes Netty's request constructor throw inside HttpForwarder.send: an "Unhandled exception",
   * the stream is never answered (nor reset), and the pooled backend connection it took stays
   * wedged: later requests of the event loop that get it hang too. nginx answers 400 to such a :path.
   */
  @Test
  void anH2QueryWithControlCharactersIsAnsweredAndWedgesNothing() throws Exception {
    List<String> paths = List.of("/q?x=1\r\nX-Injected: 1", "/q?x=1 y", "/good", "/good", "/good", "/good",
        "/good", "/good");
    java.util.Map<Integer, String> answers = new java.util.TreeMap<>();
    try (RawHttp2 h2 = RawHttp2.connect(harness.dataPlane.httpsPort())) {
      int stream = 1;
      for (String path : paths) {
        h2.headers(stream, RawHttp2.request("GET", path).authority("wedge.test"), true);
        stream += 2;
        Thread.sleep(50);
      }
      while (answers.size() < paths.size()) {
        RawHttp2.Frame frame = h2.readUntil(f -> f.is(Http2FrameTypes.GO_AWAY) || f.is(Http2FrameTypes.HEADERS)
            || f.is(Http2FrameTypes.RST_STREAM));
        if (frame == null || frame.is(Http2FrameTypes.GO_AWAY)) {
          break;
        }
        answers.put(frame.streamId(), frame.is(Http2FrameTypes.RST_STREAM) ? "reset"
            : frame.headers().status().toString());
      }
    } catch (java.net.SocketTimeoutException hung) {
      // below: the streams without an answer
    }
    assertThat(answers).as("by stream: an answer (400) or a reset to each of the two, then 200s, within 20 s")
        .containsKeys(1, 3, 5, 7, 9, 11, 13, 15);
    assertThat(victim.uris).noneMatch(uri -> uri.contains("\n") || uri.contains("\r") || uri.contains(" "));
  }

  /**
   * Worse than the hang: the backend connection the failed send took is left wedged in the event
   * loop's pool, and from then on requests of that event loop to the cluster (with or without
   * authentication) hang: one unauthenticated h2 request takes down a share of the traffic (half,
   * with two event loops) until the data plane restarts.
   */
  @Test
  void oneH2RequestWithASpaceInItsQueryDoesNotHangLaterRequests() throws Exception {
    try (RawHttp2 h2 = RawHttp2.connect(harness.dataPlane.httpsPort())) {
      h2.headers(1, RawHttp2.request("GET", "/q?x=1 y").authority("wedge.test"), true);
      Thread.sleep(500);
    }
    List<java.util.concurrent.CompletableFuture<String>> later = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      int n = i;
      later.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try (RawHttp2 h2 = RawHttp2.connect(harness.dataPlane.httpsPort())) {
          h2.headers(1, RawHttp2.request("GET", "/later" + n).authority("wedge.test"), true);
          RawHttp2.Frame f = h2.readUntil(x -> x.is(Http2FrameTypes.HEADERS) || x.is(Http2FrameTypes.RST_STREAM));
          return f == null ? "closed" : f.is(Http2FrameTypes.RST_STREAM) ? "reset" : f.headers().status().toString();
        } catch (java.net.SocketTimeoutException e) {
          return "no answer in 20 s";
        } catch (Exception e) {
          return e.toString();
        }
      }, runnable -> new Thread(runnable).start()));
    }
    List<String> statuses = later.stream().map(java.util.concurrent.CompletableFuture::join).toList();
    assertThat(statuses).as("later h2 requests to the same cluster, each on a new connection").containsOnly("200");
  }

  // ---- the cache ----

  /**
   * The cache is scoped by the Ingress and the URL's template, not the URL asked: with
   * {@code https://$host/...} (the migration guide's example) one Ingress's hosts have different
   * services, and a token a.example.com's service allowed is let into b.example.com without asking
   * b's. ingress-nginx's key starts with the server's host name and the auth location.
   */
  @Test
  void aCachedAnswerOfOneHostsServiceIsNotUsedForAnotherHost() throws Exception {
    assertThat(get("a.example.com", "Bearer a-only").status()).isEqualTo(200);
    assertThat(askedLines).hasSize(1);
    RawHttp.Reply other = get("b.example.com", "Bearer a-only");
    assertThat(other.status()).as("b.example.com's service would answer 401").isEqualTo(401);
    assertThat(app.uris).hasSize(1);
  }

  /**
   * Answers are cached per Ingress and URL template only. ingress-nginx keys them by the server's
   * host name and the auth location of each path too, so a service that decides by
   * X-Original-URI (per-path access rules) is asked again for another path of the Ingress. Here a
   * token allowed on /public is let into /admin from the cache.
   */
  @Test
  void aCachedAnswerForOnePathOfAnIngressIsNotUsedForAnotherPath() throws Exception {
    assertThat(RawHttp.get(harness.dataPlane.httpPort(), "paths.test", "/admin").status()).isEqualTo(401);
    RawHttp.Reply reader = RawHttp.exchange(harness.dataPlane.httpPort(), "GET /public/doc HTTP/1.1\r\n"
        + "Host: paths.test\r\nAuthorization: Bearer public-only\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(reader.status()).isEqualTo(200);
    RawHttp.Reply admin = RawHttp.exchange(harness.dataPlane.httpPort(), "GET /admin/users HTTP/1.1\r\n"
        + "Host: paths.test\r\nAuthorization: Bearer public-only\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(admin.status()).as("the service refuses this token on /admin").isEqualTo(403);
    assertThat(app.uris).containsExactly("/public/doc");
  }

  /**
   * A cached answer keeps only the headers the route named when it was cached: after
   * {@code auth-response-headers} gains {@code X-Role}, a cached answer neither sets nor removes it,
   * and the client's own {@code X-Role: admin} reaches the backend that now trusts it.
   */
  @Test
  void aCachedAnswerDoesNotLetAClientSetAHeaderAddedToAuthResponseHeadersSince() throws Exception {
    try {
      assertThat(get("cached.test", "Bearer good").status()).isEqualTo(200);
      harness.apply(baseTable(List.of("x-user", "x-role")));
      Thread.sleep(200);
      RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), "GET / HTTP/1.1\r\nHost: cached.test\r\n"
          + "Authorization: Bearer good\r\nX-Role: admin\r\nConnection: close\r\n\r\n", 5_000);
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.header("seen-x-user")).isEqualTo("alice");
      assertThat(reply.header("seen-x-role")).as("the client's X-Role, which the service never sent").isNull();
    } finally {
      harness.apply(baseTable(List.of("x-user")));
      Thread.sleep(200);
    }
  }

  /**
   * HTTP/2 clients (browsers) may send the Cookie header as several crumbs (RFC 9113 §8.2.3). The
   * cache key's {@code $cookie_session} must read every crumb: read from the first one only, every
   * session renders the same key and one user's cached answer lets the next one in as that user.
   */
  @Test
  void aCookieKeyReadsEveryH2CookieCrumb() throws Exception {
    String victim = crumbs("session=alice-secret");
    String attacker = crumbs("session=guess");
    assertThat(victim).isEqualTo("200 alice");
    assertThat(attacker).as("another session's answer").isEqualTo("401 null");
  }

  private static String crumbs(String session) throws Exception {
    try (RawHttp2 h2 = RawHttp2.connect(harness.dataPlane.httpsPort())) {
      h2.headers(1, RawHttp2.request("GET", "/crumbs").authority("crumbs.test").add("cookie", "theme=dark")
          .add("cookie", session), true);
      RawHttp2.Frame frame = h2.readUntil(f -> f.is(Http2FrameTypes.HEADERS) && f.streamId() == 1);
      return frame.headers().status() + " " + frame.headers().get("seen-x-user");
    }
  }

  // ---- nothing before the verdict ----

  @Test
  void aPipelinedRequestWaitsForTheVerdictOnTheOneBeforeIt() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), "GET /first HTTP/1.1\r\nHost: auth.test\r\n"
        + "Authorization: Bearer late\r\n\r\nGET /second HTTP/1.1\r\nHost: auth.test\r\n\r\n"
        + "GET /third HTTP/1.1\r\nHost: open.test\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(reply.statuses()).containsExactly(401, 401, 200);
    assertThat(app.uris).containsExactly("/third");
  }

  @Test
  void aChunkedBodySentBeforeTheVerdictNeverReachesTheBackend() throws Exception {
    String smuggled = "GET /smuggled HTTP/1.1\r\nHost: auth.test\r\n\r\n";
    RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), "POST /upload HTTP/1.1\r\nHost: auth.test\r\n"
        + "Authorization: Bearer late\r\nTransfer-Encoding: chunked\r\n\r\n"
        + Integer.toHexString(smuggled.length()) + "\r\n" + smuggled + "\r\n"
        + "1000\r\n" + "x".repeat(4096) + "\r\n0\r\n\r\n"
        + "GET /after HTTP/1.1\r\nHost: open.test\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(reply.statuses()).containsExactly(401, 200);
    assertThat(app.uris).containsExactly("/after");
  }

  @Test
  void expectContinueIsNotAnsweredBeforeTheVerdict() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", harness.dataPlane.httpPort())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /upload HTTP/1.1\r\nHost: auth.test\r\nAuthorization: Bearer late\r\nContent-Length: 5\r\n"
          + "Expect: 100-continue\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String head = RawHttp.readHead(socket.getInputStream());
      assertThat(head).startsWith("HTTP/1.1 401");
    }
    try (Socket socket = new Socket("127.0.0.1", harness.dataPlane.httpPort())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /echo HTTP/1.1\r\nHost: auth.test\r\nAuthorization: Bearer late-good\r\nContent-Length: 5\r\n"
          + "Expect: 100-continue\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      assertThat(RawHttp.readHead(socket.getInputStream())).startsWith("HTTP/1.1 100");
      out.write("hello".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String rest = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(rest).startsWith("HTTP/1.1 200").endsWith("hello");
    }
    assertThat(app.uris).containsExactly("/echo");
  }

  @Test
  void webSocketFramesSentBeforeTheVerdictGoNowhereWhenRefusedAndOnWhenAllowed() throws Exception {
    String upgrade = "GET /ws HTTP/1.1\r\nHost: auth.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    byte[] frame = maskedText("hello");
    try (Socket socket = new Socket("127.0.0.1", harness.dataPlane.httpPort())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write((upgrade + "Authorization: Bearer late\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(frame);
      out.write(("GET /after HTTP/1.1\r\nHost: auth.test\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(all).startsWith("HTTP/1.1 401");
      assertThat(new RawHttp.Reply(all, true).statuses()).hasSize(1);
    }
    assertThat(app.upgradeHeads).isEmpty();
    assertThat(app.uris).isEmpty();
    try (Socket socket = new Socket("127.0.0.1", harness.dataPlane.httpPort())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write((upgrade + "Authorization: Bearer late-good\r\nX-User: mallory\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.write(frame);
      out.flush();
      InputStream in = socket.getInputStream();
      assertThat(RawHttp.readHead(in)).startsWith("HTTP/1.1 101");
      int b0 = in.read();
      int len = in.read() & 0x7f;
      byte[] payload = in.readNBytes(len);
      assertThat(b0).isEqualTo(0x81);
      assertThat(new String(payload, StandardCharsets.UTF_8)).isEqualTo("app:hello");
    }
    assertThat(app.upgradeHeads).hasSize(1);
    assertThat(app.upgradeHeads.get(0).getAll("x-user")).containsExactly("alice");
  }

  private static byte[] maskedText(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(0x81);
    frame.write(0x80 | payload.length);
    frame.writeBytes(new byte[] {0, 0, 0, 0}); // a zero mask: the payload as it is
    frame.writeBytes(payload);
    return frame.toByteArray();
  }

  // ---- clients that leave ----

  @Test
  void aClientThatLeavesMidCheckSendsNothingToTheBackend() throws Exception {
    for (int i = 0; i < 20; i++) {
      int asked = i + 1;
      try (Socket socket = new Socket("127.0.0.1", harness.dataPlane.httpPort())) {
        socket.getOutputStream().write(("POST /gone HTTP/1.1\r\nHost: auth.test\r\nAuthorization: Bearer late-good\r\n"
            + "Content-Length: 10\r\n\r\n0123456789").getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        // the client leaves once its check is at the service, before the (late) verdict
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> askedLines.size() == asked);
      }
    }
    // a negative proof: the late verdicts (LATE_MILLIS) have come and gone, and nothing followed them
    Thread.sleep(LATE_MILLIS + 500);
    assertThat(askedLines).hasSize(20);
    assertThat(app.uris).as("allowed after the client left").isEmpty();
    assertThat(get("open.test", null).status()).isEqualTo(200);
  }

  @Test
  void anH2StreamResetMidCheckSendsNothingToTheBackend() throws Exception {
    try (RawHttp2 h2 = RawHttp2.connect(harness.dataPlane.httpsPort())) {
      for (int stream = 1; stream <= 19; stream += 2) {
        Http2Headers headers = RawHttp2.request("GET", "/reset").authority("auth.test")
            .add("authorization", "Bearer late-good");
        h2.headers(stream, headers, true);
        h2.write(RawHttp2.rstStream(stream, RawHttp2.CANCEL));
      }
      Thread.sleep(LATE_MILLIS + 500);
      // the connection still serves
      h2.headers(21, RawHttp2.request("GET", "/ok").authority("auth.test").add("authorization", "Bearer good"), true);
      RawHttp2.Frame answer = h2.readUntil(f -> f.is(Http2FrameTypes.HEADERS) && f.streamId() == 21);
      assertThat(answer).isNotNull();
      assertThat(answer.headers().status().toString()).isEqualTo("200");
    }
    // a reset stream's check is given up: its request to the service is reset or never begun
    assertThat(askedLines).hasSizeBetween(1, 11);
    assertThat(app.uris).as("reset streams forwarded once allowed").containsExactly("/ok");
  }

  /**
   * A client that leaves mid-check does not cancel the service's request: it holds one of the
   * event loop's 64 connections to the service until the service answers or the read timeout
   * (60 s) passes. A few hundred requests sent and dropped at once (no connection kept, nothing
   * read) fill the pool, and every client of every route using that service gets 500 after the
   * connect timeout, for a minute. nginx closes the auth subrequest's upstream connection when the
   * client goes (499).
   */
  @Test
  void checksOfClientsThatLeftAreCancelledAndDoNotStarveOthers() throws Exception {
    for (int i = 0; i < 320; i++) {
      try (Socket socket = new Socket("127.0.0.1", harness.dataPlane.httpPort())) {
        socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: hang.test\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
      }
    }
    Thread.sleep(500);
    List<Integer> legit = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      legit.add(RawHttp.exchange(harness.dataPlane.httpPort(), "GET / HTTP/1.1\r\nHost: legit.test\r\n"
          + "Connection: close\r\n\r\n", 15_000).status());
    }
    assertThat(legit).as("clients of the same service after 320 abandoned checks").containsOnly(200);
  }

  // ---- what the service is asked, and which ----

  @Test
  void theServiceGetsNoFramingOrHopByHopHeadersOfTheClient() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), "POST /echo HTTP/1.1\r\nHost: auth.test\r\n"
        + "Authorization: Bearer good\r\nTransfer-Encoding: chunked\r\nTE: trailers\r\nUpgrade: h2c\r\n"
        + "Connection: TE, Upgrade, HTTP2-Settings, X-Secret\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\nX-Secret: s\r\n"
        + "Proxy-Authorization: Basic eDp5\r\nKeep-Alive: 5\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 3_000);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.text()).endsWith("abc");
    MultiMap sent = asked.get(0);
    for (String name : List.of("transfer-encoding", "content-length", "te", "upgrade", "connection", "keep-alive",
        "proxy-authorization", "expect")) {
      assertThat(sent.contains(name)).as(name).isFalse();
    }
  }

  @Test
  void theOriginalUriGoesToTheServiceOnARewrittenRoute() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), "GET /public/page?x=1 HTTP/1.1\r\n"
        + "Host: rewrite.test\r\nAuthorization: Bearer good\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(app.uris).containsExactly("/admin/page?x=1");
    assertThat(asked.get(0).get("x-original-uri")).isEqualTo("/public/page?x=1");
    // a dot segment does not make the service see another path than the one routed and rewritten
    RawHttp.Reply dots = RawHttp.exchange(harness.dataPlane.httpPort(), "GET /x/../public/%2e%2e/admin HTTP/1.1\r\n"
        + "Host: rewrite.test\r\nAuthorization: Bearer good\r\nConnection: close\r\n\r\n", 5_000);
    if (dots.status() == 200) {
      String uri = app.uris.get(1);
      String original = asked.get(1).get("x-original-uri");
      assertThat(original).as("service was told %s, backend got %s", original, uri).doesNotContain("..");
    }
  }

  @Test
  void theCanarySideIsAuthenticatedToo() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), "GET / HTTP/1.1\r\nHost: canary.test\r\n"
        + "X-Canary: always\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(reply.status()).isEqualTo(401);
    assertThat(canaryApp.uris).isEmpty();
    RawHttp.Reply allowed = RawHttp.exchange(harness.dataPlane.httpPort(), "GET / HTTP/1.1\r\nHost: canary.test\r\n"
        + "X-Canary: always\r\nAuthorization: Bearer good\r\nX-User: root\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(allowed.status()).isEqualTo(200);
    assertThat(allowed.header("seen-x-user")).isEqualTo("alice");
    assertThat(canaryApp.uris).hasSize(1);
  }

  @Test
  void aHostVariableInTheServicesUrlNamesTheMatchedHostOnly() throws Exception {
    for (String request : List.of(
        "GET http://a.example.com@127.0.0.2/ HTTP/1.1\r\nHost: a.example.com\r\n",
        "GET / HTTP/1.1\r\nHost: a.example.com@127.0.0.2\r\n",
        "GET / HTTP/1.1\r\nHost: a.example.com:1@127.0.0.2\r\n",
        "GET / HTTP/1.1\r\nHost: A.EXAMPLE.COM.\r\n",
        "GET http://127.0.0.2/ HTTP/1.1\r\nHost: a.example.com\r\n")) {
      RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), request
          + "Authorization: Bearer nobody\r\nConnection: close\r\n\r\n", 5_000);
      assertThat(reply.status()).as(request).isIn(400, 401, 404);
    }
    for (MultiMap sent : asked) {
      assertThat(sent.get("host").toLowerCase()).startsWith("a.example.com");
    }
    assertThat(app.uris).isEmpty();
  }

  // ---- a hostile service ----

  @Test
  void aServiceAnswerWithManyChallengesIsStillARefusal() throws Exception {
    RawHttp.Reply reply = get("auth.test", "Bearer many-challenges");
    assertThat(reply.status()).isIn(401, 500);
    assertThat(app.uris).isEmpty();
    assertThat(get("auth.test", "Bearer good").status()).as("the pool still serves").isEqualTo(200);
  }

  @Test
  void aHugeClientHeadIsAFailClosedCheck() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), "GET / HTTP/1.1\r\nHost: auth.test\r\n"
        + "Authorization: Bearer good\r\nCookie: c=" + "x".repeat(40_000) + "\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(reply.status()).as("the service (8 KiB head limit) cannot read it").isIn(200, 500);
    if (reply.status() == 500) {
      assertThat(app.uris).isEmpty();
    }
  }

  private static RawHttp.Reply get(String host, String authorization) throws Exception {
    return RawHttp.exchange(harness.dataPlane.httpPort(), "GET / HTTP/1.1\r\nHost: " + host + "\r\n"
        + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "Connection: close\r\n\r\n",
        5_000);
  }
}
