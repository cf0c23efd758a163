package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.proxy.RealIp;
import io.clbingress.dataplane.table.BasicAuth;
import io.clbingress.dataplane.table.HttpHeader;
import io.clbingress.dataplane.table.RegexSubstitution;
import io.clbingress.dataplane.table.RequestHeaderModifier;
import io.clbingress.dataplane.table.URLRewrite;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The request a backend receives from the HTTP/1.x engine, byte for byte: head and body as a
 * backend that records its raw bytes sees them, for routes without edits, with a rewrite, with
 * header edits, behind a trusted proxy, with basic authentication; for a body framed by
 * Content-Length, a chunked one, and an HTTP/1.0 request without Host. The same bytes as before
 * the request head was written without header objects ({@code UpstreamRequestHead}).
 */
class RawRequestHeadTest {

  private static final String TRUSTED_PEER = "127.0.0.2";
  private static final String ANSWER = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
  static DataPlaneHarness harness;
  static ScriptedBackend backend;
  /** What the backend received: each request's head and its body. */
  static final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  static String port;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(DataPlaneOptions.loopback(Duration.ofSeconds(1))
        .withClientAddress(RealIp.parse(TRUSTED_PEER, null), false));
    backend = new ScriptedBackend((socket, head) -> {
      received.add(head + body(socket.getInputStream(), head));
      ScriptedBackend.write(socket, ANSWER);
    });
    port = Integer.toString(harness.dataPlane.httpPort());
    String sha = "{SHA}" + Base64.getEncoder().encodeToString(
        MessageDigest.getInstance("SHA-1").digest("c4rol".getBytes(StandardCharsets.UTF_8)));
    harness.apply(table(1).cluster("app", backend.port())
        .route("plain.test", Tables.filtered("app"))
        .route("rewrite.test", Tables.filtered("app",
            new URLRewrite("backend.internal", new RegexSubstitution("^/old/(.*)", "/new/$1"))))
        .route("edits.test", Tables.filtered("app", new RequestHeaderModifier(List.of(
            new HttpHeader("User-Agent", "the-proxy"), new HttpHeader("X-Forwarded-Proto", "set"),
            new HttpHeader("X-Team", "a")))))
        .route("auth.test", Tables.filtered("app", new BasicAuth("r", List.of(new BasicAuth.User("carol", sha)))))
        .defaultRoute("app")
        .build());
  }

  @AfterAll
  static void stop() throws Exception {
    DataPlaneHarness.closeAll(backend, harness);
  }

  /** The body after {@code head}: as many bytes as its Content-Length says, or a chunked body up to its last chunk. */
  private static String body(InputStream in, String head) throws java.io.IOException {
    String lower = head.toLowerCase(java.util.Locale.ROOT);
    int length = lower.indexOf("\r\ncontent-length: ");
    if (length >= 0) {
      int from = length + "\r\ncontent-length: ".length();
      return new String(in.readNBytes(Integer.parseInt(head.substring(from, head.indexOf('\r', from)))),
          StandardCharsets.ISO_8859_1);
    }
    StringBuilder body = new StringBuilder();
    if (lower.contains("\r\ntransfer-encoding: chunked\r\n")) {
      while (!body.toString().endsWith("\r\n0\r\n\r\n") && !body.toString().equals("0\r\n\r\n")) {
        int c = in.read();
        if (c < 0) {
          break;
        }
        body.append((char) c);
      }
    }
    return body.toString();
  }

  /** What the backend received for {@code request}, the connection's last (its head ends {@code Connection: close}). */
  private static String sent(String from, String request) throws Exception {
    if (!request.contains("Connection: close")) {
      request = request.replaceFirst("\r\n\r\n", "\r\nConnection: close\r\n\r\n");
    }
    RawHttp.Reply reply = RawHttp.exchangeFrom(from, harness.dataPlane.httpPort(), request, 10_000);
    assertThat(reply.text()).contains(" 200 OK\r\n");
    String seen = received.poll(10, TimeUnit.SECONDS);
    assertThat(received).isEmpty();
    return seen;
  }

  private static String sent(String request) throws Exception {
    return sent("127.0.0.1", request);
  }

  @Test
  void plainRouteGetsTheClientsFieldsLessHopByHopAndSpoofedOnesThenTheProxys() throws Exception {
    assertThat(sent("GET /x?y=1 HTTP/1.1\r\nHost: plain.test\r\nUser-Agent: t\r\nConnection: close, X-Drop\r\n"
        + "X-Drop: d\r\nX-Forwarded-For: 6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\nX_Under: u\r\nX-Request-ID: id-1\r\n"
        + "Keep-Alive: 5\r\nTE: trailers\r\nAccept: */*\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n"))
        .isEqualTo("GET /x?y=1 HTTP/1.1\r\nUser-Agent: t\r\nX-Request-ID: id-1\r\nAccept: */*\r\nCookie: a=1\r\n"
            + "Cookie: b=2\r\nHost: plain.test\r\nX-Forwarded-For: 127.0.0.1\r\nX-Real-IP: 127.0.0.1\r\n"
            + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: plain.test\r\nX-Forwarded-Port: " + port + "\r\n\r\n");
  }

  @Test
  void rewrittenRouteGetsItsPathAndHost() throws Exception {
    assertThat(sent("GET /old/a?q HTTP/1.1\r\nHost: rewrite.test\r\nX-Request-ID: id-2\r\n\r\n"))
        .isEqualTo("GET /new/a?q HTTP/1.1\r\nX-Request-ID: id-2\r\nHost: backend.internal\r\n"
            + "X-Forwarded-For: 127.0.0.1\r\nX-Real-IP: 127.0.0.1\r\nX-Forwarded-Proto: http\r\n"
            + "X-Forwarded-Host: rewrite.test\r\nX-Forwarded-Port: " + port + "\r\n\r\n");
  }

  @Test
  void routesHeaderEditsReplaceTheClientsAndTheProxysFieldsAndGoLast() throws Exception {
    assertThat(sent("GET / HTTP/1.1\r\nHost: edits.test\r\nUser-Agent: t\r\nx-team: b\r\nX-Request-ID: id-3\r\n\r\n"))
        .isEqualTo("GET / HTTP/1.1\r\nX-Request-ID: id-3\r\nHost: edits.test\r\nX-Forwarded-For: 127.0.0.1\r\n"
            + "X-Real-IP: 127.0.0.1\r\nX-Forwarded-Host: edits.test\r\nX-Forwarded-Port: " + port + "\r\n"
            + "User-Agent: the-proxy\r\nX-Forwarded-Proto: set\r\nX-Team: a\r\n\r\n");
  }

  @Test
  void trustedPeersForwardedForAndProtoNameTheClient() throws Exception {
    assertThat(sent(TRUSTED_PEER, "GET / HTTP/1.1\r\nHost: plain.test\r\nX-Forwarded-For: 6.6.6.6, 203.0.113.7\r\n"
        + "X-Forwarded-Proto: https\r\nX-Request-ID: id-4\r\n\r\n"))
        .isEqualTo("GET / HTTP/1.1\r\nX-Request-ID: id-4\r\nHost: plain.test\r\n"
            + "X-Forwarded-For: 203.0.113.7, 127.0.0.2\r\nX-Real-IP: 203.0.113.7\r\nX-Forwarded-Proto: https\r\n"
            + "X-Forwarded-Host: plain.test\r\nX-Forwarded-Port: " + port + "\r\n\r\n");
  }

  @Test
  void authenticatedRequestLosesItsCredentials() throws Exception {
    String credentials = Base64.getEncoder().encodeToString("carol:c4rol".getBytes(StandardCharsets.UTF_8));
    assertThat(sent("GET /a HTTP/1.1\r\nHost: auth.test\r\nAuthorization: Basic " + credentials
        + "\r\nX-Request-ID: id-5\r\n\r\n"))
        .isEqualTo("GET /a HTTP/1.1\r\nX-Request-ID: id-5\r\n"
            + "Host: auth.test\r\nX-Forwarded-For: 127.0.0.1\r\nX-Real-IP: 127.0.0.1\r\nX-Forwarded-Proto: http\r\n"
            + "X-Forwarded-Host: auth.test\r\nX-Forwarded-Port: " + port + "\r\n\r\n");
  }

  @Test
  void bodyFramedByContentLengthGoesAsSentWithoutTheExpectation() throws Exception {
    assertThat(sent("POST /p HTTP/1.1\r\nHost: plain.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n"
        + "X-Request-ID: id-6\r\n\r\nhello"))
        .isEqualTo("POST /p HTTP/1.1\r\nContent-Length: 5\r\nX-Request-ID: id-6\r\nHost: plain.test\r\n"
            + "X-Forwarded-For: 127.0.0.1\r\nX-Real-IP: 127.0.0.1\r\nX-Forwarded-Proto: http\r\n"
            + "X-Forwarded-Host: plain.test\r\nX-Forwarded-Port: " + port + "\r\n\r\nhello");
  }

  /**
   * A Connection header that lists Content-Length does not take the body's framing away: the
   * backend would read the body as the next request on its connection (a request smuggled past
   * every route check, with the X-Forwarded-For and X-Real-IP the client wrote).
   */
  @Test
  void connectionListingContentLengthKeepsTheFraming() throws Exception {
    String smuggled = "GET /admin HTTP/1.1\r\nHost: plain.test\r\nX-Real-IP: 6.6.6.6\r\n\r\n";
    assertThat(sent("POST /p HTTP/1.1\r\nHost: plain.test\r\nConnection: close, Content-Length\r\n"
        + "Content-Length: " + smuggled.length() + "\r\nX-Request-ID: id-9\r\n\r\n" + smuggled))
        .isEqualTo("POST /p HTTP/1.1\r\nContent-Length: " + smuggled.length() + "\r\nX-Request-ID: id-9\r\n"
            + "Host: plain.test\r\nX-Forwarded-For: 127.0.0.1\r\nX-Real-IP: 127.0.0.1\r\nX-Forwarded-Proto: http\r\n"
            + "X-Forwarded-Host: plain.test\r\nX-Forwarded-Port: " + port + "\r\n\r\n" + smuggled);
  }

  @Test
  void chunkedBodyGoesChunkedWithoutItsTrailers() throws Exception {
    assertThat(sent("POST /p HTTP/1.1\r\nHost: plain.test\r\nTransfer-Encoding: chunked\r\nX-Request-ID: id-7\r\n\r\n"
        + "5\r\nhello\r\n0\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n"))
        .isEqualTo("POST /p HTTP/1.1\r\nX-Request-ID: id-7\r\nHost: plain.test\r\nX-Forwarded-For: 127.0.0.1\r\n"
            + "X-Real-IP: 127.0.0.1\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: plain.test\r\n"
            + "X-Forwarded-Port: " + port + "\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  }

  @Test
  void http10RequestWithoutHostNamesTheEndpoint() throws Exception {
    assertThat(sent("GET /h HTTP/1.0\r\nX-Request-ID: id-8\r\n\r\n"))
        .isEqualTo("GET /h HTTP/1.1\r\nX-Request-ID: id-8\r\nX-Forwarded-For: 127.0.0.1\r\nX-Real-IP: 127.0.0.1\r\n"
            + "X-Forwarded-Proto: http\r\nX-Forwarded-Port: " + port + "\r\nhost: 127.0.0.1:" + backend.port()
            + "\r\n\r\n");
  }
}
