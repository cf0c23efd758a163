package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.Cors;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Backend answer heads passed to HTTP/1.x clients as bytes ({@code RawHeadScanner}) on a route
 * whose filters leave the answer's headers alone, against the decoded path that a route with CORS
 * keeps: the same backend, the same request, through both. The hostile heads must get exactly the
 * decoded path's answer (the scanner leaves each of them to Netty's decoder), and a plain head
 * reaches the client byte for byte but for the lines of this hop.
 */
class RawAnswerHeadTest {

  static final String RAW = "raw.test";
  static final String DECODED = "decoded.test";
  static DataPlaneHarness harness;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  /** Both routes to a backend that answers every request with {@code answer} and closes. */
  private static ScriptedBackend answering(String answer) throws Exception {
    ScriptedBackend backend = new ScriptedBackend((socket, head) -> ScriptedBackend.write(socket, answer));
    harness.apply(table(System.nanoTime()).cluster("app", backend.port())
        .route(RAW, Tables.filtered("app"))
        .route(DECODED, Tables.filtered("app", new Cors(List.of("https://app.example.com"), false, List.of("GET"),
            List.of(), List.of(), 0)))
        .build());
    return backend;
  }

  private static RawHttp.Reply get(String host, String version, String connection) throws Exception {
    return RawHttp.exchange(harness.dataPlane.httpPort(),
        "GET /x " + version + "\r\nHost: " + host + "\r\nConnection: " + connection + "\r\n\r\n", 10_000);
  }

  /**
   * Each rule of the backend's head that today's decoder enforces, through the route that passes
   * heads as bytes: the decoded route's answer, and the one expected.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "bare CR in a value | 502 | HTTP/1.1 200 OK\\r\\nX-A: a\\rb\\r\\nContent-Length: 2\\r\\n\\r\\nok",
      "obs-fold | 200 | HTTP/1.1 200 OK\\r\\nX-A: a\\r\\n b\\r\\nContent-Length: 2\\r\\n\\r\\nok",
      "space before the colon | 200 | HTTP/1.1 200 OK\\r\\nContent-Length : 2\\r\\n\\r\\nok",
      "two differing Content-Lengths | 502 | HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nContent-Length: 3\\r\\n\\r\\nok",
      "Content-Length with Transfer-Encoding | 200 | HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n2\\r\\nok\\r\\n0\\r\\n\\r\\n",
      "over-long head | 502 | HTTP/1.1 200 OK\\r\\nX-Big: BIG\\r\\nContent-Length: 2\\r\\n\\r\\nok",
      "truncated head | 502 | HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nX-A: a",
      "NUL in a value | 502 | HTTP/1.1 200 OK\\r\\nX-A: a\\u0000b\\r\\nContent-Length: 2\\r\\n\\r\\nok"})
  void hostileBackendHeadGetsTheDecodedPathsAnswer(String rule, int expected, String answer) throws Exception {
    String bytes = answer.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0000", "\u0000")
        .replace("BIG", "b".repeat(20_000));
    try (ScriptedBackend backend = answering(bytes)) {
      RawHttp.Reply decoded = get(DECODED, "HTTP/1.1", "close");
      RawHttp.Reply raw = get(RAW, "HTTP/1.1", "close");
      assertThat(raw.status()).as(rule + ": " + raw.text()).isEqualTo(decoded.status()).isEqualTo(expected);
      assertThat(raw.closedByServer()).as(rule).isEqualTo(decoded.closedByServer());
      assertThat(body(raw)).as(rule).isEqualTo(body(decoded));
    }
  }

  /**
   * A plain head goes as it came (the backend's spacing, order and case kept), minus the lines of
   * the backend's hop; the client's own Connection framing is added.
   */
  @Test
  void plainHeadReachesTheClientByteForByteButForHopByHopLines() throws Exception {
    try (ScriptedBackend backend = answering("HTTP/1.1 200 OK\r\nserver: scripted\r\nConnection: keep-alive\r\n"
        + "Keep-Alive: timeout=5\r\nX-A:  spaced\t\r\nContent-Length: 2\r\nTE: trailers\r\n\r\nok")) {
      RawHttp.Reply raw = get(RAW, "HTTP/1.1", "close");
      assertThat(raw.text()).isEqualTo("HTTP/1.1 200 OK\r\nserver: scripted\r\nX-A:  spaced\t\r\nContent-Length: 2\r\n"
          + "Connection: close\r\n\r\nok");
      RawHttp.Reply decoded = get(DECODED, "HTTP/1.1", "close");
      assertThat(decoded.text()).as("the decoded path re-encodes the values").contains("\r\nX-A: spaced\r\n")
          .doesNotContain("Keep-Alive").doesNotContain("TE:");
    }
  }

  /** An HTTP/1.0 client that keeps its connection is told so, in its own version (RFC 9112 §9.3). */
  @Test
  void http10ClientGetsItsVersionAndKeepAlive() throws Exception {
    try (ScriptedBackend backend = answering("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        RawHttp.Open client = new RawHttp.Open(harness.dataPlane.httpPort())) {
      RawHttp.Reply reply = client.send("GET /x HTTP/1.0\r\nHost: " + RAW + "\r\nConnection: keep-alive\r\n\r\n");
      assertThat(reply.text()).isEqualTo("HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok");
      assertThat(client.send("GET /x HTTP/1.0\r\nHost: " + RAW + "\r\n\r\n").text())
          .as("the next request on the same connection").startsWith("HTTP/1.0 200 OK\r\n").endsWith("\r\n\r\nok");
    }
  }

  /** An answer to HEAD has no body whatever its Content-Length says (RFC 9110 §9.3.2); the length goes on. */
  @Test
  void answerToHeadKeepsItsLengthAndHasNoBody() throws Exception {
    try (ScriptedBackend backend = answering("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")) {
      RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(),
          "HEAD /x HTTP/1.1\r\nHost: " + RAW + "\r\nConnection: close\r\n\r\n", 10_000);
      assertThat(reply.text()).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n");
    }
  }

  private static String body(RawHttp.Reply reply) {
    int end = reply.text().indexOf("\r\n\r\n");
    return end < 0 ? "" : reply.text().substring(end + 4);
  }
}
