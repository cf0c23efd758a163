package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.routing.SourceRangeRules;
import io.clbingress.dataplane.table.Cors;
import io.clbingress.dataplane.table.RequestRedirect;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.SourceRanges;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A route's {@link SourceRanges} (ingress-nginx's whitelist-source-range and denylist-source-range):
 * clients connect from addresses of their own on 127.0.0.x; those the route does not serve get 403
 * over HTTP/1.1 and h2, for plain requests, WebSocket upgrades, CORS preflights and redirects
 * alike, and the backend sees none of their requests.
 */
class SourceRangesTest {

  static DataPlaneHarness harness;
  static HttpServer app;
  static final List<String> received = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    app = harness.server((request, body) -> {
      received.add(request.getHeader("x-forwarded-for") + " " + request.method() + " " + request.uri());
      request.response().end("app");
    });
    SourceRanges onlyTwo = new SourceRanges(List.of("127.0.0.2/32"), List.of());
    SourceRanges allButThree = new SourceRanges(List.of("127.0.0.0/24"), List.of("127.0.0.3"));
    harness.apply(table(1).cluster("app", app.actualPort())
        .route("only-two.test", Tables.filtered("app", onlyTwo))
        .route("all-but-three.test", Tables.filtered("app", allButThree))
        .route("deny-only.test", Tables.filtered("app", new SourceRanges(List.of(), List.of("127.0.0.4/31"))))
        .route("cors.test", Tables.filtered("app", onlyTwo, new Cors(List.of("*"), false, List.of("GET"), List.of(), List.of(), 60)))
        .route("redirect.test", Tables.filtered("app", onlyTwo, new RequestRedirect("https", "elsewhere.example", null, null, 302)))
        .route("open.test", Tables.filtered("app"))
        .overHttpsToo().build());
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  @BeforeEach
  void clear() {
    received.clear();
  }

  @Test
  void onlyAnAllowedAddressIsServed() throws Exception {
    assertThat(get("127.0.0.2", "only-two.test", "/x").status()).isEqualTo(200);
    for (String other : List.of("127.0.0.1", "127.0.0.3", "127.0.0.22")) {
      RawHttp.Reply refused = get(other, "only-two.test", "/x");
      assertThat(refused.status()).as(other).isEqualTo(403);
    }
    assertThat(received).containsExactly("127.0.0.2 GET /x");
  }

  @Test
  void aDeniedAddressInsideAnAllowedRangeIsRefused() throws Exception {
    assertThat(get("127.0.0.2", "all-but-three.test", "/").status()).isEqualTo(200);
    assertThat(get("127.0.0.3", "all-but-three.test", "/").status()).isEqualTo(403);
    assertThat(get("127.0.0.4", "all-but-three.test", "/").status()).isEqualTo(200);
    assertThat(get("127.0.0.4", "deny-only.test", "/").status()).isEqualTo(403);
    assertThat(get("127.0.0.5", "deny-only.test", "/").status()).isEqualTo(403);
    assertThat(get("127.0.0.6", "deny-only.test", "/").status()).isEqualTo(200);
    assertThat(received).containsExactly("127.0.0.2 GET /", "127.0.0.4 GET /", "127.0.0.6 GET /");
  }

  @Test
  void aWebSocketUpgradeFromARefusedAddressGetsNoTunnel() throws Exception {
    String upgrade = "GET /chat HTTP/1.1\r\nHost: only-two.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    RawHttp.Reply reply = RawHttp.exchangeFrom("127.0.0.3", harness.dataPlane.httpPort(), upgrade, 2_000);
    assertThat(reply.status()).isEqualTo(403);
    assertThat(received).isEmpty();
  }

  @Test
  void theRefusalComesBeforeAPreflightAndARedirect() throws Exception {
    RawHttp.Reply preflight = RawHttp.exchangeFrom("127.0.0.3", harness.dataPlane.httpPort(), "OPTIONS / HTTP/1.1\r\n"
        + "Host: cors.test\r\nOrigin: https://a.example\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(preflight.status()).isEqualTo(403);
    assertThat(preflight.header("access-control-allow-origin")).isNull();
    assertThat(get("127.0.0.3", "redirect.test", "/").status()).isEqualTo(403);
    assertThat(get("127.0.0.2", "redirect.test", "/").status()).isEqualTo(302);
    assertThat(received).isEmpty();
  }

  /** A body on its way behind a refused head is read and dropped: the next request on the connection is served. */
  @Test
  void aRefusedRequestWithABodyLeavesTheConnectionUsable() throws Exception {
    RawHttp.Reply reply = RawHttp.exchangeFrom("127.0.0.3", harness.dataPlane.httpPort(), "POST /x HTTP/1.1\r\n"
        + "Host: only-two.test\r\nContent-Length: 5\r\n\r\nhelloGET /y HTTP/1.1\r\nHost: open.test\r\n"
        + "Connection: close\r\n\r\n", 5_000);
    assertThat(reply.statuses()).containsExactly(403, 200);
    assertThat(received).containsExactly("127.0.0.3 GET /y");
  }

  @Test
  void overH2TheSameAddressesAreRefused() throws Exception {
    List<Integer> statuses = new ArrayList<>();
    for (String local : List.of("127.0.0.2", "127.0.0.3")) {
      HttpClientAgent client = harness.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
          .setVerifyHost(false).setUseAlpn(true).setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2)
          .setLocalAddress(local));
      int port = harness.dataPlane.httpsPort();
      statuses.add(DataPlaneHarness.await(harness.onContext(() -> client.request(new RequestOptions()
              .setHost("127.0.0.1").setPort(port).setMethod(HttpMethod.GET).setURI("/h2"))
          .compose(request -> request.authority(HostAndPort.create("only-two.test", port)).send())
          .compose(response -> response.body().map(body -> response.statusCode())))));
      DataPlaneHarness.await(client.close());
    }
    assertThat(statuses).containsExactly(200, 403);
    assertThat(received).containsExactly("127.0.0.2 GET /h2");
  }

  @Test
  void rangesOfBothFamiliesMatchTheirOwnAddressesOnly() {
    SourceRangeRules rules = new SourceRangeRules(new SourceRanges(List.of("2001:db8::/32", "10.0.0.0/8", "::1"),
        List.of("2001:db8:dead::/48")));
    assertThat(rules.allows("2001:db8:1::5")).isTrue();
    assertThat(rules.allows("2001:db8:dead::5")).isFalse();
    assertThat(rules.allows("2001:db9::1")).isFalse();
    assertThat(rules.allows("::1")).isTrue();
    assertThat(rules.allows("10.255.0.1")).isTrue();
    assertThat(rules.allows("11.0.0.1")).isFalse();
    assertThat(rules.allows("::ffff:10.0.0.1")).as("an IPv4-mapped address is the IPv4 address").isTrue();
    assertThat(rules.allows("not-an-address")).as("unknown: refused").isFalse();
    assertThat(rules.allows(null)).isFalse();
    assertThat(new SourceRangeRules(new SourceRanges(List.of("0.0.0.0/0"), List.of())).allows("203.0.113.9")).isTrue();
    // what translation puts on a route whose access list could not be read: nobody
    SourceRangeRules nobody = new SourceRangeRules(new SourceRanges(List.of(), List.of("0.0.0.0/0", "::/0")));
    assertThat(List.of("127.0.0.1", "::1", "203.0.113.9", "2001:db8::1")).noneMatch(nobody::allows);
  }

  @Test
  void wrongRangesAreRefusedWhereTheTableIsMade() {
    for (String range : List.of("10.0.0.0/33", "::/129", "example.com", "10.0.0.1:80", "", "10.0.0", "256.0.0.1",
        "fe80::1%eth0", "10.0.0.0/-1", "10.0.0.0/", "1::2::3")) {
      assertThatThrownBy(() -> new SourceRanges(List.of(range), List.of())).as(range)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> new SourceRanges(List.of(), List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theFilterGoesThroughTheTableCodec() {
    RoutingTable table = table(2).cluster("app", app.actualPort())
        .route("x.test", Tables.filtered("app", new SourceRanges(List.of("10.0.0.0/8"), List.of("10.1.0.0/16")))).build();
    String json = TableCodec.toJson(table);
    assertThat(json).containsPattern("\"type\" ?: ?\"SourceRanges\"");
    assertThat(TableCodec.fromJson(json)).isEqualTo(table);
  }

  private static RawHttp.Reply get(String from, String host, String path) throws Exception {
    return RawHttp.exchangeFrom(from, harness.dataPlane.httpPort(), "GET " + path + " HTTP/1.1\r\nHost: " + host
        + "\r\nConnection: close\r\n\r\n", 5_000);
  }
}
