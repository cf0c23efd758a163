package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Backends that close idle keep-alive connections at once (FIN) or reset them (RST): the proxy's
 * pooled connection dies just as a request goes out on it. A bodiless idempotent request is sent
 * again on a new connection (RFC 9112 §9.3.1, RFC 9110 §9.2.2); POST, and any request whose body
 * was streamed, is never replayed and gets 502.
 */
class StaleBackendConnectionTest {

  static final String HOST = "app.example.test";
  static DataPlaneHarness harness;
  static long version;
  /** This test's backend: a new one (on a new port, so with an empty connection pool) per test. */
  OneShotBackend backend;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
  }

  @AfterEach
  void closeBackend() throws Exception {
    if (backend != null) {
      backend.close();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  private void route(OneShotBackend.Ending ending) throws Exception {
    backend = new OneShotBackend(ending);
    harness.apply(table(++version).cluster("one-shot", backend.port()).prefix(HOST, "/", "one-shot").build());
  }

  /**
   * Sends requests one after the other on one client connection, each once the answer to the
   * previous one is in (so that all go through one event loop, and one backend connection pool);
   * returns each answer's status line and body.
   */
  private static List<String> sendInTurn(String... requests) throws Exception {
    List<String> answers = new ArrayList<>();
    try (Socket socket = new Socket("127.0.0.1", harness.dataPlane.httpPort())) {
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      for (String request : requests) {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        String head = RawHttp.readHead(in);
        String length = new RawHttp.Reply(head, false).header("content-length");
        int bodyBytes = request.startsWith("HEAD ") || length == null ? 0 : Integer.parseInt(length);
        answers.add(head.lines().findFirst().orElse("") + " " + new String(in.readNBytes(bodyBytes),
            StandardCharsets.ISO_8859_1));
      }
    }
    return answers;
  }

  private static String request(String method, String target, String body) {
    String framing = body == null ? "" : "Content-Length: " + body.length() + "\r\n";
    return method + " " + target + " HTTP/1.1\r\nHost: " + HOST + "\r\n" + framing + "\r\n" + (body == null ? "" : body);
  }

  /**
   * GETs one after the other through a backend that drops idle connections, from a keep-alive
   * client or from curl in a loop (a new client connection each, spread over the event loops and
   * so over their backend pools): every GET gets 200. Each GET that lands on a pooled connection
   * the backend then drops is sent again on a new connection.
   */
  @ParameterizedTest(name = "{0}, {1}")
  @CsvSource({"FIN, one keep-alive connection", "RST, one keep-alive connection",
      "FIN, a connection per GET", "RST, a connection per GET"})
  void sequentialGetsToABackendThatDropsIdleConnectionsAllGet200(OneShotBackend.Ending ending, String client)
      throws Exception {
    route(ending);
    String[] requests = new String[10];
    for (int i = 0; i < requests.length; i++) {
      requests[i] = request("GET", "/get-" + i, null);
    }
    List<String> answers = new ArrayList<>();
    if (client.startsWith("one")) {
      answers.addAll(sendInTurn(requests));
    } else {
      for (String request : requests) {
        answers.addAll(sendInTurn(request));
      }
    }
    assertThat(answers).hasSize(10).allSatisfy(answer -> assertThat(answer).isEqualTo("HTTP/1.1 200 OK ok"));
    assertThat(backend.received).as("some GETs were lost by a dropped connection and sent again")
        .hasSizeGreaterThan(10);
  }

  /**
   * After a first request has left a pooled connection, a second request goes out on it and the
   * backend drops it unanswered. Bodiless idempotent methods are sent once more (the backend
   * sees them twice, the client gets 200); POST, with or without a body, and PUT with a body
   * are never replayed (the backend sees them once, the client gets 502).
   */
  @ParameterizedTest(name = "{0} {1} {2} body={3}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "FIN | GET     | 200 | -     | 2",
      "RST | GET     | 200 | -     | 2",
      "FIN | HEAD    | 200 | -     | 2",
      "FIN | DELETE  | 200 | -     | 2",
      "RST | OPTIONS | 200 | -     | 2",
      "RST | PUT     | 200 | -     | 2",
      "FIN | POST    | 502 | hello | 1",
      "RST | POST    | 502 | hello | 1",
      "FIN | POST    | 502 | -     | 1",
      "RST | PUT     | 502 | hello | 1",
      "FIN | PATCH   | 502 | -     | 1"})
  void requestOnADroppedPooledConnectionIsReplayedOnlyWhenSafe(OneShotBackend.Ending ending, String method,
      int expected, String body, int seen) throws Exception {
    route(ending);
    List<String> answers = sendInTurn(request("GET", "/first", null), request(method, "/second", body));
    assertThat(answers.get(0)).isEqualTo("HTTP/1.1 200 OK ok");
    assertThat(answers.get(1)).startsWith("HTTP/1.1 " + expected);
    assertThat(backend.received).filteredOn(line -> line.equals(method + " /second")).hasSize(seen);
  }
}
