package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.Canary;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Route;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cookie crumbs: an HTTP/2 client may send its cookies as several {@code cookie} fields (RFC 9113
 * §8.2.3; browsers do, for HPACK's sake). Towards an HTTP/1.1 backend they are one Cookie header
 * joined with {@code "; "}, and every rule that reads a cookie (sticky sessions, canary by cookie)
 * sees every crumb, not only the first. The client writes its own frames ({@link RawHttp2}), so
 * the crumbs are certainly separate fields on the wire. Vert.x 5.0 joins the crumbs with
 * {@code "; "} when it reads the head, so these pass without help from the data plane: they keep
 * it so across Vert.x upgrades, and the data plane reads every cookie field whatever Vert.x does
 * ({@code StickySessions.cookieIn}).
 */
class Http2CookiesTest {

  static DataPlaneHarness harness;
  static TestBackend a;
  static TestBackend b;

  /** What came back on one stream. */
  record Answer(String status, String setCookie, String body) {
  }

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    a = harness.largeHeadBackend("a");
    b = harness.largeHeadBackend("b");
    harness.apply(table(1).cluster("one", a.port()).cluster("two", b.port()).cluster("both", a.port(), b.port())
        .prefix("plain.test", "/", "one")
        .route("sticky.test", new Route(new PathMatch.Prefix("/"), "both", Tables.DEFAULT_TIMEOUTS, "test", false, 3600,
            List.of()))
        .route("canary.test", Tables.filtered("one", new Canary("two", null, null, null, "beta", 0, 100)))
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
  void crumbsReachTheBackendAsOneCookieHeader() throws Exception {
    try (RawHttp2 h2 = RawHttp2.connect(harness.dataPlane.httpsPort())) {
      Answer answer = exchange(h2, 1, RawHttp2.request("GET", "/crumbs").authority("plain.test")
          .add("cookie", "a=1").add("cookie", "b=2").add("cookie", "c=3"));
      assertThat(answer.status()).isEqualTo("200");
    }
    assertThat(a.heads.get(a.heads.size() - 1).getAll("cookie")).containsExactly("a=1; b=2; c=3");
  }

  @Test
  void oneCookieFieldReachesTheBackendAsItIs() throws Exception {
    try (RawHttp2 h2 = RawHttp2.connect(harness.dataPlane.httpsPort())) {
      exchange(h2, 1, RawHttp2.request("GET", "/one").authority("plain.test").add("cookie", "a=1; b=2"));
    }
    assertThat(a.heads.get(a.heads.size() - 1).getAll("cookie")).containsExactly("a=1; b=2");
  }

  @Test
  void aSessionCookieInALaterCrumbKeepsTheClientOnItsEndpoint() throws Exception {
    try (RawHttp2 h2 = RawHttp2.connect(harness.dataPlane.httpsPort())) {
      Answer first = exchange(h2, 1, RawHttp2.request("GET", "/").authority("sticky.test"));
      assertThat(first.setCookie()).startsWith("clb_session=");
      String session = first.setCookie().substring(0, first.setCookie().indexOf(';'));
      for (int stream = 3; stream < 3 + 2 * 10; stream += 2) {
        Answer next = exchange(h2, stream, RawHttp2.request("GET", "/").authority("sticky.test")
            .add("cookie", "theme=dark").add("cookie", session));
        assertThat(next.body()).as("stream %d", stream).isEqualTo(first.body());
        assertThat(next.setCookie()).as("stream %d", stream).isNull();
      }
    }
  }

  @Test
  void aCanaryCookieInALaterCrumbChoosesTheCanary() throws Exception {
    try (RawHttp2 h2 = RawHttp2.connect(harness.dataPlane.httpsPort())) {
      assertThat(exchange(h2, 1, RawHttp2.request("GET", "/").authority("canary.test")
          .add("cookie", "theme=dark").add("cookie", "beta=always")).body()).isEqualTo("b");
      assertThat(exchange(h2, 3, RawHttp2.request("GET", "/").authority("canary.test")
          .add("cookie", "theme=dark").add("cookie", "beta=never")).body()).isEqualTo("a");
    }
  }

  /** Sends a bodiless request on {@code stream} and reads its answer through END_STREAM. */
  private static Answer exchange(RawHttp2 h2, int stream, Http2Headers request) throws Exception {
    h2.headers(stream, request, true);
    RawHttp2.Frame head = h2.readUntil(f -> f.is(Http2FrameTypes.HEADERS) && f.streamId() == stream);
    assertThat(head).as("the answer's head").isNotNull();
    CharSequence setCookie = head.headers().get("set-cookie");
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    boolean ended = (head.flags() & RawHttp2.END_STREAM) != 0;
    while (!ended) {
      RawHttp2.Frame data = h2.readUntil(f -> f.is(Http2FrameTypes.DATA) && f.streamId() == stream);
      assertThat(data).as("the answer's body").isNotNull();
      body.writeBytes(data.payload());
      ended = (data.flags() & RawHttp2.END_STREAM) != 0;
    }
    return new Answer(head.headers().status().toString(), setCookie == null ? null : setCookie.toString(),
        body.toString(StandardCharsets.UTF_8));
  }
}
