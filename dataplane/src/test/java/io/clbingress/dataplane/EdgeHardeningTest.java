package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests that reports against other proxies showed slipping past a route or a backend's idea of
 * a request's end, sent byte for byte over raw sockets: path spellings that name another route's
 * resource (RFC 3986 §5.2.4, §6.2.2) and requests whose framing is ambiguous (RFC 9112 §6.1).
 */
class EdgeHardeningTest {

  static final String HOST = "app.example.test";
  static DataPlaneHarness harness;
  static TestBackend operator;
  static TestBackend admin;
  static TestBackend web;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    operator = harness.backend("operator");
    admin = harness.backend("admin");
    web = harness.backend("web");
    harness.apply(table(1).cluster("operator", operator.port()).cluster("admin", admin.port())
        .cluster("web", web.port())
        .prefix(HOST, "/api/operator", "operator")
        .prefix(HOST, "/api/admin", "admin")
        .prefix(HOST, "/", "web")
        .build());
  }

  @BeforeEach
  void forget() {
    operator.uris.clear();
    admin.uris.clear();
    web.uris.clear();
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  private static int port() {
    return harness.dataPlane.httpPort();
  }

  /**
   * curl --path-as-is (and any client that sends dot segments raw or percent-encoded): the request
   * reaches the route that owns the resolved path, and that backend receives the resolved path.
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "/api/operator/../admin/secret",
      "/api/operator/%2e%2e/admin/secret",
      "/api/operator/%2E%2E/admin/secret",
      "/api/operator/.%2e/admin/secret",
      "/api/operator/%2e./admin/secret",
      "/api/./admin/secret",
      "/api/%2e/admin/secret",
      "/api/operator/x/../../admin/secret",
      "/api/operator/./../admin/./secret",
      "/../api/admin/secret",
      "//api//admin/secret",
      "/api///admin/secret",
      "/api/%61dmin/secret",
      "/api/operator/..//admin/secret"})
  void curlPathAsIsDotSegmentsReachTheRouteThatOwnsTheResolvedPath(String target) throws Exception {
    RawHttp.Reply reply = RawHttp.get(port(), HOST, target);
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    assertThat(reply.header("x-backend")).isEqualTo("admin");
    assertThat(reply.header("x-backend-uri")).isEqualTo("/api/admin/secret");
    assertThat(operator.uris).isEmpty();
  }

  @Test
  void queryIsForwardedUntouchedAndEncodedSlashesStayEncoded() throws Exception {
    RawHttp.Reply reply = RawHttp.get(port(), HOST, "/api/./operator/group%2fproject?next=/../%2e%2e&a=%2F");
    assertThat(reply.header("x-backend")).isEqualTo("operator");
    assertThat(reply.header("x-backend-uri")).isEqualTo("/api/operator/group%2Fproject?next=/../%2e%2e&a=%2F");
  }

  @Test
  void pathThatNeedsNoNormalisingIsForwardedAsSent() throws Exception {
    RawHttp.Reply reply = RawHttp.get(port(), HOST, "/api/operator/a.b/.well-known/x%20y?q=1");
    assertThat(reply.header("x-backend-uri")).isEqualTo("/api/operator/a.b/.well-known/x%20y?q=1");
  }

  @Test
  void trailingDotSegmentsKeepTheTrailingSlash() throws Exception {
    assertThat(RawHttp.get(port(), HOST, "/api/admin/x/..").header("x-backend-uri")).isEqualTo("/api/admin/");
    assertThat(RawHttp.get(port(), HOST, "/api/admin/.").header("x-backend-uri")).isEqualTo("/api/admin/");
    assertThat(RawHttp.get(port(), HOST, "/api/operator/..").header("x-backend")).isEqualTo("web");
  }

  /**
   * Dot segments hidden behind encoded slashes or backslashes (which a backend that decodes them,
   * or runs on Windows, takes as separators), malformed escapes, NUL: 400, and no backend sees them.
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "/api/operator/..%2Fadmin/secret",
      "/api/operator/..%2fadmin/secret",
      "/api/operator/%2e%2e%2fadmin/secret",
      "/api/operator%2F..%2Fadmin/secret",
      "/api/operator/..%5Cadmin/secret",
      "/api/operator/..\\admin/secret",
      "/api/operator/%zz",
      "/api/operator/%4",
      "/api/operator/%",
      "/api/operator/a%00b"})
  void dotSegmentsBehindEncodedSlashesAndMalformedEscapesGet400(String target) throws Exception {
    RawHttp.Reply reply = RawHttp.get(port(), HOST, target);
    assertThat(reply.status()).as(reply.text()).isEqualTo(400);
    assertThat(operator.uris).isEmpty();
    assertThat(admin.uris).isEmpty();
    assertThat(web.uris).isEmpty();
  }

  @Test
  void webSocketUpgradeWithDotSegmentsGoesToTheResolvedRoute() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(port(), "GET /api/operator/%2e%2e/admin/ws HTTP/1.1\r\nHost: " + HOST
        + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", 2_000);
    assertThat(reply.status()).as(reply.text()).isEqualTo(101);
    assertThat(admin.uris).containsExactly("/api/admin/ws");
    assertThat(operator.uris).isEmpty();
  }

  /**
   * Firefox sends {@code Connection: keep-alive, Upgrade}; other clients vary the order, the case
   * and split the list over two lines (RFC 9110 §7.6.1: a comma-separated token list). Every
   * spelling upgrades, and frames pass both ways after the 101.
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "Connection: keep-alive, Upgrade",
      "Connection: Upgrade, keep-alive",
      "Connection: keep-alive,Upgrade",
      "Connection: UPGRADE",
      "Connection: upgrade",
      "Connection: keep-alive\r\nConnection: Upgrade"})
  void firefoxStyleConnectionTokenListsUpgradeAndCarryFrames(String connection) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port())) {
      socket.setSoTimeout(10_000);
      java.io.OutputStream out = socket.getOutputStream();
      out.write(("GET /api/admin/ws HTTP/1.1\r\nHost: " + HOST + "\r\n" + connection.replace("\\r\\n", "\r\n")
          + "\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      java.io.InputStream in = socket.getInputStream();
      String head = RawHttp.readHead(in);
      assertThat(head).startsWith("HTTP/1.1 101");
      // A masked text frame "hello" (RFC 6455 §5.2); the backend answers "admin:hello".
      byte[] mask = {1, 2, 3, 4};
      byte[] payload = "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
      frame.write(0x81);
      frame.write(0x80 | payload.length);
      frame.write(mask);
      for (int i = 0; i < payload.length; i++) {
        frame.write(payload[i] ^ mask[i % 4]);
      }
      out.write(frame.toByteArray());
      assertThat(in.read()).isEqualTo(0x81);
      int length = in.read();
      assertThat(new String(in.readNBytes(length), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("admin:hello");
    }
  }

  /**
   * Clients that write the default port into Host ({@code Host: app.example.test:80}, some
   * HTTP libraries and hand-written clients): the backend receives the Host header as sent, port
   * included, on requests and WebSocket upgrades alike.
   */
  @ParameterizedTest
  @ValueSource(strings = {HOST + ":80", HOST + ":080", HOST + ":8080", "APP.example.test"})
  void hostWithItsPortReachesTheBackendAsSent(String host) throws Exception {
    RawHttp.Reply reply = RawHttp.get(port(), host, "/api/admin/x");
    assertThat(reply.header("x-backend")).isEqualTo("admin");
    assertThat(reply.header("seen-host")).isEqualTo(host);
    assertThat(reply.header("seen-x-forwarded-host")).isEqualTo(host);
  }

  /**
   * A request smuggling probe (RFC 9112 §6.1): the framing headers disagree, and what a backend
   * would read as a second request ({@code GET /smuggled}) follows the first one's body. Refused,
   * the connection closed, and no backend sees either request.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "TE.CL: chunked then Content-Length | 400 | POST /api/operator/x HTTP/1.1\\r\\nHost: app.example.test\\r\\nTransfer-Encoding: chunked\\r\\nContent-Length: 4\\r\\n\\r\\n",
      "CL.TE: Content-Length then chunked | 400 | POST /api/operator/x HTTP/1.1\\r\\nHost: app.example.test\\r\\nContent-Length: 4\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n",
      "upper-case CHUNKED with Content-Length | 400 | POST /api/operator/x HTTP/1.1\\r\\nHost: app.example.test\\r\\nTransfer-Encoding: CHUNKED\\r\\nContent-Length: 4\\r\\n\\r\\n",
      "HTTP/1.0 with chunked | 400 | POST /api/operator/x HTTP/1.0\\r\\nHost: app.example.test\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n",
      "chunked not last | 400 | POST /api/operator/x HTTP/1.1\\r\\nHost: app.example.test\\r\\nTransfer-Encoding: chunked, identity\\r\\n\\r\\n",
      "unknown coding xchunked | 400 | POST /api/operator/x HTTP/1.1\\r\\nHost: app.example.test\\r\\nTransfer-Encoding: xchunked\\r\\n\\r\\n",
      "gzip then chunked | 501 | POST /api/operator/x HTTP/1.1\\r\\nHost: app.example.test\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n",
      "two Transfer-Encoding lines | 501 | POST /api/operator/x HTTP/1.1\\r\\nHost: app.example.test\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n",
      "two Content-Length values | 400 | POST /api/operator/x HTTP/1.1\\r\\nHost: app.example.test\\r\\nContent-Length: 4\\r\\nContent-Length: 5\\r\\n\\r\\n",
      "space before the colon | 400 | POST /api/operator/x HTTP/1.1\\r\\nHost: app.example.test\\r\\nTransfer-Encoding : chunked\\r\\nContent-Length: 4\\r\\n\\r\\n"})
  void smugglingProbesAreRefusedAndTheConnectionClosed(String quirk, int status, String head) throws Exception {
    String request = head.replace("\\r\\n", "\r\n") + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n";
    RawHttp.Reply reply = RawHttp.exchange(port(), request, 10_000);
    assertThat(reply.statuses()).as(reply.text()).containsExactly(status);
    assertThat(reply.closedByServer()).as("closed after the refusal").isTrue();
    assertThat(operator.uris).isEmpty();
    assertThat(web.uris).isEmpty();
  }

  @Test
  void chunkedRequestKeepsItsConnectionForTheNextRequest() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(port(), "POST /api/operator/echo HTTP/1.1\r\nHost: " + HOST
        + "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
        + "GET /api/admin/next HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n", 10_000);
    assertThat(reply.statuses()).as(reply.text()).containsExactly(200, 200);
    assertThat(operator.uris).containsExactly("/api/operator/echo");
    assertThat(admin.uris).containsExactly("/api/admin/next");
  }
}
