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

/**
 * The hostile-input table of a careful edge proxy (docs/request-handling.md), each row sent byte
 * for byte: what the client gets, and that the backend sees nothing it should not.
 */
class HostileInputTest {

  static final String HOST = "app.example.test";
  static DataPlaneHarness harness;
  static TestBackend app;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    app = harness.backend("app");
    harness.apply(table(1).cluster("app", app.port()).prefix(HOST, "/", "app").defaultRoute("app").build());
  }

  @BeforeEach
  void forget() {
    app.uris.clear();
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  private static RawHttp.Reply send(String request) throws Exception {
    return RawHttp.exchange(harness.dataPlane.httpPort(), request.replace("\\r", "\r").replace("\\n", "\n")
        .replace("\\0", "\0").replace("\\t", "\t"), 10_000);
  }

  /** Requests refused before routing: the status, and no backend saw them. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "bare CR inside a header value | 400 | GET / HTTP/1.1\\r\\nHost: app.example.test\\r\\nX-A: a\\rb\\r\\nConnection: close\\r\\n\\r\\n",
      "NUL in a header value | 400 | GET / HTTP/1.1\\r\\nHost: app.example.test\\r\\nX-A: a\\0b\\r\\nConnection: close\\r\\n\\r\\n",
      "NUL in the target | 400 | GET /a\\0b HTTP/1.1\\r\\nHost: app.example.test\\r\\nConnection: close\\r\\n\\r\\n",
      "control character in the target | 400 | GET /a\\tb HTTP/1.1\\r\\nHost: app.example.test\\r\\nConnection: close\\r\\n\\r\\n",
      "NUL in the query | 400 | GET /a?b\\0c HTTP/1.1\\r\\nHost: app.example.test\\r\\nConnection: close\\r\\n\\r\\n",
      "control character in the query | 400 | GET /a?b\\tc HTTP/1.1\\r\\nHost: app.example.test\\r\\nConnection: close\\r\\n\\r\\n",
      "HTTP/1.1 without Host | 400 | GET / HTTP/1.1\\r\\nConnection: close\\r\\n\\r\\n",
      "two Host headers | 400 | GET / HTTP/1.1\\r\\nHost: app.example.test\\r\\nHost: other.test\\r\\nConnection: close\\r\\n\\r\\n",
      "two Host headers apart, in other case | 400 | GET / HTTP/1.1\\r\\nhost: app.example.test\\r\\nX-A: a\\r\\nHOST: other.test\\r\\nConnection: close\\r\\n\\r\\n",
      "two Host headers, the same value | 400 | GET / HTTP/1.1\\r\\nHost: app.example.test\\r\\nHost: app.example.test\\r\\nConnection: close\\r\\n\\r\\n",
      "Host with a space | 400 | GET / HTTP/1.1\\r\\nHost: app example.test\\r\\nConnection: close\\r\\n\\r\\n",
      "Host with a path | 400 | GET / HTTP/1.1\\r\\nHost: app.example.test/x\\r\\nConnection: close\\r\\n\\r\\n",
      "CONNECT to a backend's port | 405 | CONNECT app.example.test:443 HTTP/1.1\\r\\nHost: app.example.test:443\\r\\nConnection: close\\r\\n\\r\\n",
      "TRACE (cross-site tracing) | 405 | TRACE / HTTP/1.1\\r\\nHost: app.example.test\\r\\nConnection: close\\r\\n\\r\\n"})
  void refusedBeforeReachingABackend(String quirk, int status, String request) throws Exception {
    RawHttp.Reply reply = send(request);
    assertThat(reply.statuses()).as(reply.text()).containsExactly(status);
    assertThat(app.uris).isEmpty();
  }

  @Test
  void obsFoldedHeaderIsUnfoldedWithASpace() throws Exception {
    RawHttp.Reply reply = send("GET /fold HTTP/1.1\\r\\nHost: app.example.test\\r\\nX-Folded: first\\r\\n second\\r\\n"
        + "Connection: close\\r\\n\\r\\n");
    if (reply.status() == 200) {
      assertThat(reply.header("seen-x-folded")).isEqualTo("first second");
    } else {
      assertThat(reply.status()).isEqualTo(400); // RFC 9112 §5.2: reject, or replace the fold with SP
      assertThat(app.uris).isEmpty();
    }
  }

  @Test
  void chunkExtensionsAreAcceptedAndNotForwarded() throws Exception {
    RawHttp.Reply reply = send("POST /echo HTTP/1.1\\r\\nHost: app.example.test\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n"
        + "5;name=value\\r\\nhello\\r\\n0\\r\\n\\r\\nGET /after HTTP/1.1\\r\\nHost: app.example.test\\r\\nConnection: close\\r\\n\\r\\n");
    assertThat(reply.statuses()).as(reply.text()).containsExactly(200, 200);
    assertThat(reply.text()).contains("hello");
    assertThat(app.uris).containsExactly("/echo", "/after");
  }

  @Test
  void http10WithoutHostIsServedByTheDefaultRoute() throws Exception {
    RawHttp.Reply reply = send("GET /old HTTP/1.0\\r\\n\\r\\n");
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    assertThat(app.uris).containsExactly("/old");
    // the backend, spoken to in HTTP/1.1, still gets a Host: the endpoint the request went to
    assertThat(reply.header("seen-host")).isEqualTo("127.0.0.1:" + app.port());
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    RawHttp.Reply reply = send("GET /1 HTTP/1.1\\r\\nHost: app.example.test\\r\\n\\r\\nGET /2 HTTP/1.1\\r\\nHost: app.example.test\\r\\n\\r\\n"
        + "GET /3 HTTP/1.1\\r\\nHost: app.example.test\\r\\nConnection: close\\r\\n\\r\\n");
    assertThat(reply.statuses()).containsExactly(200, 200, 200);
    assertThat(reply.text().indexOf("x-backend-uri: /1")).isLessThan(reply.text().indexOf("x-backend-uri: /2"));
    assertThat(reply.text().indexOf("x-backend-uri: /2")).isLessThan(reply.text().indexOf("x-backend-uri: /3"));
  }

  /**
   * A body that turns out malformed after its head was routed (bodies stream to the backend):
   * the client's connection is closed without an answer and the backend's request is reset,
   * so the backend never takes a truncated body for a whole one.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "invalid chunk size | zz\\r\\nhello\\r\\n0\\r\\n\\r\\n",
      "oversized chunked trailer | 5\\r\\nhello\\r\\n0\\r\\nX-Trailer: TRAILER\\r\\n\\r\\n"})
  void malformedBodyClosesTheConnectionAndNoBackendAnswers(String quirk, String body) throws Exception {
    RawHttp.Reply reply = send("POST /echo HTTP/1.1\\r\\nHost: app.example.test\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n"
        + body.replace("TRAILER", "t".repeat(70_000)));
    assertThat(reply.closedByServer()).isTrue();
    assertThat(reply.statuses()).as(reply.text().substring(0, Math.min(300, reply.text().length())))
        .allMatch(status -> status >= 400);
  }
}
