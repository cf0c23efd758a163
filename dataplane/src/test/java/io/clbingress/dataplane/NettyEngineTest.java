package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Scheduler;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the Netty-level HTTP/1.x engine does of its own, beyond the behaviours every other test
 * holds it to: backend connections kept per event loop and reused, answers framed for HTTP/1.0
 * and HEAD, requests read one at a time.
 */
class NettyEngineTest {

  static final String HOST = "engine.example.test";
  static final String NAMED_HOST = "named.example.test";
  static DataPlaneHarness harness;
  static TestBackend app;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    app = harness.backend("app");
    harness.apply(table(1).cluster("app", app.port()).prefix(HOST, "/", "app")
        .cluster(new Cluster("named", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("a.example.com", app.port()))))
        .prefix(NAMED_HOST, "/", "named").build());
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  private static RawHttp.Reply send(String request) throws Exception {
    return RawHttp.exchange(harness.dataPlane.httpPort(), request, 10_000);
  }

  @Test
  void sequentialRequestsShareOneKeepAliveBackendConnection() throws Exception {
    // Given a warm connection to the backend
    send("GET /warm HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n");
    int before = app.connections.get();
    // When ten clients come one after the other, each on a connection of its own
    for (int i = 0; i < 10; i++) {
      assertThat(send("GET /" + i + " HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n").status())
          .isEqualTo(200);
    }
    // Then the backend saw no new connection (the harness's data plane has two event loops, each
    // with a pool of its own: at most one more)
    assertThat(app.connections.get() - before).isLessThanOrEqualTo(1);
  }

  @Test
  void headAnsweredByTheProxyCarriesTheLengthButNoBody() throws Exception {
    // When a HEAD for a host without a route is followed by a GET on the same connection
    RawHttp.Reply reply = send("HEAD / HTTP/1.1\r\nHost: nowhere.test\r\n\r\n"
        + "GET / HTTP/1.1\r\nHost: nowhere.test\r\nConnection: close\r\n\r\n");
    // Then both are answered, and only the GET's answer has a body
    assertThat(reply.statuses()).containsExactly(404, 404);
    assertThat(reply.text().split("404 Not Found\n", -1)).hasSize(2);
  }

  @Test
  void http10ClientGetsAnHttp10AnswerEndedByTheClose() throws Exception {
    // When an HTTP/1.0 client without keep-alive asks
    RawHttp.Reply reply = send("GET /old HTTP/1.0\r\nHost: " + HOST + "\r\n\r\n");
    // Then it gets an HTTP/1.0 answer, not chunked, and the connection closes after it
    assertThat(reply.text()).startsWith("HTTP/1.0 200 ");
    assertThat(reply.header("transfer-encoding")).isNull();
    assertThat(reply.closedByServer()).isTrue();
    assertThat(app.uris).contains("/old");
  }

  @Test
  void http10KeepAliveClientKeepsItsConnection() throws Exception {
    // When an HTTP/1.0 client asks for keep-alive and sends a second request
    RawHttp.Reply reply = send("GET /a HTTP/1.0\r\nHost: " + HOST + "\r\nConnection: keep-alive\r\n\r\n"
        + "GET /b HTTP/1.0\r\nHost: " + HOST + "\r\n\r\n");
    // Then both are answered on the one connection, the first saying it stays open
    assertThat(reply.statuses()).containsExactly(200, 200);
    assertThat(reply.header("connection")).isEqualToIgnoringCase("keep-alive");
  }

  @Test
  void backendNamedByHostNameIsResolvedAndReached() throws Exception {
    // When a route's endpoint is a host name (standalone static endpoints may be), not an address:
    // one the harness's Vert.x resolver knows and the system's (InetAddress, which would block the
    // event loop) does not
    RawHttp.Reply reply = send("GET /by-name HTTP/1.1\r\nHost: " + NAMED_HOST + "\r\nConnection: close\r\n\r\n");
    // Then Vert.x's asynchronous resolver resolved it and the backend answers
    assertThat(reply.status()).isEqualTo(200);
    assertThat(app.uris).contains("/by-name");
  }
}
