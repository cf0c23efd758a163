package io.clbingress.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.table.Canary;
import io.clbingress.dataplane.table.HttpHeader;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.RegexSubstitution;
import io.clbingress.dataplane.table.RequestHeaderModifier;
import io.clbingress.dataplane.table.RequestRedirect;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RouteFilter;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.URLRewrite;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.HostAndPort;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RegularExpression routes and the filters that change what a backend receives
 * ({@link URLRewrite}: ingress-nginx's rewrite-target and upstream-vhost; {@link RequestHeaderModifier}:
 * its x-forwarded-prefix), through every engine: plain HTTP/1.1 (the Netty engine), HTTPS HTTP/1.1
 * and h2 (Vert.x), WebSocket and secure WebSocket upgrades.
 */
class UrlRewriteTest {

  static DataPlaneHarness harness;
  static TestBackend backend;
  static HttpClientAgent https;
  static HttpClientAgent h2;
  static WebSocketClient wss;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    backend = harness.backend("app");
    harness.apply(table());
    https = harness.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));
    h2 = harness.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
        .setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2), new PoolOptions().setHttp2MaxSize(1));
    wss = harness.vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustAll(true)
        .setVerifyHost(false));
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  @BeforeEach
  void forget() {
    backend.uris.clear();
  }

  /** ingress-nginx's own example: {@code /something(/|$)(.*)} with {@code rewrite-target: /$2}. */
  @Test
  void theCapturedRestOfThePathIsWhatTheBackendReceives() throws Exception {
    Map<String, String> expected = Map.of("/something", "/", "/something/", "/", "/something/new", "/new",
        "/SomeThing/Mixed/Case", "/Mixed/Case", "/something/a/b?x=1&y=%20", "/a/b?x=1&y=%20");
    for (Map.Entry<String, String> entry : expected.entrySet()) {
      DataPlaneHarness.Answer answer = harness.get("rewrite.example.com", entry.getKey());
      assertThat(answer.status()).as(entry.getKey()).isEqualTo(200);
      assertThat(answer.headers()).as(entry.getKey()).containsEntry("x-backend-uri", entry.getValue());
    }
  }

  @Test
  void regexRoutesAreTriedInTableOrderFromTheStartOfThePath() throws Exception {
    // /foo/bar/[0-9]{3} comes before /foo/bar/bar in the table (longer pattern first, as ingress-nginx orders them)
    assertThat(harness.get("order.example.com", "/foo/bar/123").headers()).containsEntry("x-backend-uri", "/digits");
    assertThat(harness.get("order.example.com", "/foo/bar/bar").headers()).containsEntry("x-backend-uri", "/bar");
    assertThat(harness.get("order.example.com", "/FOO/BAR/BAR/more").headers()).containsEntry("x-backend-uri", "/bar");
    // anchored at the start: the pattern is not found in the middle of the path
    assertThat(harness.get("order.example.com", "/x/foo/bar/bar").status()).isEqualTo(404);
  }

  @Test
  void aSubstitutionWithItsOwnQueryPutsTheRequestsAfterIt() throws Exception {
    assertThat(harness.get("query.example.com", "/q/one?a=1").headers()).containsEntry("x-backend-uri", "/new?id=one&a=1");
    assertThat(harness.get("query.example.com", "/q/two").headers()).containsEntry("x-backend-uri", "/new?id=two");
    assertThat(harness.get("query.example.com", "/drop/x?a=1").headers()).containsEntry("x-backend-uri", "/dropped");
  }

  /**
   * Groups joined by a substitution can spell a dot segment the request did not have
   * ({@code /p..} is one segment; {@code /$1$2} of it is {@code /..}): it is resolved before the
   * backend sees it, as a client's would be.
   */
  @Test
  void aDotSegmentMadeByTheSubstitutionIsResolvedBeforeSending() throws Exception {
    assertThat(harness.get("dots.example.com", "/p..").headers()).containsEntry("x-backend-uri", "/");
    assertThat(harness.get("dots.example.com", "/pab").headers()).containsEntry("x-backend-uri", "/ab");
  }

  @Test
  void theUpstreamHostReplacesHostAndTheClientsStaysInXForwardedHost() throws Exception {
    DataPlaneHarness.Answer answer = harness.get("vhost.example.com", "/v?k=v");
    assertThat(answer.headers()).containsEntry("seen-host", "internal.svc:8080")
        .containsEntry("seen-x-forwarded-host", "vhost.example.com")
        .containsEntry("seen-x-forwarded-prefix", "/v")
        .containsEntry("x-backend-uri", "/v?k=v");
  }

  @Test
  void aClientsOwnHeaderIsReplacedByTheRoutesValue() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), "GET /v HTTP/1.1\r\nHost: vhost.example.com\r\n"
        + "X-Forwarded-Prefix: /evil\r\nConnection: close\r\n\r\n", 2_000);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("seen-x-forwarded-prefix")).isEqualTo("/v");
  }

  @Test
  void httpsAndHttp2RequestsAreRewrittenTheSameWay() throws Exception {
    for (HttpClientAgent client : List.of(https, h2)) {
      assertThat(httpsGet(client, "rewrite.example.com", "/something/deep/path?z=1").get("x-backend-uri"))
          .isEqualTo("/deep/path?z=1");
      MultiMap vhost = httpsGet(client, "vhost.example.com", "/v");
      assertThat(vhost.get("seen-host")).isEqualTo("internal.svc:8080");
      assertThat(vhost.get("seen-x-forwarded-prefix")).isEqualTo("/v");
    }
  }

  @Test
  void webSocketUpgradesAreRewrittenOverPlainAndTls() throws Exception {
    WebSocket plain = harness.webSocket("rewrite.example.com", "/something/ws?room=1");
    assertThat(DataPlaneHarness.exchange(plain, "hello")).isEqualTo("app:hello");
    DataPlaneHarness.await(plain.close());
    WebSocket secure = DataPlaneHarness.await(harness.onContext(() -> wss.connect(new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(harness.dataPlane.httpsPort()).setURI("/something/wss")
        .putHeader("host", "rewrite.example.com"))));
    assertThat(DataPlaneHarness.exchange(secure, "hi")).isEqualTo("app:hi");
    DataPlaneHarness.await(secure.close());
    assertThat(backend.uris).containsExactly("/ws?room=1", "/wss");
  }

  /** A redirect on a rewriting route answers with the path as the client sent it. */
  @Test
  void aRedirectUsesThePathAsSentNotTheRewrittenOne() throws Exception {
    DataPlaneHarness.Answer answer = harness.get("moved.example.com", "/something/page");
    assertThat(answer.status()).isEqualTo(301);
    assertThat(answer.headers()).containsEntry("location", "https://moved.example.com/something/page");
    assertThat(backend.uris).isEmpty();
  }

  /**
   * A route's pattern is the Ingress author's, the path is the client's: with a backtracking
   * engine, {@code (a+)+$} against a few thousand {@code a}s and a {@code b} would run for longer
   * than the universe has; RE2 answers in linear time.
   */
  @Test
  void aPatternThatBacktracksExponentiallyElsewhereAnswersAtOnce() throws Exception {
    String path = "/" + "a".repeat(4_000) + "b";
    assertThat(harness.get("redos.example.com", path).status()).isEqualTo(404);
    assertThat(harness.get("redos.example.com", "/aaaa").headers()).containsEntry("x-backend-uri", "/aaaa");
  }

  /** A pattern is no cookie path: a sticky session on a regex route holds for the whole host. */
  @Test
  void aStickySessionOnARegexRouteHasTheCookiePathOfTheHost() throws Exception {
    DataPlaneHarness.Answer answer = harness.get("sticky.example.com", "/Sticky/page");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.headers().get("set-cookie")).contains("Path=/;").doesNotContain("(?i)");
  }

  /**
   * RE2 is linear in the input times the pattern's compiled size; the size is bounded, so that an
   * Ingress author cannot make every client request cost seconds ({@code (.*){1000}x} on a 16 KB
   * path took 1.5 s before the bound).
   */
  @Test
  void aPatternTooLargeToMatchInBoundedTimeIsRefused() {
    for (String pattern : List.of("/n/(.*){1000}x", "/(a{100}){100}", "/" + "[a-z]".repeat(1_100))) {
      assertThatThrownBy(() -> new PathMatch.RegularExpression(pattern)).as(pattern)
          .hasMessageContaining("too large to match in bounded time");
    }
    assertThatThrownBy(() -> new Canary("c", "X-A", null, "(.*){1000}x", null, 0, 100))
        .hasMessageContaining("too large");
    assertThat(new PathMatch.RegularExpression("(?i)/api/v[0-9]{1,3}/(users|groups)/[a-f0-9]{32}").path()).isNotNull();
  }

  /** RFC 9112 §3.2: no fragment in a request target; a raw {@code #} could move into a rewrite's query. */
  @Test
  void aRequestTargetWithAFragmentIsRefused() throws Exception {
    for (String target : List.of("/something/a#b", "/q/a#b?x=1", "/v?x=1#y")) {
      RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), "GET " + target + " HTTP/1.1\r\nHost: "
          + "rewrite.example.com\r\nConnection: close\r\n\r\n", 2_000);
      assertThat(reply.status()).as(target).isEqualTo(400);
    }
    assertThat(backend.uris).isEmpty();
  }

  @Test
  void theFiltersAndRegexRoutesGoThroughTheTableCodec() {
    RoutingTable table = table();
    String json = TableCodec.toJson(table);
    assertThat(TableCodec.fromJson(json)).isEqualTo(table);
    assertThat(json).containsPattern("\"type\" ?: ?\"RegularExpression\"").containsPattern("\"type\" ?: ?\"URLRewrite\"")
        .containsPattern("\"type\" ?: ?\"RegexSubstitution\"").containsPattern("\"type\" ?: ?\"RequestHeaderModifier\"");
  }

  @Test
  void invalidPatternsSubstitutionsHostsAndHeadersAreRefused() {
    assertThatThrownBy(() -> new PathMatch.RegularExpression("/a(")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a usable regular expression");
    assertThatThrownBy(() -> new RegexSubstitution("/a(", "/")).isInstanceOf(IllegalArgumentException.class);
    for (String substitution : List.of("relative", "/a b", "/x\r\nEvil: 1", "/$uri", "/$0", "/end$", "", "/caf\u00e9",
        "/x#fragment", "/%zz/$1", "/a/%00", "/a/..%2F$1", "/a/%2e%2e%5Cb", "/a\\..\\b", "/x%")) {
      assertThatThrownBy(() -> new RegexSubstitution("/a", substitution)).as(substitution)
          .isInstanceOf(IllegalArgumentException.class);
    }
    for (String host : List.of("a b", "good.example@evil.example", "a.example/x", "a.example:123456", "")) {
      assertThatThrownBy(() -> new URLRewrite(host, null)).as(host).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(new URLRewrite("[2001:db8::1]:8443", null).hostname()).isEqualTo("[2001:db8::1]:8443");
    for (String host : List.of("a.example:0", "a.example:99999")) {
      assertThatThrownBy(() -> new URLRewrite(host, null)).as(host).isInstanceOf(IllegalArgumentException.class);
    }
    // dot segments in plain sight are resolved when sent, so they may be written
    assertThat(new RegexSubstitution("/a", "/x/../y/%2F/%41").substitution()).isEqualTo("/x/../y/%2F/%41");
    assertThatThrownBy(() -> new URLRewrite(null, null)).isInstanceOf(IllegalArgumentException.class);
    for (String name : List.of("Host", "transfer-encoding", "Content-Length", "Connection")) {
      assertThatThrownBy(() -> new RequestHeaderModifier(List.of(new HttpHeader(name, "x")))).as(name)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("set by the proxy");
    }
    assertThatThrownBy(() -> new HttpHeader("X-Bad Name", "v")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HttpHeader("X-Split", "v\r\nEvil: 1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HttpHeader("X-Prefix", "/caf\u00e9")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Route(new PathMatch.Prefix("/"), "app", Tables.DEFAULT_TIMEOUTS, "t", false, null,
        List.of(new URLRewrite("a.example", null), new URLRewrite("b.example", null))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most one filter of each type");
  }

  /** The answer's headers to a GET over HTTPS, the request naming {@code host} (as Host, or h2's :authority). */
  private static MultiMap httpsGet(HttpClientAgent client, String host, String uri) throws Exception {
    int port = harness.dataPlane.httpsPort();
    return DataPlaneHarness.await(harness.onContext(() -> client.request(new RequestOptions().setHost("127.0.0.1")
            .setPort(port).setURI(uri))
        .compose(request -> request.authority(HostAndPort.create(host, port)).send())
        .compose(response -> response.body().map(b -> response.headers()))));
  }

  private static Route route(PathMatch match, RouteFilter... filters) {
    return new Route(match, "app", Tables.DEFAULT_TIMEOUTS, "test", false, null, List.of(filters));
  }

  private static RoutingTable table() {
    String somethingPattern = "(?i)/something(/|$)(.*)";
    return Tables.table(1).cluster("app", backend.port())
        .route("rewrite.example.com", route(new PathMatch.RegularExpression(somethingPattern),
            new URLRewrite(null, new RegexSubstitution(somethingPattern, "/$2"))))
        .route("order.example.com", route(new PathMatch.RegularExpression("(?i)/foo/bar/[0-9]{3}"),
            new URLRewrite(null, new RegexSubstitution("/", "/digits"))))
        .route("order.example.com", route(new PathMatch.RegularExpression("(?i)/foo/bar/bar"),
            new URLRewrite(null, new RegexSubstitution("/", "/bar"))))
        .route("query.example.com", route(new PathMatch.RegularExpression("/q/(\\w+)"),
            new URLRewrite(null, new RegexSubstitution("/q/(\\w+)", "/new?id=$1"))))
        .route("query.example.com", route(new PathMatch.RegularExpression("/drop"),
            new URLRewrite(null, new RegexSubstitution("/drop", "/dropped?"))))
        .route("dots.example.com", route(new PathMatch.RegularExpression("/p(.)(.)"),
            new URLRewrite(null, new RegexSubstitution("/p(.)(.)", "/$1$2"))))
        .route("vhost.example.com", route(new PathMatch.Prefix("/"), new URLRewrite("internal.svc:8080", null),
            new RequestHeaderModifier(List.of(new HttpHeader("X-Forwarded-Prefix", "/v")))))
        .route("moved.example.com", route(new PathMatch.Prefix("/"),
            new URLRewrite(null, new RegexSubstitution("/something/(.*)", "/$1")),
            new RequestRedirect("https", null, null, null, 301)))
        .route("redos.example.com", route(new PathMatch.RegularExpression("/(a+)+$")))
        .route("sticky.example.com", new Route(new PathMatch.RegularExpression("(?i)/sticky(/|$)"), "app",
            Tables.DEFAULT_TIMEOUTS, "test", false, 60))
        .overHttpsToo().build();
  }
}
