package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Timeouts;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Plain HTTP through the data plane, with real backends on loopback. */
class HttpProxyTest {

  static DataPlaneHarness harness;
  static TestBackend api;
  static TestBackend web;
  static TestBackend wildcard;
  static TestBackend fallback;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    api = harness.backend("api");
    web = harness.backend("web");
    wildcard = harness.backend("wildcard");
    fallback = harness.backend("fallback");
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  @Test
  void routesByHostAndPathToDistinctBackends() throws Exception {
    // Given
    harness.apply(table(1)
        .cluster("api", api.port()).cluster("web", web.port()).cluster("wildcard", wildcard.port())
        .prefix("shop.example.com", "/api", "api")
        .prefix("shop.example.com", "/", "web")
        .route("shop.example.com", new PathMatch.Exact("/api/exact"), "web", Tables.DEFAULT_TIMEOUTS)
        .prefix("*.example.com", "/", "wildcard")
        .build());
    // When / Then
    assertThat(harness.get("shop.example.com", "/api/orders?id=1").body()).isEqualTo("api");
    assertThat(harness.get("SHOP.example.com:8080", "/api").body()).isEqualTo("api");
    assertThat(harness.get("shop.example.com", "/apis").body()).isEqualTo("web");
    assertThat(harness.get("shop.example.com", "/api/exact").body()).isEqualTo("web");
    assertThat(harness.get("shop.example.com", "/").body()).isEqualTo("web");
    assertThat(harness.get("blog.example.com", "/x").body()).isEqualTo("wildcard");
    assertThat(harness.get("a.blog.example.com", "/x").status()).isEqualTo(404);
  }

  @Test
  void unmatchedRequestsGet404OrTheDefaultRoute() throws Exception {
    // Given no default route
    harness.apply(table(2).cluster("api", api.port()).prefix("api.example.com", "/v1", "api").build());
    // Then
    assertThat(harness.get("api.example.com", "/v2").status()).isEqualTo(404);
    assertThat(harness.get("other.example.com", "/v1").status()).isEqualTo(404);
    // Given a default route
    harness.apply(table(3).cluster("api", api.port()).cluster("fallback", fallback.port())
        .prefix("api.example.com", "/v1", "api").defaultRoute("fallback").build());
    // Then
    assertThat(harness.get("api.example.com", "/v2").body()).isEqualTo("fallback");
    assertThat(harness.get("other.example.com", "/").body()).isEqualTo("fallback");
    assertThat(harness.get("api.example.com", "/v1/x").body()).isEqualTo("api");
  }

  @Test
  void clusterWithoutEndpointsAnswers503AndOnlyThatRoute() throws Exception {
    // Given
    harness.apply(table(4).cluster("empty").cluster("api", api.port())
        .prefix("x.example.com", "/empty", "empty").prefix("x.example.com", "/", "api").build());
    // Then
    assertThat(harness.get("x.example.com", "/empty").status()).isEqualTo(503);
    assertThat(harness.get("x.example.com", "/ok").body()).isEqualTo("api");
  }

  @Test
  void forwardsHostAndForwardedHeadersAndDropsHopByHop() throws Exception {
    // Given
    harness.apply(table(5).cluster("api", api.port()).prefix("h.example.com", "/", "api").build());
    // When
    DataPlaneHarness.Answer answer = harness.get("h.example.com", "/headers");
    // Then
    assertThat(answer.headers())
        .containsEntry("seen-host", "h.example.com")
        .containsEntry("seen-x-forwarded-for", "127.0.0.1")
        .containsEntry("seen-x-forwarded-proto", "http")
        .containsEntry("seen-x-forwarded-host", "h.example.com")
        .containsEntry("x-backend", "api")
        .doesNotContainKey("seen-connection");
  }

  @Test
  void requestBodiesPassThrough() throws Exception {
    // Given
    harness.apply(table(6).cluster("api", api.port()).prefix("b.example.com", "/", "api").build());
    String body = "x".repeat(200_000);
    // When
    DataPlaneHarness.Answer answer = harness.send(HttpMethod.POST, "b.example.com", "/echo", body);
    // Then
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo(body);
  }

  @Test
  void slowBackendGets504AfterTheReadTimeout() throws Exception {
    // Given a route with a 2 s read timeout to a backend that never answers /slow
    harness.apply(table(7).cluster("api", api.port())
        .route("slow.example.com", new PathMatch.Prefix("/"), "api", Timeouts.ofSeconds(2, 60, 5)).build());
    // When
    long started = System.nanoTime();
    DataPlaneHarness.Answer answer = harness.get("slow.example.com", "/slow");
    long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
    // Then: 504, and not before the read timeout
    assertThat(answer.status()).isEqualTo(504);
    assertThat(elapsedMillis).isGreaterThanOrEqualTo(1900);
  }

  @Test
  void backendThatTakesNoRequestDataGets504AfterTheSendTimeout() throws Exception {
    // Given a route with a 2 s send timeout to a backend that never reads /stall's body
    harness.apply(table(11).cluster("api", api.port())
        .route("upload.example.com", new PathMatch.Prefix("/"), "api", Timeouts.ofSeconds(60, 2, 5)).build());
    String body = "u".repeat(64 * 1024 * 1024);
    // When a body far larger than the socket buffers is sent
    long started = System.nanoTime();
    DataPlaneHarness.Answer answer = harness.send(HttpMethod.POST, "upload.example.com", "/stall", body);
    long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
    // Then 504, not before the send timeout (the 60 s read timeout did not fire)
    assertThat(answer.status()).isEqualTo(504);
    assertThat(elapsedMillis).isBetween(1_900L, 50_000L);
  }

  @Test
  void deadEndpointGets502AndTheNextEndpointIsTriedOnce() throws Exception {
    // Given a port that nobody listens on
    int dead = DataPlaneHarness.freePort();
    harness.apply(table(8).cluster("dead", dead).cluster("half", dead, api.port())
        .prefix("dead.example.com", "/", "dead").prefix("half.example.com", "/", "half").build());
    // Then
    assertThat(harness.get("dead.example.com", "/").status()).isEqualTo(502);
    for (int i = 0; i < 4; i++) {
      assertThat(harness.get("half.example.com", "/").body()).isEqualTo("api");
    }
  }

  @Test
  void roundRobinSpreadsOverEndpoints() throws Exception {
    // Given
    harness.apply(table(9).cluster("both", api.port(), web.port()).prefix("rr.example.com", "/", "both").build());
    // When
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 4; i++) {
      seen.add(harness.get("rr.example.com", "/").body());
    }
    // Then
    assertThat(seen).containsExactlyInAnyOrder("api", "web");
  }

  @Test
  void errorAnswerDoesNotStallTheNextRequestOnTheSameKeepAliveConnection() throws Exception {
    // Given one client connection and a route whose only endpoint is dead
    int dead = DataPlaneHarness.freePort();
    harness.apply(table(10).cluster("dead", dead).cluster("api", api.port())
        .prefix("k.example.com", "/dead", "dead").prefix("k.example.com", "/", "api").build());
    HttpClientAgent single = harness.vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(1));
    try {
      // When a 502 comes first and another request follows on the same connection
      int first = status(single, "/dead");
      int second = status(single, "/ok");
      // Then
      assertThat(first).isEqualTo(502);
      assertThat(second).isEqualTo(200);
    } finally {
      single.close();
    }
  }

  private static int status(HttpClientAgent client, String path) throws Exception {
    RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(harness.dataPlane.httpPort())
        .setURI(path).putHeader("host", "k.example.com");
    return DataPlaneHarness.await(harness.onContext(() -> client.request(options).compose(r -> r.send())
        .compose(r -> r.body().map(b -> r.statusCode()))));
  }
}
