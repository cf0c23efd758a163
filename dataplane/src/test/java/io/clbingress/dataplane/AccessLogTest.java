package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.clbingress.dataplane.accesslog.AccessLogFormat;
import io.clbingress.dataplane.accesslog.AccessLogOptions;
import io.clbingress.dataplane.table.AccessLogging;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.SourceRanges;
import io.clbingress.dataplane.table.Timeouts;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The access log as real clients make it: every documented field (docs/access-log.md) of a line
 * per request on both engines (HTTP/1.1 kept alive and closed, HTTP/1.1 and h2 over TLS with SNI),
 * of answers made at the edge (404, 403, 413, 400), and of a line per closed tunnel (WebSocket and
 * TCP) for each reason it closes; X-Request-ID generated, kept or replaced and passed on; a route
 * that turns its log off; and a stalled appender, which drops and counts lines while traffic is served.
 */
class AccessLogTest {

  private static final String HEX32 = "[0-9a-f]{32}";

  DataPlaneHarness harness;
  AccessLines access;
  TestBackend web;
  NetServer echo;
  int tcpPort;

  @BeforeEach
  void start() throws Exception {
    access = new AccessLines();
    harness = new DataPlaneHarness(DataPlaneOptions.loopback(Duration.ofSeconds(1))
        .withAccessLog(AccessLogOptions.of(AccessLogFormat.JSON)));
    web = harness.backend("web");
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
    access.close();
  }

  private void applyTable(long version, boolean withDrained) {
    Tables tables = table(version).cluster("web", web.port())
        .prefix("a.example.com", "/", "web")
        .route("quiet.example.com", Tables.filtered("web", new AccessLogging(false)))
        .route("deny.example.com", Tables.filtered("web", new SourceRanges(List.of(), List.of("127.0.0.0/8"))))
        .route("small.example.com", new Route(PathMatch.Prefix.of("/"), "web", Tables.DEFAULT_TIMEOUTS, "test", false,
            null, List.of(), 4L))
        .route("idle.example.com", PathMatch.Prefix.of("/"), "web", Timeouts.ofSeconds(1, 60, 5))
        .overHttpsToo();
    if (withDrained) {
      tables.prefix("b.example.com", "/", "web");
    }
    if (echo != null) {
      tables.tcpListener("apps/tcp", tcpPort, "echo").cluster("echo", echo.actualPort());
    }
    harness.apply(tables.build());
  }

  @Test
  void http11KeepAliveAndCloseRequestsHaveEveryField() throws Exception {
    applyTable(1, false);
    Instant before = Instant.now().minusMillis(1);
    try (RawHttp.Open connection = new RawHttp.Open(harness.dataPlane.httpPort())) {
      // Given a kept-alive request with a body, a user agent, a referer and no X-Request-ID
      RawHttp.Reply first = connection.send("POST /echo?x=1&y=%20 HTTP/1.1\r\nHost: a.example.com\r\n"
          + "User-Agent: probe/1.0\r\nReferer: https://ref.example/page\r\nContent-Length: 5\r\n\r\nhello");
      // And a second on the same connection, the last, with an id of the client's
      RawHttp.Reply second = connection.send("GET /echo HTTP/1.1\r\nHost: a.example.com\r\n"
          + "X-Request-ID: client-id-1\r\nConnection: close\r\n\r\n");
      Instant after = Instant.now().plusMillis(1);
      assertThat(first.status()).isEqualTo(200);
      assertThat(second.status()).isEqualTo(200);
      // Then the first line has every field, the id being the one the backend received
      JsonNode line = access.await(l -> "POST".equals(l.path("method").asText()));
      String id = first.header("seen-x-request-id");
      assertThat(id).matches(HEX32);
      assertThat(OffsetDateTime.parse(line.get("time").asText()).toInstant()).isBetween(before, after);
      assertThat(line.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
      assertThat(line.get("type").asText()).isEqualTo("request");
      assertThat(line.get("client").asText()).isEqualTo("127.0.0.1");
      assertThat(line.get("client_port").asInt()).isEqualTo(connection.localPort());
      assertThat(line.get("host").asText()).isEqualTo("a.example.com");
      assertThat(line.get("uri").asText()).isEqualTo("/echo?x=1&y=%20");
      assertThat(line.get("protocol").asText()).isEqualTo("HTTP/1.1");
      assertThat(line.get("status").asInt()).isEqualTo(200);
      assertThat(line.get("bytes_received").asLong()).isEqualTo(5);
      assertThat(line.get("bytes_sent").asLong()).isEqualTo(5);
      assertUpstreamTimes(line);
      assertThat(line.get("upstream_addr").asText()).isEqualTo("127.0.0.1:" + web.port());
      assertThat(line.get("route").asText()).isEqualTo("test");
      assertThat(line.get("listener").asText()).isEqualTo("default-http");
      assertThat(line.get("tls_version").isNull()).isTrue();
      assertThat(line.get("tls_cipher").isNull()).isTrue();
      assertThat(line.get("sni").isNull()).isTrue();
      assertThat(line.get("user_agent").asText()).isEqualTo("probe/1.0");
      assertThat(line.get("referer").asText()).isEqualTo("https://ref.example/page");
      assertThat(line.get("request_id").asText()).isEqualTo(id);
      // And the second keeps the client's id, which the backend got too; it sent no user agent
      JsonNode closing = access.await(l -> "client-id-1".equals(l.path("request_id").asText()));
      assertThat(second.header("seen-x-request-id")).isEqualTo("client-id-1");
      assertThat(closing.get("user_agent").isNull()).isTrue();
      assertThat(closing.get("bytes_received").asLong()).isZero();
      assertThat(closing.get("bytes_sent").asLong()).isEqualTo(Long.parseLong(second.header("content-length")));
      assertThat(closing.get("client_port").asInt()).isEqualTo(connection.localPort());
    }
  }

  /** nginx's upstream times: connect, then the answer's head, then its end, all within the request's time. */
  private static void assertUpstreamTimes(JsonNode line) {
    double connect = line.get("upstream_connect_time").asDouble(-1);
    double header = line.get("upstream_header_time").asDouble(-1);
    double response = line.get("upstream_response_time").asDouble(-1);
    assertThat(line.get("upstream_connect_time").isNumber()).isTrue();
    assertThat(connect).isGreaterThanOrEqualTo(0).isLessThanOrEqualTo(header);
    assertThat(header).isLessThanOrEqualTo(response);
    assertThat(response).isLessThanOrEqualTo(line.get("request_time").asDouble());
    assertThat(line.get("request_time").isNumber()).isTrue();
  }

  @Test
  void unusableRequestIdsAreReplaced() throws Exception {
    applyTable(1, false);
    String tooLong = "x".repeat(129);
    for (String sent : List.of(tooLong, "has space", "")) {
      RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), "GET /echo HTTP/1.1\r\nHost: a.example.com\r\n"
          + "X-Request-ID: " + sent + "\r\nUser-Agent: replaced-" + sent.length() + "\r\nConnection: close\r\n\r\n", 10_000);
      String seen = reply.header("seen-x-request-id");
      assertThat(seen).matches(HEX32);
      JsonNode line = access.await(l -> ("replaced-" + sent.length()).equals(l.path("user_agent").asText()));
      assertThat(line.get("request_id").asText()).isEqualTo(seen);
    }
  }

  @Test
  void h2OverTlsHasProtocolTlsAndSni() throws Exception {
    applyTable(1, false);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("a.example.com")
        .setPort(harness.dataPlane.httpsPort()).setURI("/echo?h2").putHeader("x-request-id", "h2-request");
    HttpClientResponse response = DataPlaneHarness.await(harness.onContext(() -> harness.h2.request(options)
        .compose(request -> request.send().compose(r -> r.body().map(body -> r)))));
    assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
    JsonNode line = access.await(l -> "h2-request".equals(l.path("request_id").asText()));
    assertThat(line.get("protocol").asText()).isEqualTo("HTTP/2.0");
    assertThat(line.get("tls_version").asText()).isEqualTo("TLSv1.3");
    assertThat(line.get("tls_cipher").asText()).startsWith("TLS_");
    assertThat(line.get("sni").asText()).isEqualTo("a.example.com");
    assertThat(line.get("listener").asText()).isEqualTo("default-https");
    assertThat(line.get("client").asText()).isEqualTo("127.0.0.1");
    assertThat(line.get("client_port").asInt()).isEqualTo(response.request().connection().localAddress().port());
    assertThat(line.get("host").asText()).isEqualTo("a.example.com:" + harness.dataPlane.httpsPort());
    assertThat(line.get("uri").asText()).isEqualTo("/echo?h2");
    assertThat(line.get("status").asInt()).isEqualTo(200);
    assertThat(line.get("bytes_sent").asLong()).isEqualTo(Long.parseLong(response.getHeader("content-length")));
    assertThat(line.get("upstream_addr").asText()).isEqualTo("127.0.0.1:" + web.port());
    assertUpstreamTimes(line);
    assertThat(response.getHeader("seen-x-request-id")).isEqualTo("h2-request");
  }

  @Test
  void http11OverTlsHasTlsAndSni() throws Exception {
    applyTable(1, false);
    HttpClientAgent tls = harness.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
        .setVerifyHost(false).setForceSni(true));
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("a.example.com")
        .setPort(harness.dataPlane.httpsPort()).setURI("/echo").putHeader("x-request-id", "tls-h1");
    int status = DataPlaneHarness.await(harness.onContext(() -> tls.request(options)
        .compose(request -> request.send().compose(r -> r.body().map(body -> r.statusCode())))));
    assertThat(status).isEqualTo(200);
    JsonNode line = access.await(l -> "tls-h1".equals(l.path("request_id").asText()));
    assertThat(line.get("protocol").asText()).isEqualTo("HTTP/1.1");
    assertThat(line.get("tls_version").asText()).startsWith("TLSv1.");
    assertThat(line.get("tls_cipher").asText()).isNotEmpty();
    assertThat(line.get("sni").asText()).isEqualTo("a.example.com");
    assertThat(line.get("listener").asText()).isEqualTo("default-https");
  }

  @Test
  void answersMadeAtTheEdgeAreLoggedWithWhatIsKnown() throws Exception {
    applyTable(1, false);
    // 404: no route
    assertThat(RawHttp.get(harness.dataPlane.httpPort(), "nobody.example.com", "/x").status()).isEqualTo(404);
    JsonNode notFound = access.await(l -> l.path("status").asInt() == 404);
    assertThat(notFound.get("route").isNull()).isTrue();
    assertThat(notFound.get("listener").asText()).isEqualTo("default-http");
    assertThat(notFound.get("host").asText()).isEqualTo("nobody.example.com");
    assertAnsweredAtTheEdge(notFound);
    // 403: the route's access list
    assertThat(RawHttp.get(harness.dataPlane.httpPort(), "deny.example.com", "/").status()).isEqualTo(403);
    JsonNode forbidden = access.await(l -> l.path("status").asInt() == 403);
    assertThat(forbidden.get("route").asText()).isEqualTo("test");
    assertAnsweredAtTheEdge(forbidden);
    // 413: a declared body over the route's limit
    RawHttp.Reply tooLarge = RawHttp.exchange(harness.dataPlane.httpPort(), "POST / HTTP/1.1\r\nHost: small.example.com\r\n"
        + "Content-Length: 10\r\n\r\n0123456789", 10_000);
    assertThat(tooLarge.status()).isEqualTo(413);
    JsonNode large = access.await(l -> l.path("status").asInt() == 413);
    assertThat(large.get("method").asText()).isEqualTo("POST");
    assertAnsweredAtTheEdge(large);
    // 400: a head that does not parse has no route
    RawHttp.Reply malformed = RawHttp.exchange(harness.dataPlane.httpPort(), "GET /a b c HTTP/1.1\r\nHost: a.example.com\r\n\r\n",
        10_000);
    assertThat(malformed.status()).isEqualTo(400);
    JsonNode bad = access.await(l -> l.path("status").asInt() == 400);
    assertThat(bad.get("route").isNull()).isTrue();
    assertThat(bad.get("request_id").asText()).matches(HEX32);
    assertAnsweredAtTheEdge(bad);
  }

  private static void assertAnsweredAtTheEdge(JsonNode line) {
    assertThat(line.get("upstream_addr").isNull()).isTrue();
    assertThat(line.get("upstream_connect_time").isNull()).isTrue();
    assertThat(line.get("upstream_header_time").isNull()).isTrue();
    assertThat(line.get("upstream_response_time").isNull()).isTrue();
    assertThat(line.get("bytes_sent").asLong()).isPositive();
    assertThat(line.get("client").asText()).isEqualTo("127.0.0.1");
  }

  @Test
  void aRouteWithItsLogOffWritesNoLine() throws Exception {
    applyTable(1, false);
    try (RawHttp.Open connection = new RawHttp.Open(harness.dataPlane.httpPort())) {
      assertThat(connection.send("GET /echo HTTP/1.1\r\nHost: quiet.example.com\r\n\r\n").status()).isEqualTo(200);
      assertThat(connection.send("GET /echo HTTP/1.1\r\nHost: a.example.com\r\nX-Request-ID: after-quiet\r\n\r\n")
          .status()).isEqualTo(200);
    }
    // the lines of one connection are written in its order: the quiet one would be there by now
    access.await(l -> "after-quiet".equals(l.path("request_id").asText()));
    assertThat(access.json()).noneMatch(l -> "quiet.example.com".equals(l.path("host").asText()));
  }

  @Test
  void aWebSocketLogsIts101AndATunnelLineClosedByTheClient() throws Exception {
    applyTable(1, false);
    // Given a WebSocket upgrade from a raw client, which then sends bytes and goes away
    RawHttp.Upgrade upgrade = RawHttp.upgradeFrom("127.0.0.1", harness.dataPlane.httpPort(), "a.example.com");
    assertThat(upgrade.status()).isEqualTo(101);
    Socket socket = upgrade.socket();
    int clientPort = socket.getLocalPort();
    byte[] ping = {(byte) 0x89, (byte) 0x80, 1, 2, 3, 4}; // a masked ping, empty
    socket.getOutputStream().write(ping);
    assertThat(socket.getInputStream().readNBytes(2)).containsExactly(0x8A, 0x00); // its pong
    socket.close();
    // Then the upgrade's line, and the tunnel's when it closed
    JsonNode switched = access.await(l -> l.path("status").asInt() == 101);
    assertThat(switched.get("uri").asText()).isEqualTo("/chat");
    assertThat(switched.get("upstream_addr").asText()).isEqualTo("127.0.0.1:" + web.port());
    JsonNode tunnel = tunnelLine();
    assertThat(tunnel.get("kind").asText()).isEqualTo("websocket");
    assertThat(tunnel.get("closed_by").asText()).isEqualTo("client");
    assertThat(tunnel.get("idle_timeout").isNull()).isTrue();
    assertThat(tunnel.get("route").asText()).isEqualTo("test");
    assertThat(tunnel.get("listener").asText()).isEqualTo("default-http");
    assertThat(tunnel.get("client").asText()).isEqualTo("127.0.0.1");
    assertThat(tunnel.get("client_port").asInt()).isEqualTo(clientPort);
    assertThat(tunnel.get("endpoint").asText()).isEqualTo("127.0.0.1:" + web.port());
    assertThat(tunnel.get("bytes_from_client").asLong()).isEqualTo(ping.length);
    assertThat(tunnel.get("bytes_to_client").asLong()).isEqualTo(2);
    assertThat(tunnel.get("frames").isNull()).isTrue();
    assertThat(tunnel.get("duration").isNumber()).isTrue();
    assertThat(tunnel.get("request_id").asText()).isEqualTo(switched.get("request_id").asText()).matches(HEX32);
    assertThat(OffsetDateTime.parse(tunnel.get("time").asText()).toInstant())
        .isAfterOrEqualTo(OffsetDateTime.parse(switched.get("time").asText()).toInstant());
  }

  /** The first tunnel line, waited for. */
  private JsonNode tunnelLine() {
    return access.await(l -> "tunnel".equals(l.path("type").asText()));
  }

  @Test
  void aTunnelTheBackendClosesSaysBackend() throws Exception {
    applyTable(1, false);
    WebSocket ws = harness.webSocket("a.example.com", "/");
    ws.writeTextMessage("close-me"); // the test backend closes its side
    assertThat(tunnelLine().get("closed_by").asText()).isEqualTo("backend");
  }

  @Test
  void anIdleTunnelSaysIdleTimeoutAndTheTimeout() throws Exception {
    applyTable(1, false);
    harness.webSocket("idle.example.com", "/");
    JsonNode tunnel = tunnelLine();
    assertThat(tunnel.get("closed_by").asText()).isEqualTo("idle-timeout");
    assertThat(tunnel.get("idle_timeout").asDouble()).isEqualTo(1.0);
  }

  @Test
  void aTunnelOfARemovedRouteSaysDrain() throws Exception {
    applyTable(1, true);
    harness.webSocket("b.example.com", "/");
    applyTable(2, false);
    assertThat(tunnelLine().get("closed_by").asText()).isEqualTo("drain");
  }

  @Test
  void aTunnelOpenWhenTheDataPlaneStopsSaysShutdown() throws Exception {
    applyTable(1, false);
    harness.webSocket("a.example.com", "/");
    // the tunnel is registered once its handshake is done on the proxy's side, which the client may see first
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> harness.dataPlane.openWebSockets() == 1);
    harness.dataPlane.close();
    assertThat(tunnelLine().get("closed_by").asText()).isEqualTo("shutdown");
  }

  @Test
  void aTcpTunnelHasItsLine() throws Exception {
    tcpPort = DataPlaneHarness.freePort();
    echo = DataPlaneHarness.await(harness.vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1"))
        .connectHandler(socket -> socket.handler(socket::write)).listen(0));
    applyTable(1, false);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> harness.dataPlane.listenerPorts().contains(tcpPort));
    // Held until the socket is closed: Vert.x shuts a garbage client down with its connections.
    io.vertx.core.net.NetClient client = harness.vertx.createNetClient(new NetClientOptions());
    NetSocket socket = DataPlaneHarness.await(client.connect(tcpPort, "127.0.0.1"));
    assertThat(harness.exchange(socket, "hello over tcp\n")).isEqualTo("hello over tcp\n");
    int clientPort = socket.localAddress().port();
    DataPlaneHarness.await(socket.close());
    DataPlaneHarness.await(client.close());
    JsonNode tunnel = tunnelLine();
    assertThat(tunnel.get("kind").asText()).isEqualTo("tcp");
    assertThat(tunnel.get("closed_by").asText()).isEqualTo("client");
    assertThat(tunnel.get("listener").asText()).isEqualTo("apps/tcp");
    assertThat(tunnel.get("route").asText()).isEqualTo("test");
    assertThat(tunnel.get("client").asText()).isEqualTo("127.0.0.1");
    assertThat(tunnel.get("client_port").asInt()).isEqualTo(clientPort);
    assertThat(tunnel.get("endpoint").asText()).isEqualTo("127.0.0.1:" + echo.actualPort());
    assertThat(tunnel.get("bytes_from_client").asLong()).isEqualTo("hello over tcp\n".length());
    assertThat(tunnel.get("bytes_to_client").asLong()).isEqualTo("hello over tcp\n".length());
    assertThat(tunnel.get("request_id").isNull()).isTrue();
  }

  @Test
  void aStalledAppenderDropsAndCountsLinesWhileRequestsAreServed() throws Exception {
    // Given a data plane whose log queue holds one line, and an appender that blocks
    harness.close();
    harness = new DataPlaneHarness(DataPlaneOptions.loopback(Duration.ofSeconds(1))
        .withAccessLog(new AccessLogOptions(AccessLogFormat.JSON, 1)));
    web = harness.backend("web");
    applyTable(1, false);
    access.block();
    try (RawHttp.Open connection = new RawHttp.Open(harness.dataPlane.httpPort())) {
      assertThat(connection.send("GET /echo HTTP/1.1\r\nHost: a.example.com\r\nX-Request-ID: r0\r\n\r\n").status())
          .isEqualTo(200);
      access.awaitBlocked(); // the writer holds r0 in the appender
      // When four more requests come: r1 waits in the queue, r2-r4 find it full
      for (int i = 1; i <= 4; i++) {
        assertThat(connection.send("GET /echo HTTP/1.1\r\nHost: a.example.com\r\nX-Request-ID: r" + i + "\r\n\r\n")
            .status()).isEqualTo(200);
      }
    }
    // Then they were all served, three lines were dropped and counted (a line is offered to the log
    // after the answer's last write, so the client may read r4's answer a moment before its line is)
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(harness.dataPlane.metrics().scrape()).contains("clb_access_log_dropped_total 3.0"));
    access.unblock();
    access.await(l -> "r1".equals(l.path("request_id").asText()));
    assertThat(access.json()).extracting(l -> l.path("request_id").asText()).containsExactly("r0", "r1");
  }

  @Test
  void textLinesAreNginxCombinedWithTheRestAfter() throws Exception {
    harness.close();
    harness = new DataPlaneHarness(DataPlaneOptions.loopback(Duration.ofSeconds(1))
        .withAccessLog(AccessLogOptions.of(AccessLogFormat.TEXT)));
    web = harness.backend("web");
    applyTable(1, false);
    RawHttp.exchange(harness.dataPlane.httpPort(), "GET /echo?q=\"x HTTP/1.1\r\nHost: a.example.com\r\nUser-Agent: say \"hi\"\r\n"
        + "X-Request-ID: text-1\r\nConnection: close\r\n\r\n", 10_000);
    String line = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
        .until(() -> access.lines().stream().filter(l -> l.endsWith(" text-1")).findFirst().orElse(null),
            java.util.Objects::nonNull);
    assertThat(line).matches("127\\.0\\.0\\.1 - - \\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\] "
        + "\"GET /echo\\?q=\\\\x22x HTTP/1\\.1\" 200 \\d+ \"-\" \"say \\\\x22hi\\\\x22\" 0 \\d+\\.\\d{3} "
        + "127\\.0\\.0\\.1:" + web.port() + " \\d+\\.\\d{3} \\d+\\.\\d{3} \\d+\\.\\d{3} \"a\\.example\\.com\" \"test\" "
        + "default-http \\d+ - - - text-1");
  }
}
