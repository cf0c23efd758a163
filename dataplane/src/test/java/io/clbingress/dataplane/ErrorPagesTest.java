package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.ErrorPages;
import io.clbingress.dataplane.table.HttpHeader;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Retry;
import io.clbingress.dataplane.table.Route;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code custom-http-errors} with {@code default-backend} (the table's
 * {@link ErrorPages}): the backend's answers with the listed statuses are replaced by the error
 * backend's page, fetched with {@code GET /} and ingress-nginx's {@code X-Code}, {@code X-Format},
 * {@code X-Original-URI} headers, over HTTP/1.1 (the Netty engine) and h2 (the Vert.x engine).
 */
class ErrorPagesTest {

  static DataPlaneHarness harness;
  static HttpClientAgent h2;
  static HttpServer app;
  static HttpServer pages;
  static final AtomicInteger pageRequests = new AtomicInteger();
  static final AtomicInteger appRequests = new AtomicInteger();
  static int closedPort;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    h2 = harness.h2;
    // The application: /s/NNN answers NNN with its own body; it reads a request's body first.
    app = harness.server((request, body) -> {
      appRequests.incrementAndGet();
      int status = request.path().startsWith("/s/") ? Integer.parseInt(request.path().substring(3)) : 200;
      request.response().setStatusCode(status).end("the app's own " + status);
    });
    // The error backend: answers with the status of X-Code and tells what it received
    pages = harness.server((request, body) -> {
      pageRequests.incrementAndGet();
      String code = request.getHeader("X-Code");
      request.response().setStatusCode(code == null ? 200 : Integer.parseInt(code)).putHeader("Content-Type",
          "text/plain").putHeader("X-Page-Method", request.method().name()).end("page method=" + request.method() + " path=" + request.uri() + " code=" + code
          + " format=" + request.getHeader("X-Format") + " original=" + request.getHeader("X-Original-URI")
          + " ingress=" + request.getHeader("X-Ingress-Name") + " host=" + request.getHeader("Host") + " body="
          + body.length() + "\n");
    });
    try (ServerSocket unused = new ServerSocket(0)) {
      closedPort = unused.getLocalPort();
    }
    ErrorPages rules = new ErrorPages("pages", List.of(404, 503), List.of(new HttpHeader("X-Ingress-Name", "shop")));
    ErrorPages unreachable = new ErrorPages("gone", List.of(503), List.of());
    ErrorPages none = new ErrorPages("empty", List.of(503), List.of());
    harness.apply(table(1).cluster("app", app.actualPort()).cluster("pages", pages.actualPort())
        .cluster("gone", closedPort).cluster("empty")
        .route("errors.test", new Route(PathMatch.Prefix.of("/"), "app", Tables.DEFAULT_TIMEOUTS, "test", false, null,
            List.of(rules)))
        .route("unreachable.test", new Route(PathMatch.Prefix.of("/"), "app", Tables.DEFAULT_TIMEOUTS, "test", false,
            null, List.of(unreachable)))
        .route("empty.test", new Route(PathMatch.Prefix.of("/"), "app", Tables.DEFAULT_TIMEOUTS, "test", false, null,
            List.of(none)))
        .cluster("app-twice", app.actualPort(), app.actualPort())
        .route("retried.test", new Route(PathMatch.Prefix.of("/"), "app-twice", Tables.DEFAULT_TIMEOUTS, "test", false,
            null, List.of(new Retry(1, List.of(), List.of(503), 0), rules)))
        .overHttpsToo().build());
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  private static RawHttp.Reply http1(String head) throws Exception {
    return RawHttp.exchange(harness.dataPlane.httpPort(), head, 15_000);
  }

  private static String body(RawHttp.Reply reply) {
    return reply.text().substring(reply.text().indexOf("\r\n\r\n") + 4);
  }

  @Test
  void aListedStatusIsAnsweredWithTheErrorBackendsPage() throws Exception {
    RawHttp.Reply reply = http1("GET /s/404?q=1 HTTP/1.1\r\nHost: errors.test\r\nAccept: application/json\r\n"
        + "Connection: close\r\n\r\n");
    assertThat(reply.status()).as("the page's status, which the error backend took from X-Code").isEqualTo(404);
    assertThat(body(reply)).isEqualTo("page method=GET path=/ code=404 format=application/json original=/s/404?q=1"
        + " ingress=shop host=errors.test body=0\n");
  }

  @Test
  void anUnlistedStatusIsTheBackendsOwnAnswer() throws Exception {
    RawHttp.Reply reply = http1("GET /s/500 HTTP/1.1\r\nHost: errors.test\r\nConnection: close\r\n\r\n");
    assertThat(reply.status()).isEqualTo(500);
    assertThat(body(reply)).isEqualTo("the app's own 500");
    assertThat(body(http1("GET /s/200 HTTP/1.1\r\nHost: errors.test\r\nConnection: close\r\n\r\n")))
        .isEqualTo("the app's own 200");
  }

  @Test
  void aRequestWithABodyFetchesThePageWithoutIt() throws Exception {
    RawHttp.Reply reply = http1("POST /s/503 HTTP/1.1\r\nHost: errors.test\r\nContent-Length: 5\r\n"
        + "Connection: close\r\n\r\nhello");
    assertThat(reply.status()).isEqualTo(503);
    assertThat(body(reply)).startsWith("page method=GET path=/ code=503 format=null original=/s/503 ").endsWith(" body=0\n");
  }

  @Test
  void aHeadRequestFetchesThePageWithHead() throws Exception {
    int before = pageRequests.get();
    RawHttp.Reply reply = http1("HEAD /s/404 HTTP/1.1\r\nHost: errors.test\r\nConnection: close\r\n\r\n");
    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.header("x-page-method")).isEqualTo("HEAD");
    assertThat(body(reply)).isEmpty();
    assertThat(pageRequests.get()).isEqualTo(before + 1);
  }

  @Test
  void aKeepAliveConnectionGoesOnAfterAPage() throws Exception {
    try (RawHttp.Open open = new RawHttp.Open(harness.dataPlane.httpPort())) {
      for (int i = 0; i < 3; i++) {
        assertThat(open.send("GET /s/404 HTTP/1.1\r\nHost: errors.test\r\n\r\n").status()).as("request %d", i)
            .isEqualTo(404);
        assertThat(open.send("GET /s/200 HTTP/1.1\r\nHost: errors.test\r\n\r\n").text()).endsWith("the app's own 200");
      }
    }
  }

  @Test
  void anUnreachableOrEmptyErrorBackendGivesTheProxysOwnAnswerWithTheStatus() throws Exception {
    for (String host : List.of("unreachable.test", "empty.test")) {
      RawHttp.Reply reply = http1("GET /s/503 HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
      assertThat(reply.status()).as(host).isEqualTo(503);
      assertThat(body(reply)).as(host).isEqualTo("503 Service Unavailable\n");
      assertThat(h2(host, HttpMethod.GET, "/s/503")).as(host + " over h2").containsExactly("503",
          "503 Service Unavailable");
    }
  }

  /** As nginx: the request is passed on first (proxy-next-upstream), and the last try's answer gets the page. */
  @Test
  void aRetriedRequestGetsThePageForItsLastAnswer() throws Exception {
    int apps = appRequests.get();
    int pagesBefore = pageRequests.get();
    RawHttp.Reply reply = http1("GET /s/503 HTTP/1.1\r\nHost: retried.test\r\nConnection: close\r\n\r\n");
    assertThat(reply.status()).isEqualTo(503);
    assertThat(body(reply)).startsWith("page method=GET path=/ code=503 ");
    assertThat(appRequests.get() - apps).as("two tries").isEqualTo(2);
    assertThat(pageRequests.get() - pagesBefore).as("one page").isEqualTo(1);
  }

  @Test
  void http2RequestsGetTheSamePages() throws Exception {
    assertThat(h2("errors.test", HttpMethod.GET, "/s/404")).containsExactly("404", "page method=GET path=/ code=404"
        + " format=null original=/s/404 ingress=shop host=errors.test:" + harness.dataPlane.httpsPort() + " body=0");
    assertThat(h2("errors.test", HttpMethod.GET, "/s/500")).containsExactly("500", "the app's own 500");
  }

  private static String[] h2(String host, HttpMethod method, String uri) throws Exception {
    int port = harness.dataPlane.httpsPort();
    return DataPlaneHarness.await(harness.onContext(() -> h2.request(new RequestOptions().setHost("127.0.0.1")
            .setPort(port).setMethod(method).setURI(uri))
        .compose(request -> request.authority(HostAndPort.create(host, port)).send())
        .compose(response -> response.body().map(body -> new String[] {String.valueOf(response.statusCode()),
            body.toString().strip()}))));
  }
}
