package io.clbingress.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Canary;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Scheduler;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.HostAndPort;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A route's {@link Canary} (ingress-nginx's canary Ingress): which requests the canary's cluster
 * gets, by header, header value, header pattern, cookie and weight in that order of precedence,
 * over HTTP/1.1, h2 and WebSocket upgrades.
 */
class CanaryTest {

  static DataPlaneHarness harness;
  static TestBackend stable;
  static TestBackend canary;
  static long version = 1;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    stable = harness.backend("stable");
    canary = harness.backend("canary");
    harness.apply(table());
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  @Test
  void theHeaderSaysAlwaysOrNeverAndAnyOtherValueFallsThroughToTheCookie() throws Exception {
    assertThat(served("header.example.com", Map.of("X-Canary", "always"))).isEqualTo("canary");
    assertThat(served("header.example.com", Map.of("X-Canary", "never", "Cookie", "beta=always"))).isEqualTo("stable");
    assertThat(served("header.example.com", Map.of("X-Canary", "maybe", "Cookie", "beta=always"))).isEqualTo("canary");
    assertThat(served("header.example.com", Map.of("Cookie", "a=b; beta=never"))).isEqualTo("stable");
    assertThat(served("header.example.com", Map.of())).isEqualTo("stable"); // weight 0
  }

  @Test
  void aHeaderValueChoosesTheCanaryAndOtherValuesFallThroughEvenNever() throws Exception {
    assertThat(served("value.example.com", Map.of("X-Version", "v2"))).isEqualTo("canary");
    assertThat(served("value.example.com", Map.of("X-Version", "always"))).isEqualTo("stable"); // weight 0
    // "never" is only a word without a header value; here it falls through to the weight (all of it)
    assertThat(served("all.example.com", Map.of("X-Version", "never"))).isEqualTo("canary");
  }

  @Test
  void aHeaderPatternIsFoundAnywhereInTheValue() throws Exception {
    assertThat(served("pattern.example.com", Map.of("User-Agent", "Mozilla/5.0 (beta-tester)"))).isEqualTo("canary");
    assertThat(served("pattern.example.com", Map.of("User-Agent", "curl/8"))).isEqualTo("stable");
  }

  @Test
  void aWeightSendsItsShareAndZeroOrAllOfTheTotalAreExact() throws Exception {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      counts.merge(served("weight.example.com", Map.of()), 1, Integer::sum);
    }
    // weight 1 of 2: both sides get requests (all 200 on one side has probability 2^-199)
    assertThat(counts).containsOnlyKeys("stable", "canary");
    for (int i = 0; i < 20; i++) {
      assertThat(served("all.example.com", Map.of())).isEqualTo("canary"); // weight 10 of 10
      assertThat(served("header.example.com", Map.of())).isEqualTo("stable"); // weight 0
    }
  }

  /**
   * With sticky sessions, a client's session cookie keeps it on the side whose endpoint it names:
   * a weighted split would otherwise move it, and start a new session, at about every other request.
   */
  @Test
  void aSessionCookieKeepsAClientOnItsSideOfAWeightedCanary() throws Exception {
    Set<String> sides = new HashSet<>();
    for (int client = 0; client < 8; client++) {
      RequestOptions first = new RequestOptions().setHost("127.0.0.1").setPort(harness.dataPlane.httpPort()).setURI("/")
          .putHeader("host", "sticky.example.com");
      String[] answer = DataPlaneHarness.await(harness.onContext(() -> harness.http.request(first)
          .compose(request -> request.send())
          .compose(response -> response.body().map(b -> new String[] {b.toString(), response.getHeader("set-cookie")}))));
      String cookie = answer[1].substring(0, answer[1].indexOf(';'));
      sides.add(answer[0]);
      for (int i = 0; i < 20; i++) {
        assertThat(served("sticky.example.com", Map.of("Cookie", cookie))).as("client %d request %d", client, i)
            .isEqualTo(answer[0]);
      }
    }
    assertThat(sides).as("8 first requests, 1 of 2 to the canary").isNotEmpty();
  }

  @Test
  void aCanaryWithoutEndpointsTakesNothing() throws Exception {
    assertThat(served("empty.example.com", Map.of("X-Canary", "always"))).isEqualTo("stable");
  }

  @Test
  void http2RequestsAreChosenTheSameWay() throws Exception {
    HttpClientAgent h2 = harness.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
        .setVerifyHost(false).setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2), new PoolOptions().setHttp2MaxSize(1));
    int port = harness.dataPlane.httpsPort();
    for (Map.Entry<String, String> expected : Map.of("always", "canary", "never", "stable").entrySet()) {
      String body = DataPlaneHarness.await(harness.onContext(() -> h2.request(new RequestOptions().setHost("127.0.0.1")
              .setPort(port).setURI("/").addHeader("X-Canary", expected.getKey()))
          .compose(request -> request.authority(HostAndPort.create("header.example.com", port)).send())
          .compose(response -> response.body().map(Object::toString))));
      assertThat(body).as(expected.getKey()).isEqualTo(expected.getValue());
    }
    String byCookie = DataPlaneHarness.await(harness.onContext(() -> h2.request(new RequestOptions().setHost("127.0.0.1")
            .setPort(port).setURI("/").addHeader("cookie", "a=1").addHeader("cookie", "beta=always"))
        .compose(request -> request.authority(HostAndPort.create("header.example.com", port)).send())
        .compose(response -> response.body().map(Object::toString))));
    assertThat(byCookie).as("h2 splits cookies over header lines").isEqualTo("canary");
    String byHost = DataPlaneHarness.await(harness.onContext(() -> h2.request(new RequestOptions().setHost("127.0.0.1")
            .setPort(port).setURI("/"))
        .compose(request -> request.authority(HostAndPort.create("host.example.com", port)).send())
        .compose(response -> response.body().map(Object::toString))));
    assertThat(byHost).as("an h2 request names its host in :authority, which is its Host").isEqualTo("canary");
    assertThat(served("host.example.com", Map.of())).as("HTTP/1.1").isEqualTo("canary");
  }

  /**
   * An upgrade follows the same choice, and a tunnel to the canary is the canary side's: it stays
   * open across table changes that keep the canary, rather than being drained because the route's
   * own cluster does not hold its endpoint.
   */
  @Test
  void webSocketUpgradesFollowTheChoiceAndCanaryTunnelsSurviveTableChanges() throws Exception {
    WebSocket toCanary = DataPlaneHarness.await(harness.onContext(() -> harness.webSockets.connect(
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(harness.dataPlane.httpPort()).setURI("/ws")
            .putHeader("host", "header.example.com").putHeader("X-Canary", "always"))));
    WebSocket toStable = harness.webSocket("header.example.com", "/ws");
    assertThat(DataPlaneHarness.exchange(toCanary, "a")).isEqualTo("canary:a");
    assertThat(DataPlaneHarness.exchange(toStable, "b")).isEqualTo("stable:b");
    harness.apply(table()); // a new version of the same routes
    harness.apply(table());
    assertThat(DataPlaneHarness.exchange(toCanary, "c")).isEqualTo("canary:c");
    assertThat(DataPlaneHarness.exchange(toStable, "d")).isEqualTo("stable:d");
    DataPlaneHarness.await(toCanary.close());
    DataPlaneHarness.await(toStable.close());
  }

  @Test
  void theCanaryGoesThroughTheTableCodecAndWrongOnesAreRefused() {
    RoutingTable table = table();
    assertThat(TableCodec.fromJson(TableCodec.toJson(table))).isEqualTo(table);
    assertThat(TableCodec.toJson(table)).containsPattern("\"type\" ?: ?\"Canary\"");
    assertThatThrownBy(() -> new Canary("c", null, null, null, null, 101, 100)).hasMessageContaining("out of range");
    assertThatThrownBy(() -> new Canary("c", null, null, null, null, 1, 0)).hasMessageContaining("out of range");
    assertThatThrownBy(() -> new Canary("c", "X Bad", null, null, null, 0, 100)).hasMessageContaining("not a header name");
    assertThatThrownBy(() -> new Canary("c", null, "v", null, null, 0, 100)).hasMessageContaining("needs a header");
    assertThatThrownBy(() -> new Canary("c", "X-A", "v\r\nX: y", null, null, 0, 100)).hasMessageContaining("control");
    assertThatThrownBy(() -> new Canary("c", "X-A", null, "(", null, 0, 100)).hasMessageContaining("regular expression");
    assertThatThrownBy(() -> new Canary("c", null, null, null, "a;b", 0, 100)).hasMessageContaining("cookie name");
  }

  private static String served(String host, Map<String, String> headers) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
        .setPort(harness.dataPlane.httpPort()).setURI("/").putHeader("host", host);
    headers.forEach(options::putHeader);
    return DataPlaneHarness.await(harness.onContext(() -> harness.http.request(options)
        .compose(request -> request.send()).compose(response -> response.body().map(Object::toString))));
  }

  private static Route route(Canary canary) {
    return new Route(PathMatch.Prefix.of("/"), "stable", Tables.DEFAULT_TIMEOUTS, "test", false, null, List.of(canary));
  }

  private static RoutingTable table() {
    return Tables.table(version++).cluster("stable", stable.port()).cluster("canary", canary.port())
        .cluster(new Cluster("none", BackendProtocol.HTTP, Scheduler.WRR, List.of()))
        .route("header.example.com", route(new Canary("canary", "X-Canary", null, null, "beta", 0, 100)))
        .route("value.example.com", route(new Canary("canary", "X-Version", "v2", null, null, 0, 100)))
        .route("all.example.com", route(new Canary("canary", "X-Version", "v2", null, null, 10, 10)))
        .route("pattern.example.com", route(new Canary("canary", "User-Agent", null, "beta-[a-z]+", null, 0, 100)))
        .route("weight.example.com", route(new Canary("canary", null, null, null, null, 1, 2)))
        .route("host.example.com", route(new Canary("canary", "Host", null, "^host\\.", null, 0, 100)))
        .route("sticky.example.com", new Route(PathMatch.Prefix.of("/"), "stable", Tables.DEFAULT_TIMEOUTS, "test", false,
            3600, List.of(new Canary("canary", null, null, null, null, 1, 2))))
        .route("empty.example.com", route(new Canary("none", "X-Canary", null, null, null, 0, 100)))
        .overHttpsToo().build();
  }
}
