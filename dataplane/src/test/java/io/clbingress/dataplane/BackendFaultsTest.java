package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Timeouts;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Backends that break the exchange: the client must never take a broken answer for a whole one,
 * and the route's read timeout holds against a backend that trickles.
 */
class BackendFaultsTest {

  static DataPlaneHarness harness;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  private static RawHttp.Reply throughProxy(ScriptedBackend backend, Timeouts timeouts) throws Exception {
    harness.apply(table(System.nanoTime()).cluster("faulty", backend.port())
        .route("faulty.test", new PathMatch.Prefix("/"), "faulty", timeouts).build());
    return RawHttp.exchange(harness.dataPlane.httpPort(), "GET /x HTTP/1.1\r\nHost: faulty.test\r\nConnection: close\r\n\r\n", 15_000);
  }

  /** A backend that resets after part of a body whose length it declared: the client's connection breaks too. */
  @Test
  void backendResetMidBodyWithContentLengthBreaksTheClientsConnection() throws Exception {
    try (ScriptedBackend backend = new ScriptedBackend((socket, head) -> {
      ScriptedBackend.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(100));
      ScriptedBackend.reset(socket);
    })) {
      RawHttp.Reply reply = throughProxy(backend, Tables.DEFAULT_TIMEOUTS);
      assertThat(reply.closedByServer()).isTrue();
      String body = reply.text().substring(reply.text().indexOf("\r\n\r\n") + 4);
      assertThat(body.length()).as("a truncated body, never the declared 1000 bytes").isLessThan(1000);
    }
  }

  /** The same with a chunked answer: the client never sees the last chunk that marks it complete. */
  @Test
  void backendResetMidChunkedBodyNeverEndsTheClientsBody() throws Exception {
    try (ScriptedBackend backend = new ScriptedBackend((socket, head) -> {
      ScriptedBackend.write(socket, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
      ScriptedBackend.reset(socket);
    })) {
      RawHttp.Reply reply = throughProxy(backend, Tables.DEFAULT_TIMEOUTS);
      assertThat(reply.closedByServer()).isTrue();
      assertThat(reply.text()).doesNotContain("\r\n0\r\n\r\n");
    }
  }

  /**
   * What the operator reads about a backend that breaks off: one WARN naming the route's object,
   * the request and the endpoint, and no Vert.x ERROR line that names neither.
   */
  @Test
  void backendResetIsOneWarnNamingRouteAndEndpointAndNoAnonymousError() throws Exception {
    try (LogCapture log = new LogCapture();
        ScriptedBackend backend = new ScriptedBackend((socket, head) -> {
          ScriptedBackend.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(100));
          ScriptedBackend.reset(socket);
        })) {
      throughProxy(backend, Tables.DEFAULT_TIMEOUTS);
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> log.lines().stream().anyMatch(line -> line.startsWith("WARN ForwardedExchange test: answer to GET /x from 127.0.0.1:"
              + backend.port() + " broke off")));
      assertThat(log.lines()).noneMatch(line -> line.startsWith("ERROR"));
    }
  }

  /**
   * wrk, browsers and load balancers' health checks close (or reset) a connection in the middle of
   * a long answer: that is the client's choice, not a backend fault, so no WARN (it flooded the
   * log at the end of every benchmark round).
   */
  @Test
  void clientResettingMidAnswerIsNoBackendFault() throws Exception {
    java.util.concurrent.CountDownLatch backendCutOff = new java.util.concurrent.CountDownLatch(1);
    try (LogCapture log = new LogCapture();
        ScriptedBackend backend = new ScriptedBackend((socket, head) -> {
          ScriptedBackend.write(socket, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
          try {
            while (true) {
              ScriptedBackend.write(socket, "2000\r\n" + "x".repeat(0x2000) + "\r\n");
            }
          } catch (java.io.IOException cutOff) {
            backendCutOff.countDown();
          }
        })) {
      harness.apply(table(System.nanoTime()).cluster("faulty", backend.port())
          .route("faulty.test", new PathMatch.Prefix("/"), "faulty", Tables.DEFAULT_TIMEOUTS).build());
      try (java.net.Socket client = new java.net.Socket("127.0.0.1", harness.dataPlane.httpPort())) {
        client.getOutputStream().write("GET /stream HTTP/1.1\r\nHost: faulty.test\r\n\r\n".getBytes());
        assertThat(client.getInputStream().readNBytes(20_000)).hasSize(20_000);
        ScriptedBackend.reset(client);
      }
      assertThat(backendCutOff.await(20, java.util.concurrent.TimeUnit.SECONDS)).as("the proxy let go of the backend").isTrue();
      assertThat(log.lines()).noneMatch(line -> line.startsWith("WARN") || line.startsWith("ERROR"));
    }
  }

  /** A backend that answers 101 to a plain GET: it is not an upgrade the client asked for. */
  @Test
  void backendAnswering101ToAPlainRequestIsABadGateway() throws Exception {
    try (ScriptedBackend backend = new ScriptedBackend((socket, head) -> {
      ScriptedBackend.write(socket, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
      Thread.sleep(500); // hold the socket open as a tunnel would
    })) {
      RawHttp.Reply reply = throughProxy(backend, Tables.DEFAULT_TIMEOUTS);
      assertThat(reply.status()).as(reply.text()).isEqualTo(502);
    }
  }

  /** A backend whose answer head is larger than the proxy accepts from a backend: 502, not a broken connection. */
  @Test
  void backendWithAnOversizedResponseHeadIsABadGateway() throws Exception {
    try (ScriptedBackend backend = new ScriptedBackend((socket, head) ->
        ScriptedBackend.write(socket, "HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(100_000) + "\r\nContent-Length: 2\r\n\r\nok"))) {
      RawHttp.Reply reply = throughProxy(backend, Tables.DEFAULT_TIMEOUTS);
      assertThat(reply.status()).as(reply.text().substring(0, Math.min(300, reply.text().length()))).isEqualTo(502);
    }
  }

  /** A backend that sends its head a byte every half second: the 1 s read timeout ends it with 504. */
  @Test
  void slowLorisBackendGets504AfterTheReadTimeout() throws Exception {
    try (ScriptedBackend backend = new ScriptedBackend((socket, head) -> {
      for (char c : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".toCharArray()) {
        ScriptedBackend.write(socket, String.valueOf(c));
        Thread.sleep(500);
      }
    })) {
      RawHttp.Reply reply = throughProxy(backend, Timeouts.ofSeconds(1, 60, 5));
      assertThat(reply.status()).as(reply.text()).isEqualTo(504);
    }
  }
}
