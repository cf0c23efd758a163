package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.HashKeyPart;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Scheduler;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** WRR with weights, LEAST_CONN and IP_HASH through the proxy, with real clients and backends. */
class SchedulerTest {

  static DataPlaneHarness harness;
  static TestBackend a;
  static TestBackend b;
  static TestBackend c;
  static long version;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    a = harness.backend("a");
    b = harness.backend("b");
    c = harness.backend("c");
  }

  @AfterAll
  static void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void weightsThreeToOneSplitEightThousandRequests() throws Exception {
    apply(Scheduler.WRR, endpoint(a, 3), endpoint(b, 1));
    Map<String, Integer> counts = count(8000);
    assertShare(counts, "a", 0.75);
    assertShare(counts, "b", 0.25);
  }

  @Test
  void canaryNinetyToTenAsTranslationWeightsIt() throws Exception {
    // stable: two endpoints of weight 90 each (90 × 2/2); canary: one endpoint of weight 20 (10 × 2/1)
    apply(Scheduler.WRR, endpoint(a, 90), endpoint(b, 90), endpoint(c, 20));
    Map<String, Integer> counts = count(8000);
    assertShare(counts, "a", 0.45);
    assertShare(counts, "b", 0.45);
    assertShare(counts, "c", 0.10);
  }

  @Test
  void leastConnSendsNewWebSocketsAwayFromTheEndpointHoldingLongOnes() throws Exception {
    // Given five long WebSockets on a, while a is the only endpoint
    apply(Scheduler.LEAST_CONN, endpoint(a, 1));
    List<WebSocket> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      held.add(harness.webSocket("app.example.com", "/held"));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> a.openWebSockets.get() == 5);
    // When b joins (a new routing table) and five more WebSockets open
    apply(Scheduler.LEAST_CONN, endpoint(a, 1), endpoint(b, 1));
    for (int i = 0; i < 5; i++) {
      held.add(harness.webSocket("app.example.com", "/new"));
    }
    // Then all five went to b: a's open tunnels were counted across the table change
    await().atMost(Duration.ofSeconds(10)).until(() -> b.openWebSockets.get() == 5);
    assertThat(a.openWebSockets.get()).isEqualTo(5);
    for (WebSocket ws : held) {
      DataPlaneHarness.await(ws.close());
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> a.openWebSockets.get() + b.openWebSockets.get() == 0);
  }

  @Test
  void ipHashKeepsEachClientAddressOnOneEndpointAndAnAddedEndpointMovesFew() throws Exception {
    // Given clients bound to 127.0.0.2 … 127.0.0.61, five requests each, over two endpoints
    apply(Scheduler.IP_HASH, endpoint(a, 1), endpoint(b, 1));
    Map<String, String> before = new TreeMap<>();
    for (int host = 2; host < 62; host++) {
      String client = "127.0.0." + host;
      List<String> seen = backendsSeenBy(client, 5);
      assertThat(seen).as("client %s", client).containsOnly(seen.get(0));
      before.put(client, seen.get(0));
    }
    assertThat(before.values()).contains("a", "b");
    // When a third endpoint joins
    apply(Scheduler.IP_HASH, endpoint(a, 1), endpoint(b, 1), endpoint(c, 1));
    int moved = 0;
    for (Map.Entry<String, String> entry : before.entrySet()) {
      String now = backendsSeenBy(entry.getKey(), 1).get(0);
      if (!now.equals(entry.getValue())) {
        moved++;
        // Then a client that moves, moves to the new endpoint only
        assertThat(now).as("client %s moved", entry.getKey()).isEqualTo("c");
      }
    }
    // And about a third of them moved (60 clients: 20 expected; consistent hashing's spread allowed)
    assertThat(moved).isBetween(8, 32);
  }

  /**
   * ingress-nginx's upstream-hash-by: the ring hashes a request value instead of the client's
   * address, so one user (header, cookie, query argument) stays on one endpoint from any address,
   * WebSocket upgrades included, and different users spread.
   */
  @Test
  void aHashKeyOfRequestValuesKeepsEachUserOnOneEndpoint() throws Exception {
    for (String hashBy : List.of("$http_x_user", "user-${cookie_uid}", "$arg_uid", "$host$request_uri")) {
      harness.apply(table(++version).cluster(new Cluster("app", BackendProtocol.HTTP, Scheduler.IP_HASH,
          List.of(endpoint(a, 1), endpoint(b, 1), endpoint(c, 1)), null, hashBy))
          .prefix("app.example.com", "/", "app").build());
      Set<String> spread = new HashSet<>();
      for (int user = 0; user < 30; user++) {
        Set<String> seen = new HashSet<>();
        for (String client : List.of("127.0.0.2", "127.0.0.3")) {
          seen.add(answeredBy(client, user, false));
          seen.add(answeredBy(client, user, true));
        }
        assertThat(seen).as("%s: user %d over HTTP and WebSocket from two addresses", hashBy, user).hasSize(1);
        spread.addAll(seen);
      }
      assertThat(spread).as(hashBy + ": 30 users").hasSizeGreaterThan(1);
    }
    assertThatThrownBy(() -> new Cluster("x", BackendProtocol.HTTP, Scheduler.WRR, List.of(), null, "$http_x"))
        .hasMessageContaining("scheduler is WRR");
    for (String wrong : List.of("$", "${uri", "$upstream_addr", "$http_", "", "a\r\nb")) {
      assertThatThrownBy(() -> HashKeyPart.parse(wrong)).as(wrong).isInstanceOf(IllegalArgumentException.class);
    }
  }

  /** The backend that answers user {@code user}'s request (or WebSocket upgrade) from {@code clientAddress}. */
  private static String answeredBy(String clientAddress, int user, boolean webSocket) throws Exception {
    String uri = "/u/" + user + "?uid=" + user;
    if (webSocket) {
      var client = harness.vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions()
          .setLocalAddress(clientAddress));
      try {
        var ws = DataPlaneHarness.await(harness.onContext(() -> client.connect(new io.vertx.core.http.WebSocketConnectOptions()
            .setHost("127.0.0.1").setPort(harness.dataPlane.httpPort()).setURI(uri).putHeader("host", "app.example.com")
            .putHeader("x-user", "u" + user).putHeader("cookie", "uid=" + user))));
        String echo = DataPlaneHarness.exchange(ws, "who");
        DataPlaneHarness.await(ws.close());
        return echo.substring(0, echo.indexOf(':'));
      } finally {
        DataPlaneHarness.await(client.close());
      }
    }
    HttpClientAgent client = harness.vertx.createHttpClient(new HttpClientOptions().setLocalAddress(clientAddress));
    try {
      return DataPlaneHarness.await(harness.onContext(() -> client.request(request().setURI(uri)
              .putHeader("x-user", "u" + user).putHeader("cookie", "uid=" + user))
          .compose(r -> r.send()).compose(r -> r.body()).map(Object::toString)));
    } finally {
      DataPlaneHarness.await(client.close());
    }
  }

  private static List<String> backendsSeenBy(String clientAddress, int requests) throws Exception {
    HttpClientAgent client = harness.vertx.createHttpClient(new HttpClientOptions().setLocalAddress(clientAddress));
    try {
      List<String> seen = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        seen.add(DataPlaneHarness.await(harness.onContext(() -> client.request(request())
            .compose(r -> r.send()).compose(r -> r.body()).map(Object::toString))));
      }
      return seen;
    } finally {
      DataPlaneHarness.await(client.close());
    }
  }

  private static RequestOptions request() {
    return new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(harness.dataPlane.httpPort())
        .setURI("/").putHeader("host", "app.example.com");
  }

  /** Sends requests, 50 at a time, and counts the backends that answered. */
  private static Map<String, Integer> count(int requests) throws Exception {
    Map<String, Integer> counts = new HashMap<>();
    for (int sent = 0; sent < requests; sent += 50) {
      List<Future<String>> batch = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        batch.add(harness.onContext(() -> harness.http.request(request())
            .compose(r -> r.send()).compose(r -> r.body()).map(Object::toString)));
      }
      for (Future<String> answer : batch) {
        counts.merge(DataPlaneHarness.await(answer), 1, Integer::sum);
      }
    }
    return counts;
  }

  private static void assertShare(Map<String, Integer> counts, String backend, double expected) {
    int total = counts.values().stream().mapToInt(Integer::intValue).sum();
    assertThat(counts.getOrDefault(backend, 0) / (double) total).as("share of %s in %s", backend, counts)
        .isCloseTo(expected, org.assertj.core.data.Offset.offset(0.03));
  }

  private static Endpoint endpoint(TestBackend backend, int weight) {
    return new Endpoint("127.0.0.1", backend.port(), weight);
  }

  private static void apply(Scheduler scheduler, Endpoint... endpoints) {
    RoutingTable table = table(++version)
        .cluster(new Cluster("app", BackendProtocol.HTTP, scheduler, List.of(endpoints)))
        .prefix("app.example.com", "/", "app").build();
    harness.apply(table);
  }
}
