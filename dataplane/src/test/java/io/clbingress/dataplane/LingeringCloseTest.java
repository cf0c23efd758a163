package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lingering close (nginx's {@code lingering_close}): an answer the data plane gives before it has
 * read the request (413 for a body over the limit, 400 for a refused head) must reach a client
 * that is still sending, whole, every time; closing with unread bytes would reset the connection
 * and could destroy the answer. Each case is repeated many times, since a reset that races the
 * client's read does not lose every answer.
 */
class LingeringCloseTest {

  static final int ROUNDS = 60;
  static final String TOO_LARGE = "413 Request Entity Too Large\n";

  static DataPlaneHarness harness;
  static TestBackend app;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    app = harness.backend("app");
    harness.apply(table(1).cluster("app", app.port())
        .route("small.test", new Route(new PathMatch.Prefix("/"), "app", Tables.DEFAULT_TIMEOUTS, "test", false, null,
            List.of(), 100L))
        .overHttpsToo()
        .build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void a413IsReadWholeWhileTheClientPoursInItsBody() throws Exception {
    String head = "POST /poured HTTP/1.1\r\nHost: small.test\r\nContent-Length: 4000000\r\n\r\n";
    everyRoundReadsWhole(ROUNDS, head, body("x", 4_000_000), 64 * 1024, 0, "HTTP/1.1 413", TOO_LARGE);
    assertThat(app.uris).doesNotContain("/poured");
  }

  @Test
  void a413IsReadWholeWhileTheClientTricklesItsBody() throws Exception {
    everyRoundReadsWhole(10, post("small.test", 100_000), body("x", 100_000), 1000, 2, "HTTP/1.1 413", TOO_LARGE);
  }

  @Test
  void a413MidChunkedBodyIsReadWholeWhileTheRestComes() throws Exception {
    String head = "POST /echo HTTP/1.1\r\nHost: small.test\r\nTransfer-Encoding: chunked\r\n\r\n";
    byte[] chunks = body("3e8\r\n" + "x".repeat(1000) + "\r\n", 2000);
    everyRoundReadsWhole(ROUNDS, head, chunks, 64 * 1024, 0, "HTTP/1.1 413", TOO_LARGE);
  }

  @Test
  void aRefusedHeadIsReadWholeWithBytesBehindIt() throws Exception {
    // Transfer-Encoding with Content-Length: 400, and nothing after it read (RequestFraming)
    String head = "POST /echo HTTP/1.1\r\nHost: small.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n";
    everyRoundReadsWhole(ROUNDS, head, body("x", 2_000_000), 64 * 1024, 0, "HTTP/1.1 400", "400 Bad Request\n");
  }

  @Test
  void a413OverTlsIsReadWholeWhileTheClientPoursInItsBody() throws Exception {
    SSLContext context = RawHttp2.trustAll();
    for (int i = 0; i < 20; i++) {
      try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1",
          harness.dataPlane.httpsPort())) {
        socket.startHandshake();
        String answer = pourAndRead(socket, post("small.test", 2_000_000), body("x", 2_000_000), 64 * 1024, 0);
        assertThat(answer).as("round " + i).startsWith("HTTP/1.1 413").endsWith(TOO_LARGE);
      }
    }
  }

  @Test
  void aKeptConnectionServesOnAfterA413ThatClosesAnother() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", harness.dataPlane.httpPort())) {
      pourAndRead(socket, post("small.test", 500_000), body("x", 500_000), 64 * 1024, 0);
    }
    assertThat(harness.get("small.test", "/after").status()).isEqualTo(200);
  }

  private static String post(String host, long length) {
    return "POST /echo HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: " + length + "\r\n\r\n";
  }

  /** {@code piece} {@code times} over, as bytes. */
  private static byte[] body(String piece, int times) {
    return piece.repeat(times).getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * {@code rounds} times over a new plain connection: {@link #pourAndRead} must read an answer
   * that starts with {@code status} and ends with {@code body}, whole, before the end of stream.
   */
  private static void everyRoundReadsWhole(int rounds, String head, byte[] sent, int piece, long pauseMillis,
      String status, String body) throws Exception {
    for (int i = 0; i < rounds; i++) {
      try (Socket socket = new Socket("127.0.0.1", harness.dataPlane.httpPort())) {
        String answer = pourAndRead(socket, head, sent, piece, pauseMillis);
        assertThat(answer).as("round " + i).startsWith(status).contains("connection: close").endsWith(body);
      }
    }
  }

  /**
   * Sends {@code head}, then {@code body} from another thread (pieces of {@code piece} bytes,
   * {@code pauseMillis} apart: the client's pace, not a synchronisation) while this thread reads
   * until the server's end of stream; a reset fails the read. Writing stops, unfinished, when
   * the server has closed for good.
   */
  private static String pourAndRead(Socket socket, String head, byte[] body, int piece, long pauseMillis)
      throws Exception {
    socket.setSoTimeout(20_000);
    OutputStream out = socket.getOutputStream();
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    Thread writer = new Thread(() -> {
      try {
        for (int at = 0; at < body.length; at += piece) {
          out.write(body, at, Math.min(piece, body.length - at));
          out.flush();
          if (pauseMillis > 0) {
            Thread.sleep(pauseMillis);
          }
        }
      } catch (IOException | InterruptedException closed) {
        // the server closed for good, or the test is done reading
      }
    }, "body-writer");
    writer.start();
    try {
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    } finally {
      writer.interrupt();
      socket.close();
      writer.join(20_000);
    }
  }
}
