package io.clbingress.dataplane;

import static io.clbingress.dataplane.RawHttp2.request;
import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clbingress.dataplane.RawHttp2.Frame;
import io.clbingress.dataplane.table.ClientLimits;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.ListenerTls;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.VirtualHost;
import io.netty.handler.codec.http2.Http2FrameTypes;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/2 rows of the hostile-input table (docs/request-handling.md): frame sequences that
 * abuse HTTP/2 itself, sent frame by frame over TLS with ALPN h2 to the default HTTPS listener.
 * Each test asserts what the client observes (431, RST_STREAM, GOAWAY and its error code, the
 * connection closed) and that no backend saw what it should not.
 */
class Http2HostileInputTest {

  /** The data plane's default head limits (16 KiB + 64 KiB), as SETTINGS_MAX_HEADER_LIST_SIZE. */
  static final long HEADER_LIST_LIMIT = 81_920;
  static DataPlaneHarness harness;
  /** Answers everything at once and remembers each request's headers. */
  static TestBackend app;
  /** Serves {@code /slow} (with any query), which it never answers. */
  static TestBackend hang;
  /** An HTTPS listener (h2, the default certificate) whose connections must send a request head within 1 s. */
  static int impatient;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    app = harness.largeHeadBackend("app");
    hang = harness.backend("hang");
    impatient = DataPlaneHarness.freePort();
    harness.apply(table(1).cluster("app", app.port()).cluster("hang", hang.port())
        .prefix("app.example.test", "/", "app").prefix("app.example.test", "/slow", "hang").overHttpsToo()
        .listener(new Listener("apps/impatient", Protocol.HTTPS, impatient, List.of(new VirtualHost("*", List.of(
            new Route(new PathMatch.Prefix("/"), "app", Tables.DEFAULT_TIMEOUTS, "test")))), null,
            new ListenerTls(List.of(), null, true, null), new ClientLimits(75_000, 1_000, 0)))
        .build());
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.dataPlane.listenerPorts().contains(impatient));
  }

  @BeforeEach
  void forget() {
    app.uris.clear();
    app.heads.clear();
    hang.uris.clear();
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  private static RawHttp2 connect() throws Exception {
    return RawHttp2.connect(harness.dataPlane.httpsPort());
  }

  /** Sends a PING and reads up to its ACK: true when it came, false when the connection closed first. */
  private static boolean stillServes(RawHttp2 client, long data) throws Exception {
    client.write(RawHttp2.ping(data));
    Frame frame = client.readUntil(f -> f.is(Http2FrameTypes.GO_AWAY)
        || f.is(Http2FrameTypes.PING) && (f.flags() & RawHttp2.ACK) != 0);
    return frame != null && frame.is(Http2FrameTypes.PING);
  }

  /** Reads up to the server's GOAWAY, then on until the server has closed the connection. */
  private static Frame goAwayThenClosed(RawHttp2 client) throws Exception {
    Frame goAway = client.readUntil(f -> f.is(Http2FrameTypes.GO_AWAY));
    assertThat(goAway).as("a GOAWAY before the connection closed").isNotNull();
    assertThat(client.readUntil(f -> false)).as("the connection is closed after the GOAWAY").isNull();
    return goAway;
  }

  @Test
  void serverAdvertisesItsStreamAndHeaderListLimits() throws Exception {
    try (RawHttp2 client = connect()) {
      assertThat(client.serverSettings).containsEntry(RawHttp2.SETTINGS_MAX_CONCURRENT_STREAMS, 128L)
          .containsEntry(RawHttp2.SETTINGS_MAX_HEADER_LIST_SIZE, HEADER_LIST_LIMIT);
      // Not sent when equal to the RFC's defaults, which they are: 64 KiB - 1 window, 16 KiB frames, 4 KiB HPACK table.
      assertThat(client.serverSettings.getOrDefault(RawHttp2.SETTINGS_INITIAL_WINDOW_SIZE, 65_535L)).isEqualTo(65_535L);
      assertThat(client.serverSettings.getOrDefault(RawHttp2.SETTINGS_MAX_FRAME_SIZE, 16_384L)).isEqualTo(16_384L);
      assertThat(client.serverSettings.getOrDefault(RawHttp2.SETTINGS_HEADER_TABLE_SIZE, 4_096L)).isEqualTo(4_096L);
    }
  }

  /** A browser with 60 KB of cookies over h2 (HEADERS and three CONTINUATIONs): within the header list limit. */
  @Test
  void cookieHeavyBrowserOverH2IsServed() throws Exception {
    String cookie = "c=" + "v".repeat(60_000);
    try (RawHttp2 client = connect()) {
      client.headers(1, request("GET", "/cookies").add("cookie", cookie), true);
      Frame answer = client.readUntil(f -> f.headers() != null || f.is(Http2FrameTypes.RST_STREAM));
      assertThat(answer.headers().status().toString()).as(answer.toString()).isEqualTo("200");
    }
    assertThat(app.uris).contains("/cookies");
    assertThat(app.heads).anyMatch(head -> cookie.equals(head.get("cookie")));
  }

  /**
   * A header list over SETTINGS_MAX_HEADER_LIST_SIZE (82,000 bytes of one header value, HPACK
   * counting name + value + 32 per field): Netty answers 431 on that stream and resets it; the
   * connection stays open and serves the next request. The backend sees only the next one.
   */
  @Test
  void oversizedHeaderListGets431AndItsStreamIsReset() throws Exception {
    try (RawHttp2 client = connect()) {
      client.headers(1, request("GET", "/oversized").add("x-big", "a".repeat(82_000)), true);
      Frame answer = client.readUntil(f -> f.streamId() == 1);
      assertThat(answer.headers()).as(answer.toString()).isNotNull();
      assertThat(answer.headers().status().toString()).isEqualTo("431");
      Frame reset = client.readUntil(f -> f.streamId() == 1);
      assertThat(reset.is(Http2FrameTypes.RST_STREAM)).as(reset.toString()).isTrue();
      assertThat(reset.errorCode()).isEqualTo(RawHttp2.PROTOCOL_ERROR);

      client.headers(3, request("GET", "/after"), true);
      Frame next = client.readUntil(f -> f.streamId() == 3);
      assertThat(next.headers().status().toString()).as(next.toString()).isEqualTo("200");
    }
    assertThat(app.uris).contains("/after").doesNotContain("/oversized");
  }

  /**
   * Rapid reset (CVE-2023-44487): streams opened and at once cancelled with RST_STREAM. 1,000 in
   * the 30 s window are allowed (nginx's keepalive_requests); the 1,001st RST_STREAM gets GOAWAY
   * ENHANCE_YOUR_CALM and the connection is closed. A stream opened after that never reaches a
   * backend.
   */
  @Test
  void rapidResetFloodGetsGoAway() throws Exception {
    try (RawHttp2 client = connect()) {
      ByteArrayOutputStream allowed = new ByteArrayOutputStream();
      for (int i = 1; i <= 1000; i++) {
        allowed.writeBytes(openAndCancel(client, i));
      }
      client.write(allowed.toByteArray());
      assertThat(stillServes(client, 1000)).as("the connection serves on after 1,000 resets").isTrue();

      // A reset of a stream whose answer was already sent is no flood (a slow machine answers some
      // of the 1,000 before their resets arrive), so a few more go over the limit for certain.
      ByteArrayOutputStream over = new ByteArrayOutputStream();
      for (int i = 1001; i <= 1010; i++) {
        over.writeBytes(openAndCancel(client, i));
      }
      client.write(over.toByteArray());
      assertThat(goAwayThenClosed(client).errorCode()).isEqualTo(RawHttp2.ENHANCE_YOUR_CALM);
    }
    // The connection ended within the streams over the limit: the last one never reached a backend.
    // (Netty's GOAWAY on this connection error names no last stream: 2^31-1.)
    assertThat(app.uris).doesNotContain("/reset/1010");
  }

  /**
   * A stream the client cancels while its backend request is under way (what each rapid reset
   * does, and a browser leaving a page): the backend request is reset, and that is the client's
   * doing, not the backend's. Before, each such stream logged a WARN "failed ... 502" and an ERROR
   * with a stack trace (Vert.x refuses to resume a reset HTTP/2 request), counted an upstream
   * error and a passive health failure against the endpoint: a flood of resets became a flood of
   * log lines and could eject healthy endpoints. The connection serves on.
   */
  @Test
  void cancelledStreamIsNoBackendFailure() throws Exception {
    try (LogCapture log = new LogCapture(); RawHttp2 client = connect()) {
      client.headers(1, request("GET", "/slow?cancelled"), true);
      await().atMost(Duration.ofSeconds(20)).until(() -> hang.uris.contains("/slow?cancelled"));
      client.write(RawHttp2.rstStream(1, RawHttp2.CANCEL));
      // The reset is handled on the connection's event loop before the PING after it.
      assertThat(stillServes(client, 1)).isTrue();
      assertThat(log.lines()).noneMatch(line -> line.startsWith("ERROR") || line.startsWith("WARN"));
      client.headers(3, request("GET", "/after-cancel"), true);
      Frame next = client.readUntil(f -> f.streamId() == 3);
      assertThat(next.headers().status().toString()).as(next.toString()).isEqualTo("200");
    }
  }

  /** HEADERS for GET /reset/{n} on the n-th client stream, and RST_STREAM CANCEL for it. */
  private static byte[] openAndCancel(RawHttp2 client, int n) throws Exception {
    int streamId = 2 * n - 1;
    ByteArrayOutputStream frames = new ByteArrayOutputStream();
    frames.writeBytes(client.headersFrames(streamId, request("GET", "/reset/" + n), true));
    frames.writeBytes(RawHttp2.rstStream(streamId, RawHttp2.CANCEL));
    return frames.toByteArray();
  }

  /**
   * CONTINUATION flood (CVE-2024-27316 style): a header block that never ends, 16 KiB
   * CONTINUATION frames without END_HEADERS. Netty buffers a block up to 1.25 times
   * SETTINGS_MAX_HEADER_LIST_SIZE (100 KiB), then closes the connection with GOAWAY
   * PROTOCOL_ERROR: the client cannot make it buffer more, and its writes fail long before the
   * 160 MB it tries to send. The block starts with a whole request's fields; no backend sees it.
   */
  @Test
  void continuationFloodWithoutEndHeadersGetsGoAway() throws Exception {
    byte[] fragment = new byte[16_384];
    java.util.Arrays.fill(fragment, (byte) 'x');
    int frames = 10_000;
    try (RawHttp2 client = connect()) {
      byte[] head = client.hpack(request("GET", "/continuation"));
      var written = client.writeInBackground(frames, i -> i == 0
          ? RawHttp2.frame(Http2FrameTypes.HEADERS, RawHttp2.END_STREAM, 1, head)
          : RawHttp2.frame(Http2FrameTypes.CONTINUATION, 0, 1, fragment));
      assertThat(goAwayThenClosed(client).errorCode()).isEqualTo(RawHttp2.PROTOCOL_ERROR);
      assertThat(written.get(20, TimeUnit.SECONDS)).as("CONTINUATION frames the client could write").isLessThan(frames);
    }
    assertThat(app.uris).doesNotContain("/continuation");
  }

  /**
   * The same flood with empty CONTINUATION frames: they add nothing to the buffered block, so
   * Netty 4.2.9 (which bounds the block's bytes, not its frames) never ends it, and memory does
   * not grow either. What ends the connection is the listener's request-head timeout (1 s here,
   * nginx's client_header_timeout, 60 s by default): no request head is complete, so the
   * connection is closed when it runs out, while the client still sends.
   */
  @Test
  void emptyContinuationFloodIsEndedByTheRequestHeadTimeout() throws Exception {
    int frames = 20_000_000;
    try (RawHttp2 client = RawHttp2.connect(impatient)) {
      byte[] head = client.hpack(request("GET", "/empty-continuation"));
      byte[] empty = RawHttp2.frame(Http2FrameTypes.CONTINUATION, 0, 1, new byte[0]);
      var written = client.writeInBackground(frames, i -> i == 0
          ? RawHttp2.frame(Http2FrameTypes.HEADERS, RawHttp2.END_STREAM, 1, head) : empty);
      Frame last = client.readUntil(f -> f.is(Http2FrameTypes.GO_AWAY));
      if (last != null) {
        assertThat(client.readUntil(f -> false)).as("the connection is closed after the GOAWAY").isNull();
      }
      assertThat(written.get(20, TimeUnit.SECONDS)).as("empty CONTINUATION frames the client could write")
          .isLessThan(frames);
    }
    assertThat(app.uris).doesNotContain("/empty-continuation");
  }

  /**
   * More concurrent streams than SETTINGS_MAX_CONCURRENT_STREAMS (128, nginx's
   * http2_max_concurrent_streams): the 129th is refused with RST_STREAM REFUSED_STREAM (RFC 9113
   * §5.1.2) before it reaches a backend; the connection stays open.
   */
  @Test
  void streamsPast128ConcurrentAreRefused() throws Exception {
    try (RawHttp2 client = connect()) {
      ByteArrayOutputStream open = new ByteArrayOutputStream();
      for (int n = 1; n <= 128; n++) {
        open.writeBytes(client.headersFrames(2 * n - 1, request("GET", "/slow?stream=" + n), true));
      }
      client.write(open.toByteArray());
      await().atMost(Duration.ofSeconds(20)).until(() -> hang.uris.size() == 128);

      client.headers(257, request("GET", "/slow?stream=129"), true);
      Frame refused = client.readUntil(f -> f.streamId() == 257 || f.is(Http2FrameTypes.GO_AWAY));
      assertThat(refused.is(Http2FrameTypes.RST_STREAM)).as(String.valueOf(refused)).isTrue();
      assertThat(refused.errorCode()).isEqualTo(RawHttp2.REFUSED_STREAM);
      assertThat(stillServes(client, 129)).isTrue();
    }
    assertThat(hang.uris).hasSize(128).doesNotContain("/slow?stream=129");
  }

  /**
   * Empty DATA frames without END_STREAM (each costs the server work and carries nothing): Netty
   * allows two in a row, the third gets GOAWAY ENHANCE_YOUR_CALM. The backend saw the request
   * head (it was routed at its HEADERS) but never a body.
   */
  @Test
  void emptyDataFrameFloodGetsGoAway() throws Exception {
    try (RawHttp2 client = connect()) {
      client.headers(1, request("POST", "/slow?upload"), false);
      client.send(Http2FrameTypes.DATA, 0, 1, new byte[0]);
      client.send(Http2FrameTypes.DATA, 0, 1, new byte[0]);
      assertThat(stillServes(client, 2)).as("two empty DATA frames are allowed").isTrue();
      client.send(Http2FrameTypes.DATA, 0, 1, new byte[0]);
      assertThat(goAwayThenClosed(client).errorCode()).isEqualTo(RawHttp2.ENHANCE_YOUR_CALM);
    }
    assertThat(hang.uris).allMatch("/slow?upload"::equals);
  }

  /**
   * PING flood from a client that does not read its answers: each PING makes the server queue a
   * PING ACK; Netty allows 10,000 control frames queued behind a connection that does not drain,
   * then closes it (its GOAWAY ENHANCE_YOUR_CALM is queued behind the unread ACKs and dropped with
   * them). The client, reading at last, finds the ACKs that fitted in the socket buffers, far fewer
   * than the PINGs it sent, then the closed connection. Without the limit the server would hold an
   * ACK for every PING and the client would read them all. The client's receive buffer is fixed
   * at 16 KiB so that the socket buffers (the server's send buffer grows to 4 MiB at most, Linux's
   * tcp_wmem) hold far fewer ACKs (about 250,000) than the 1,000,000 PINGs sent.
   */
  @Test
  void pingFloodFromAClientThatDoesNotReadGetsGoAway() throws Exception {
    int pings = 1_000_000;
    try (RawHttp2 client = RawHttp2.connect(harness.dataPlane.httpsPort(), 16 << 10)) {
      int written = client.writeInBackground(pings, RawHttp2::ping).get(60, TimeUnit.SECONDS);
      int acks = 0;
      Frame frame;
      for (frame = client.read(); frame != null && !frame.is(Http2FrameTypes.GO_AWAY); frame = client.read()) {
        if (frame.is(Http2FrameTypes.PING)) {
          acks++;
        }
      }
      assertThat(acks).as("PING ACKs for %d PINGs written", written).isLessThan(written);
      if (frame != null) {
        assertThat(frame.errorCode()).isEqualTo(RawHttp2.ENHANCE_YOUR_CALM);
        assertThat(client.readUntil(f -> false)).isNull();
      }
    }
  }
}
