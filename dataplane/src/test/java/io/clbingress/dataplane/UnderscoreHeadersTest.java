package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.RoutingTable;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.vertx.core.MultiMap;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Request headers whose names hold an underscore (nginx's {@code underscores_in_headers off},
 * ingress-nginx's {@code enable-underscores-in-headers: false}): dropped before the backend, over
 * HTTP/1.1, HTTP/2 and WebSocket upgrades, so that a backend that reads {@code _} as {@code -}
 * never takes {@code X_Forwarded_For} for the proxy's {@code X-Forwarded-For}; passed on by a
 * data plane started with {@code --enable-underscores-in-headers}.
 */
class UnderscoreHeadersTest {

  /** Spoofing attempts, then a header that must pass either way. */
  static final String SPOOFS = "X_Forwarded_For: 6.6.6.6\r\nX_Real_IP: 6.6.6.6\r\nX-Auth_User: admin\r\n"
      + "x_forwarded_proto: https\r\nX-Normal: kept\r\n";

  static DataPlaneHarness dropping;
  static DataPlaneHarness passing;
  static TestBackend app;
  static TestBackend other;

  @BeforeAll
  static void start() throws Exception {
    dropping = new DataPlaneHarness(Duration.ofSeconds(1));
    passing = new DataPlaneHarness(DataPlaneOptions.loopback(Duration.ofSeconds(1)).withUnderscoresInHeaders(true));
    app = dropping.largeHeadBackend("app");
    other = passing.largeHeadBackend("other");
    dropping.apply(routes(app));
    passing.apply(routes(other));
  }

  private static RoutingTable routes(TestBackend backend) {
    return table(1).cluster("app", backend.port()).prefix("app.test", "/", "app").overHttpsToo().build();
  }

  @AfterAll
  static void stop() throws Exception {
    for (DataPlaneHarness harness : new DataPlaneHarness[] {dropping, passing}) {
      if (harness != null) {
        harness.close();
      }
    }
  }

  @Test
  void http1HeadersWithUnderscoresNeverReachTheBackend() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(dropping.dataPlane.httpPort(),
        "GET /h1 HTTP/1.1\r\nHost: app.test\r\n" + SPOOFS + "Connection: close\r\n\r\n", 10_000);
    assertThat(reply.status()).isEqualTo(200);
    assertSpoofsDropped(last(app));
  }

  @Test
  void http2HeadersWithUnderscoresNeverReachTheBackend() throws Exception {
    try (RawHttp2 h2 = RawHttp2.connect(dropping.dataPlane.httpsPort())) {
      h2.headers(1, RawHttp2.request("GET", "/h2").authority("app.test").add("x_forwarded_for", "6.6.6.6")
          .add("x_real_ip", "6.6.6.6").add("x-auth_user", "admin").add("x_forwarded_proto", "https")
          .add("x-normal", "kept"), true);
      RawHttp2.Frame answer = h2.readUntil(f -> f.is(Http2FrameTypes.HEADERS) && f.streamId() == 1);
      assertThat(answer.headers().status().toString()).isEqualTo("200");
    }
    assertSpoofsDropped(last(app));
  }

  @Test
  void webSocketUpgradeHeadersWithUnderscoresNeverReachTheBackend() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", dropping.dataPlane.httpPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: app.test\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          + SPOOFS + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      assertThat(RawHttp.readHead(in)).startsWith("HTTP/1.1 101");
    }
    assertSpoofsDropped(app.upgradeHeads.get(app.upgradeHeads.size() - 1));
  }

  @Test
  void withTheFlagHeadersWithUnderscoresGoOn() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(passing.dataPlane.httpPort(),
        "GET /h1 HTTP/1.1\r\nHost: app.test\r\nX_Custom_Id: 42\r\nConnection: close\r\n\r\n", 10_000);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(last(other).get("X_Custom_Id")).isEqualTo("42");
    try (RawHttp2 h2 = RawHttp2.connect(passing.dataPlane.httpsPort())) {
      h2.headers(1, RawHttp2.request("GET", "/h2").authority("app.test").add("x_custom_id", "43"), true);
      assertThat(h2.readUntil(f -> f.is(Http2FrameTypes.HEADERS) && f.streamId() == 1).headers().status().toString())
          .isEqualTo("200");
    }
    assertThat(last(other).get("x_custom_id")).isEqualTo("43");
  }

  private static MultiMap last(TestBackend backend) {
    return backend.heads.get(backend.heads.size() - 1);
  }

  /** None of {@link #SPOOFS}' underscored names, the proxy's own values, and the plain header. */
  private static void assertSpoofsDropped(MultiMap seen) {
    assertThat(seen.names()).noneMatch(name -> name.indexOf('_') >= 0);
    assertThat(seen.get("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(seen.get("x-real-ip")).isEqualTo("127.0.0.1");
    assertThat(seen.get("x-normal")).isEqualTo("kept");
  }
}
