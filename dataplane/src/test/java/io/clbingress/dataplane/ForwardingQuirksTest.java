package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Clients that use the less common parts of HTTP/1.1 forwarding, byte for byte over raw sockets:
 * {@code Expect: 100-continue} (curl's uploads, RFC 9110 §10.1.1) and absolute-form request
 * targets (proxy-style clients, RFC 9112 §3.2.2).
 */
class ForwardingQuirksTest {

  static final String HOST = "app.example.test";
  static final String OTHER = "other.example.test";
  static final String DEAD = "dead.example.test";
  /** curl -T 256k.bin */
  static final int UPLOAD_BYTES = 256 * 1024;
  static DataPlaneHarness harness;
  static TestBackend app;
  static TestBackend other;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    app = harness.backend("app");
    other = harness.backend("other");
    int deadPort;
    try (ServerSocket unused = new ServerSocket(0)) {
      deadPort = unused.getLocalPort();
    }
    harness.apply(table(1).cluster("app", app.port()).cluster("other", other.port()).cluster("dead", deadPort)
        .prefix(HOST, "/", "app")
        .prefix(OTHER, "/", "other")
        .prefix(DEAD, "/", "dead")
        .build());
  }

  @BeforeEach
  void forget() {
    app.uris.clear();
    other.uris.clear();
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  private static int port() {
    return harness.dataPlane.httpPort();
  }

  private static Socket client() throws Exception {
    Socket socket = new Socket("127.0.0.1", port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static void write(OutputStream out, String text) throws Exception {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static int status(String head) {
    return head.length() < 12 ? -1 : Integer.parseInt(head.substring(9, 12));
  }

  private static String header(String head, String name) {
    return new RawHttp.Reply(head, false).header(name);
  }

  /**
   * {@code curl -T 256k.bin -H 'Expect: 100-continue'}: curl sends the head and holds the body
   * until a 100 comes (or its 1 s expect timer fires). The proxy answers 100 as soon as the
   * backend connection is made; the body then streams through, and the backend, which does not
   * see the expectation, gets all of it. Variants: header case, PUT and POST, chunked upload.
   */
  @ParameterizedTest(name = "{0} {1} {2}")
  @CsvSource(delimiter = '|', value = {
      "PUT  | Expect: 100-continue | content-length",
      "POST | Expect: 100-Continue | content-length",
      "PUT  | expect: 100-CONTINUE | chunked"})
  void curlUploadWithExpect100ContinueGetsA100AndStreamsItsBody(String method, String expect, String framing)
      throws Exception {
    byte[] body = new byte[UPLOAD_BYTES];
    Arrays.fill(body, (byte) 'x');
    try (Socket socket = client()) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      String framingHeader = framing.equals("chunked") ? "Transfer-Encoding: chunked" : "Content-Length: " + body.length;
      write(out, method + " /echo HTTP/1.1\r\nHost: " + HOST + "\r\n" + expect + "\r\n" + framingHeader + "\r\n\r\n");
      String interim = RawHttp.readHead(in);
      assertThat(interim).as("the first answer, before any body was sent").startsWith("HTTP/1.1 100 ");
      if (framing.equals("chunked")) {
        write(out, Integer.toHexString(body.length) + "\r\n");
        out.write(body);
        write(out, "\r\n0\r\n\r\n");
      } else {
        out.write(body);
        out.flush();
      }
      String head = RawHttp.readHead(in);
      assertThat(status(head)).as(head).isEqualTo(200);
      assertThat(header(head, "seen-expect")).as("the proxy met the expectation itself").isNull();
      assertThat(header(head, "content-length")).isEqualTo(String.valueOf(body.length));
      assertThat(in.readNBytes(body.length)).isEqualTo(body);
    }
  }

  /**
   * A backend that refuses an upload on its head alone (401 before reading any body): the
   * client, which holds its body until invited, gets the 401 without sending a byte of it, not a
   * 502 or a wait for its expect timer.
   */
  @ParameterizedTest
  @ValueSource(strings = {"Content-Length: " + UPLOAD_BYTES, "Transfer-Encoding: chunked"})
  void curlExpect100ContinueRefusedByTheBackendGetsTheRefusal(String framing) throws Exception {
    try (Socket socket = client()) {
      InputStream in = socket.getInputStream();
      write(socket.getOutputStream(), "PUT /refuse HTTP/1.1\r\nHost: " + HOST + "\r\nExpect: 100-continue\r\n"
          + framing + "\r\n\r\n");
      String head = RawHttp.readHead(in);
      while (head.startsWith("HTTP/1.1 1")) {
        head = RawHttp.readHead(in);
      }
      assertThat(status(head)).as(head).isEqualTo(401);
      assertThat(header(head, "x-backend")).isEqualTo("app");
      assertThat(app.uris).containsExactly("/refuse");
    }
  }

  /**
   * A client that was sent 100 and then the backend's refusal may still send its body (RFC 9110
   * §10.1.1); the connection then goes on to serve its next request.
   */
  @Test
  void curlExpect100ContinueThatSendsItsBodyAfterARefusalKeepsItsConnection() throws Exception {
    try (Socket socket = client()) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      write(out, "PUT /refuse HTTP/1.1\r\nHost: " + HOST + "\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
      String head = RawHttp.readHead(in);
      while (head.startsWith("HTTP/1.1 1")) {
        head = RawHttp.readHead(in);
      }
      assertThat(status(head)).as(head).isEqualTo(401);
      in.readNBytes(Integer.parseInt(header(head, "content-length")));
      write(out, "hello" + "GET /next HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n");
      String next = RawHttp.readHead(in);
      assertThat(status(next)).as(next).isEqualTo(200);
      assertThat(app.uris).containsExactly("/refuse", "/next");
    }
  }

  /**
   * The proxy's own final answer before any 100 (no route: 404; no endpoint answers: 502): the
   * client never sends the body it was not invited to send, so the answer says
   * {@code Connection: close} and the connection is closed, rather than left waiting for a body
   * (whose bytes, or the client's next request, would be misread).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {"unknown.invalid | 404", DEAD + " | 502"})
  void curlExpect100ContinueAnsweredByTheProxyGetsTheAnswerAndAClose(String host, int expected) throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(port(), "PUT /upload HTTP/1.1\r\nHost: " + host
        + "\r\nExpect: 100-continue\r\nContent-Length: " + UPLOAD_BYTES + "\r\n\r\n", 5_000);
    assertThat(reply.statuses()).as(reply.text()).containsExactly(expected);
    assertThat(reply.header("connection")).isEqualTo("close");
    assertThat(reply.closedByServer()).as("closed after the answer").isTrue();
  }

  /**
   * An HTTP/1.0 client with {@code Expect: 100-continue} sends its body at once: the expectation
   * is ignored (RFC 9110 §10.1.1), no 100 is sent to it, and the backend does not see it either.
   */
  @Test
  void http10ClientWithExpect100ContinueGetsNo100() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(port(), "POST /echo HTTP/1.0\r\nHost: " + HOST
        + "\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello", 5_000);
    assertThat(reply.statuses()).as(reply.text()).containsExactly(200);
    assertThat(reply.header("seen-expect")).isNull();
    assertThat(reply.text()).endsWith("\r\n\r\nhello");
  }

  /**
   * Proxy-style clients (and request-smuggling probes) send an absolute-form target. Its
   * authority wins over the Host header (RFC 9112 §3.2.2): it chooses the route, and the backend
   * receives the origin-form target, with Host and X-Forwarded-Host set to that authority as
   * written (scheme and host in any case, port kept, dot segments resolved).
   */
  @ParameterizedTest(name = "{0} with Host {1}")
  @CsvSource(delimiter = '|', value = {
      "http://app.example.test/x           | other.example.test | /x      | app.example.test",
      "HTTP://APP.example.test/x?q=1&r=%2F | other.example.test | /x?q=1&r=%2F | APP.example.test",
      "https://app.example.test/x          | other.example.test | /x      | app.example.test",
      "http://app.example.test:80/x        | other.example.test | /x      | app.example.test:80",
      "http://app.example.test             | other.example.test | /       | app.example.test",
      "http://app.example.test?q=1         | other.example.test | /?q=1   | app.example.test",
      "http://app.example.test/a/../x      | other.example.test | /x      | app.example.test"})
  void proxyStyleAbsoluteTargetIsRoutedByItsAuthority(String target, String host, String uri, String authority)
      throws Exception {
    RawHttp.Reply reply = RawHttp.get(port(), host, target);
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    assertThat(reply.header("x-backend")).isEqualTo("app");
    assertThat(reply.header("x-backend-uri")).isEqualTo(uri);
    assertThat(reply.header("seen-host")).isEqualTo(authority);
    assertThat(reply.header("seen-x-forwarded-host")).isEqualTo(authority);
    assertThat(other.uris).isEmpty();
  }

  /** HTTP/1.0 proxy-style clients may send no Host at all: the target's authority routes them. */
  @Test
  void http10AbsoluteTargetWithoutHostIsRoutedByItsAuthority() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(port(), "GET http://app.example.test/x HTTP/1.0\r\n\r\n", 5_000);
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    assertThat(reply.header("x-backend")).isEqualTo("app");
    assertThat(reply.header("seen-host")).isEqualTo(HOST);
  }

  /**
   * Absolute targets that name no HTTP resource of a valid host (userinfo, RFC 9110 §4.2.4; an
   * empty host, §4.2.1; another scheme; a port out of range): 400, whatever the Host says.
   */
  @ParameterizedTest
  @ValueSource(strings = {"http://user@app.example.test/x", "http://user:pw@app.example.test/x", "http:///x",
      "http://:80/x", "ftp://app.example.test/x", "http://app.example.test:99999/x"})
  void proxyStyleAbsoluteTargetWithoutAValidAuthorityGets400(String target) throws Exception {
    RawHttp.Reply reply = RawHttp.get(port(), HOST, target);
    assertThat(reply.status()).as(reply.text()).isEqualTo(400);
    assertThat(app.uris).isEmpty();
    assertThat(other.uris).isEmpty();
  }

  /** A WebSocket upgrade with an absolute target goes where the target names, as a plain request does. */
  @Test
  void proxyStyleAbsoluteTargetUpgradesOnItsAuthoritysRoute() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(port(), "GET http://app.example.test/ws HTTP/1.1\r\nHost: " + OTHER
        + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", 2_000);
    assertThat(reply.status()).as(reply.text()).isEqualTo(101);
    assertThat(app.uris).containsExactly("/ws");
    assertThat(other.uris).isEmpty();
  }
}
