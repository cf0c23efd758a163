package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.routing.CorsPolicy;
import io.clbingress.dataplane.table.Cors;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.RequestRedirect;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A route's {@link Cors} filter (ingress-nginx's enable-cors and cors-* annotations) over HTTP/1.1
 * (the Netty engine, raw sockets) and h2 (the Vert.x engine): a preflight of an allowed origin is
 * answered 204 at the edge and never reaches the backend; every answer to a request of an allowed
 * origin carries the headers, replacing the backend's own; a request of another origin, and every
 * request of a route without CORS, gets the backend's answer untouched.
 */
class CorsTest {

  static DataPlaneHarness harness;
  static HttpClientAgent h2;
  static HttpServer app;
  /** Every request the backend received: method and target. */
  static final List<String> received = new CopyOnWriteArrayList<>();

  static final Cors LISTED = new Cors(List.of("https://app.example.com", "https://*.example.org:8443"), true,
      List.of("GET", "POST", "PUT"), List.of("Authorization", "X-Requested-With"), List.of("X-Request-Id"), 600);
  static final Cors ANY = new Cors(List.of("*"), true, List.of("GET", "POST"), List.of("Content-Type"), List.of(),
      1728000);

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    h2 = harness.h2;
    // An application that sends CORS headers of its own, and a Vary
    app = harness.server((request, body) -> {
      received.add(request.method() + " " + request.uri());
      int status = request.path().startsWith("/s/") ? Integer.parseInt(request.path().substring(3)) : 200;
      var response = request.response().setStatusCode(status)
          .putHeader("Access-Control-Allow-Origin", "https://backend.example")
          .putHeader("Access-Control-Allow-Methods", "DELETE").putHeader("Vary", "Accept-Encoding");
      if (request.path().equals("/extra")) {
        // more than the route allows, and a second Vary line
        response.headers().add("Vary", "Cookie").add("Access-Control-Allow-Credentials", "true")
            .add("Access-Control-Expose-Headers", "X-Secret").add("Access-Control-Allow-Private-Network", "true");
      }
      response.end("app " + request.method());
    });
    harness.apply(table(1).cluster("app", app.actualPort()).cluster("none")
        .route("listed.test", Tables.filtered("app", LISTED))
        .route("any.test", Tables.filtered("app", ANY))
        .route("plain.test", Tables.filtered("app"))
        .route("nocred.test", Tables.filtered("app", new Cors(List.of("https://app.example.com"), false,
            List.of("GET"), List.of(), List.of(), 60)))
        .route("empty.test", Tables.filtered("none", LISTED))
        .route("redirect.test", new Route(PathMatch.Prefix.of("/"), "app", Tables.DEFAULT_TIMEOUTS, "test", false, null,
            List.of(LISTED, new RequestRedirect("https", "moved.example.com", null, null, 301))))
        .overHttpsToo().build());
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  @BeforeEach
  void clear() {
    received.clear();
  }

  @Test
  void aPreflightOfAListedOriginIsAnsweredAtTheEdge() throws Exception {
    RawHttp.Reply reply = http1("OPTIONS /api/items HTTP/1.1\r\nHost: listed.test\r\nOrigin: https://app.example.com\r\n"
        + "Access-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: authorization\r\n\r\n");
    assertThat(reply.status()).isEqualTo(204);
    assertThat(reply.header("access-control-allow-origin")).isEqualTo("https://app.example.com");
    assertThat(reply.header("access-control-allow-credentials")).isEqualTo("true");
    assertThat(reply.header("access-control-allow-methods")).isEqualTo("GET, POST, PUT");
    assertThat(reply.header("access-control-allow-headers")).isEqualTo("Authorization, X-Requested-With");
    assertThat(reply.header("access-control-expose-headers")).isEqualTo("X-Request-Id");
    assertThat(reply.header("access-control-max-age")).isEqualTo("600");
    assertThat(reply.header("vary")).isEqualTo("Origin");
    assertThat(reply.header("content-length")).as("RFC 9110 §8.6: none in a 204").isNull();
    assertThat(received).isEmpty();
  }

  @Test
  void aPreflightOverH2IsAnsweredAtTheEdgeToo() throws Exception {
    Map<String, String> answer = h2("listed.test", HttpMethod.OPTIONS, "/api", "https://app.example.com");
    assertThat(answer).containsEntry(":status", "204").containsEntry("access-control-allow-origin",
        "https://app.example.com").containsEntry("access-control-allow-methods", "GET, POST, PUT")
        .containsEntry("vary", "Origin").doesNotContainKey("content-length");
    assertThat(received).isEmpty();
  }

  @Test
  void anAnswerToAListedOriginCarriesTheHeadersInsteadOfTheBackendsOwn() throws Exception {
    for (String origin : List.of("https://app.example.com", "HTTPS://APP.EXAMPLE.COM", "https://x-1.example.org:8443")) {
      RawHttp.Reply reply = http1("GET /api HTTP/1.1\r\nHost: listed.test\r\nOrigin: " + origin + "\r\n\r\n");
      assertThat(reply.status()).as(origin).isEqualTo(200);
      assertThat(reply.header("access-control-allow-origin")).as("the origin as sent").isEqualTo(origin);
      assertThat(reply.header("access-control-allow-methods")).as("replaces the backend's").isEqualTo("GET, POST, PUT");
      assertThat(reply.header("vary")).as("the backend's Vary kept").isEqualTo("Accept-Encoding, Origin");
      assertThat(countOf(reply, "access-control-allow-origin")).isEqualTo(1);
    }
    Map<String, String> answer = h2("listed.test", HttpMethod.POST, "/api", "https://app.example.com");
    assertThat(answer).containsEntry(":status", "200").containsEntry("access-control-allow-origin",
        "https://app.example.com").containsEntry("access-control-allow-methods", "GET, POST, PUT")
        .containsEntry("vary", "Accept-Encoding, Origin").containsEntry("body", "app POST");
    assertThat(received).containsExactly("GET /api", "GET /api", "GET /api", "POST /api");
  }

  /**
   * A route without credentials or exposed headers: the backend's own Access-Control-* headers do
   * not reach the browser next to the route's, and every Vary line of the backend is kept.
   */
  @Test
  void theBackendsOtherCorsHeadersAreDroppedAndEveryVaryLineKept() throws Exception {
    RawHttp.Reply reply = http1("GET /extra HTTP/1.1\r\nHost: nocred.test\r\nOrigin: https://app.example.com\r\n\r\n");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("access-control-allow-origin")).isEqualTo("https://app.example.com");
    assertThat(reply.header("access-control-allow-credentials")).isNull();
    assertThat(reply.header("access-control-expose-headers")).isNull();
    assertThat(reply.header("access-control-allow-private-network")).isNull();
    assertThat(reply.header("vary")).isEqualTo("Accept-Encoding, Cookie, Origin");
    assertThat(countOf(reply, "vary")).isEqualTo(1);
    Map<String, String> overH2 = h2("nocred.test", HttpMethod.GET, "/extra", "https://app.example.com");
    assertThat(overH2).containsEntry("vary", "Accept-Encoding, Cookie, Origin")
        .doesNotContainKeys("access-control-allow-credentials", "access-control-expose-headers");
  }

  /** Origins that only look like a listed one: each is forwarded, and its answer is the backend's as sent. */
  @Test
  void anotherOriginGetsNoneOfTheHeadersAndItsPreflightGoesToTheBackend() throws Exception {
    List<String> others = List.of("https://evil.example.com", "http://app.example.com", "https://app.example.com:444",
        "https://app.example.com.evil.net", "https://evilapp.example.com", "https://a.b.example.org:8443",
        "https://example.org:8443", "https://x.example.org", "https://x.example.org:84431", "null",
        "https://app.example.com/", "https://user@app.example.com");
    for (String origin : others) {
      RawHttp.Reply reply = http1("OPTIONS /api HTTP/1.1\r\nHost: listed.test\r\nOrigin: " + origin
          + "\r\nAccess-Control-Request-Method: PUT\r\n\r\n");
      assertThat(reply.status()).as(origin).isEqualTo(200);
      assertThat(reply.header("access-control-allow-origin")).as(origin).isEqualTo("https://backend.example");
      assertThat(reply.header("access-control-allow-methods")).as(origin).isEqualTo("DELETE");
      assertThat(reply.header("vary")).as(origin).isEqualTo("Accept-Encoding");
    }
    RawHttp.Reply noOrigin = http1("GET /x HTTP/1.1\r\nHost: listed.test\r\n\r\n");
    assertThat(noOrigin.header("access-control-allow-origin")).isEqualTo("https://backend.example");
    assertThat(received).hasSize(others.size() + 1);
  }

  /**
   * {@code *}: every origin, and a request without one, gets {@code *} (never the origin, so a
   * browser sends no credentials), no Vary; every OPTIONS request is answered at the edge, as in
   * ingress-nginx.
   */
  @Test
  void anyOriginIsAnsweredWithAStarAndNoVary() throws Exception {
    RawHttp.Reply preflight = http1("OPTIONS / HTTP/1.1\r\nHost: any.test\r\nOrigin: https://whoever.example\r\n\r\n");
    assertThat(preflight.status()).isEqualTo(204);
    assertThat(preflight.header("access-control-allow-origin")).isEqualTo("*");
    assertThat(preflight.header("access-control-max-age")).isEqualTo("1728000");
    assertThat(preflight.header("access-control-expose-headers")).as("none listed").isNull();
    assertThat(preflight.header("vary")).isNull();
    RawHttp.Reply get = http1("GET / HTTP/1.1\r\nHost: any.test\r\n\r\n");
    assertThat(get.header("access-control-allow-origin")).isEqualTo("*");
    assertThat(get.header("vary")).isEqualTo("Accept-Encoding");
    assertThat(received).containsExactly("GET /");
  }

  @Test
  void aRouteWithoutCorsRelaysTheBackendsHeadersAndForwardsOptions() throws Exception {
    RawHttp.Reply reply = http1("OPTIONS / HTTP/1.1\r\nHost: plain.test\r\nOrigin: https://app.example.com\r\n"
        + "Access-Control-Request-Method: PUT\r\n\r\n");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("access-control-allow-origin")).isEqualTo("https://backend.example");
    assertThat(received).containsExactly("OPTIONS /");
  }

  /** The proxy's own answers (503 without endpoints, the backend's error statuses) carry the headers too: a page can read them. */
  @Test
  void errorAnswersOfAnAllowedOriginCarryTheHeaders() throws Exception {
    RawHttp.Reply noEndpoint = http1("GET / HTTP/1.1\r\nHost: empty.test\r\nOrigin: https://app.example.com\r\n\r\n");
    assertThat(noEndpoint.status()).isEqualTo(503);
    assertThat(noEndpoint.header("access-control-allow-origin")).isEqualTo("https://app.example.com");
    assertThat(h2("empty.test", HttpMethod.GET, "/", "https://app.example.com")).containsEntry(":status", "503")
        .containsEntry("access-control-allow-origin", "https://app.example.com");
    RawHttp.Reply backendError = http1("GET /s/500 HTTP/1.1\r\nHost: listed.test\r\nOrigin: https://app.example.com\r\n\r\n");
    assertThat(backendError.status()).isEqualTo(500);
    assertThat(backendError.header("access-control-allow-origin")).isEqualTo("https://app.example.com");
  }

  /** As ingress-nginx, whose CORS block returns before its redirects: a preflight is not redirected, a GET is (with the headers). */
  @Test
  void aPreflightComesBeforeTheRoutesRedirect() throws Exception {
    RawHttp.Reply preflight = http1("OPTIONS /x HTTP/1.1\r\nHost: redirect.test\r\nOrigin: https://app.example.com\r\n\r\n");
    assertThat(preflight.status()).isEqualTo(204);
    RawHttp.Reply get = http1("GET /x HTTP/1.1\r\nHost: redirect.test\r\nOrigin: https://app.example.com\r\n\r\n");
    assertThat(get.status()).isEqualTo(301);
    assertThat(get.header("location")).isEqualTo("https://moved.example.com/x");
    assertThat(get.header("access-control-allow-origin")).isEqualTo("https://app.example.com");
    assertThat(received).isEmpty();
  }

  /** A preflight with a body on the way, and one awaiting 100 Continue: answered, the connection stays usable or closes. */
  @Test
  void aPreflightWithABodyOrAwaitingContinueLeavesTheConnectionConsistent() throws Exception {
    RawHttp.Reply withBody = http1("OPTIONS / HTTP/1.1\r\nHost: listed.test\r\nOrigin: https://app.example.com\r\n"
        + "Content-Length: 5\r\n\r\nhelloGET /next HTTP/1.1\r\nHost: plain.test\r\n\r\n");
    assertThat(withBody.statuses()).containsExactly(204, 200);
    RawHttp.Reply awaiting = raw("OPTIONS / HTTP/1.1\r\nHost: listed.test\r\nOrigin: https://app.example.com\r\n"
        + "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    assertThat(awaiting.statuses()).containsExactly(204);
    assertThat(awaiting.closedByServer()).isTrue();
    assertThat(received).containsExactly("GET /next");
  }

  @Test
  void wrongFiltersAreRefusedWhereTheTableIsMade() {
    for (List<String> origins : List.of(List.<String>of(), List.of("*", "https://a.example"), List.of("a.example"),
        List.of("https://a.example/path"), List.of("ftp://a.example"), List.of("https://a.*.example"),
        List.of("https://a.example:"), List.of("https://a.example\r\nX: y"), List.of("https://*.com"),
        List.of("http://*.localhost:3000"))) {
      assertThatThrownBy(() -> new Cors(origins, false, List.of("GET"), List.of(), List.of(), 0)).as(origins.toString())
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> new Cors(List.of("*"), false, List.of(), List.of(), List.of(), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Cors(List.of("*"), false, List.of("GET"), List.of("X-A\r\nX-B"), List.of(), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Cors(List.of("*"), false, List.of("GET"), List.of(), List.of("a b"), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Cors(List.of("*"), false, List.of("GET"), List.of(), List.of(), -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theFilterGoesThroughTheTableCodec() {
    RoutingTable table = table(2).cluster("app", app.actualPort()).route("listed.test", Tables.filtered("app", LISTED)).build();
    String json = TableCodec.toJson(table);
    assertThat(json).containsPattern("\"type\" ?: ?\"CORS\"");
    assertThat(TableCodec.fromJson(json)).isEqualTo(table);
  }

  @Test
  void aVaryThatAlreadyNamesOriginOrStarIsKept() {
    CorsPolicy policy = new CorsPolicy(LISTED);
    for (String vary : List.of("Origin", "accept, ORIGIN", "*")) {
      Map<String, String> headers = new HashMap<>(Map.of("vary", vary));
      policy.applyTo(name -> headers.getOrDefault(name, ""), headers::put, headers::remove, "https://app.example.com");
      assertThat(headers.get("vary")).isEqualTo(vary);
    }
  }

  /** Sends requests on one connection, the last with {@code Connection: close}, and reads every answer. */
  private static RawHttp.Reply http1(String requests) throws Exception {
    int end = requests.lastIndexOf("\r\n\r\n");
    return raw(requests.substring(0, end) + "\r\nConnection: close" + requests.substring(end));
  }

  /** Sends bytes as written and reads until the server closes (or 5 s pass without a byte). */
  private static RawHttp.Reply raw(String bytes) throws Exception {
    return RawHttp.exchange(harness.dataPlane.httpPort(), bytes, 5_000);
  }

  private static long countOf(RawHttp.Reply reply, String header) {
    String head = reply.text().substring(0, reply.text().indexOf("\r\n\r\n"));
    return head.lines().filter(line -> line.toLowerCase().startsWith(header + ":")).count();
  }

  /** An h2 exchange: the answer's headers (lower case, first values), {@code :status} and {@code body}. */
  private static Map<String, String> h2(String host, HttpMethod method, String uri, String origin) throws Exception {
    int port = harness.dataPlane.httpsPort();
    return DataPlaneHarness.await(harness.onContext(() -> h2.request(new RequestOptions().setHost("127.0.0.1")
            .setPort(port).setMethod(method).setURI(uri))
        .compose(request -> request.authority(HostAndPort.create(host, port)).putHeader("origin", origin).send())
        .compose(response -> response.body().map(body -> {
          Map<String, String> answer = new HashMap<>();
          response.headers().forEach(h -> answer.putIfAbsent(h.getKey().toLowerCase(), h.getValue()));
          answer.put(":status", String.valueOf(response.statusCode()));
          answer.put("body", body.toString());
          return answer;
        }))));
  }
}
