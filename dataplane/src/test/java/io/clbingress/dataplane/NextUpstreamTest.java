package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Retry;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.Timeouts;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A failed try passed on to the next endpoint (ingress-nginx's {@code proxy-next-upstream},
 * {@code -tries}, {@code -timeout}; the table's {@link Retry}), over HTTP/1.1 (the Netty engine)
 * and h2 (the Vert.x engine): which failures pass a request on, that each endpoint is tried once,
 * that a request whose body went out or whose method is not idempotent stays where it failed, and
 * what the client receives when every try failed.
 */
class NextUpstreamTest {

  static DataPlaneHarness harness;
  static HttpClientAgent h2;
  private final List<ScriptedBackend> backends = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    h2 = harness.h2;
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  @AfterEach
  void closeBackends() throws Exception {
    for (ScriptedBackend backend : backends) {
      backend.close();
    }
  }

  /** A backend that counts the requests it got and answers each with {@code status}, its name in the body. */
  private ScriptedBackend answering(int status, String name, AtomicInteger count) throws Exception {
    return backend((socket, head) -> {
      count.incrementAndGet();
      ScriptedBackend.write(socket, "HTTP/1.1 " + status + " X\r\nContent-Length: " + name.length()
          + "\r\nConnection: close\r\n\r\n" + name);
    });
  }

  private ScriptedBackend backend(ScriptedBackend.Script script) throws Exception {
    ScriptedBackend backend = new ScriptedBackend(script);
    backends.add(backend);
    return backend;
  }

  /** Routes {@code retry.test} to the ports, in this order, with {@code retry} (none when null). */
  private static void route(Retry retry, Timeouts timeouts, int... ports) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (int port : ports) {
      endpoints.add(new Endpoint("127.0.0.1", port));
    }
    Route route = new Route(PathMatch.Prefix.of("/"), "flaky", timeouts, "test", false, null,
        retry == null ? List.of() : List.of(retry));
    harness.apply(table(System.nanoTime()).cluster(new Cluster("flaky", BackendProtocol.HTTP, Scheduler.WRR, endpoints))
        .route("retry.test", route).overHttpsToo().build());
  }

  private static Retry on503(int attempts) {
    return new Retry(attempts, List.of(Retry.On.ERROR, Retry.On.TIMEOUT), List.of(503), 0);
  }

  private static RawHttp.Reply get() throws Exception {
    return RawHttp.exchange(harness.dataPlane.httpPort(), "GET /x HTTP/1.1\r\nHost: retry.test\r\nConnection: close\r\n\r\n",
        15_000);
  }

  /** A bodiless request over h2 (a POST says so with content-length: 0). */
  private static String[] h2(HttpMethod method) throws Exception {
    int port = harness.dataPlane.httpsPort();
    return DataPlaneHarness.await(harness.onContext(() -> h2.request(new RequestOptions().setHost("127.0.0.1")
            .setPort(port).setMethod(method).setURI("/x").putHeader("content-length", "0"))
        .compose(request -> request.authority(HostAndPort.create("retry.test", port)).send())
        .compose(response -> response.body().map(body -> new String[] {String.valueOf(response.statusCode()),
            body.toString()}))));
  }

  @Test
  void a503IsPassedOnToTheNextEndpointOverHttp1AndH2() throws Exception {
    AtomicInteger failing = new AtomicInteger();
    AtomicInteger working = new AtomicInteger();
    route(on503(2), Tables.DEFAULT_TIMEOUTS, answering(503, "down", failing).port(), answering(200, "up", working).port());
    for (int i = 0; i < 4; i++) {
      RawHttp.Reply reply = get();
      assertThat(reply.status()).as("HTTP/1.1 request %d", i).isEqualTo(200);
      assertThat(reply.text()).endsWith("up");
      assertThat(h2(HttpMethod.GET)).as("h2 request %d", i).containsExactly("200", "up");
    }
    assertThat(failing.get()).as("the endpoint answering 503 was tried, and its answers went on").isPositive();
    assertThat(working.get()).isEqualTo(8);
  }

  @Test
  void everyEndpointIsTriedOnceAndTheLastAnswerIsRelayed() throws Exception {
    AtomicInteger count = new AtomicInteger();
    route(on503(10), Tables.DEFAULT_TIMEOUTS, answering(503, "a", count).port(), answering(503, "b", count).port(),
        answering(503, "c", count).port());
    RawHttp.Reply reply = get();
    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.text()).as("the backend's own answer, body and all").matches("(?s).*\r\n\r\n[abc]");
    assertThat(count.get()).as("three endpoints, each once").isEqualTo(3);
    count.set(0);
    assertThat(h2(HttpMethod.GET)[0]).isEqualTo("503");
    assertThat(count.get()).isEqualTo(3);
  }

  @Test
  void attemptsBoundTheTries() throws Exception {
    AtomicInteger count = new AtomicInteger();
    route(on503(1), Tables.DEFAULT_TIMEOUTS, answering(503, "a", count).port(), answering(503, "b", count).port(),
        answering(503, "c", count).port());
    assertThat(get().status()).isEqualTo(503);
    assertThat(count.get()).as("one try and one more (nginx's proxy-next-upstream-tries: 2)").isEqualTo(2);
  }

  @Test
  void withoutTheFilterA503IsRelayedAsItIs() throws Exception {
    AtomicInteger failing = new AtomicInteger();
    AtomicInteger working = new AtomicInteger();
    route(null, Tables.DEFAULT_TIMEOUTS, answering(503, "down", failing).port(), answering(200, "up", working).port());
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      statuses.add(get().status());
    }
    assertThat(statuses).as("round robin over an endpoint that answers 503 and one that works").contains(503, 200);
    assertThat(failing.get() + working.get()).isEqualTo(4);
  }

  @Test
  void aNonIdempotentRequestStaysWhereItFailedUnlessAllowed() throws Exception {
    AtomicInteger count = new AtomicInteger();
    int a = answering(503, "a", count).port();
    int b = answering(503, "b", count).port();
    route(on503(1), Tables.DEFAULT_TIMEOUTS, a, b);
    String post = "POST /x HTTP/1.1\r\nHost: retry.test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    assertThat(RawHttp.exchange(harness.dataPlane.httpPort(), post, 15_000).status()).isEqualTo(503);
    assertThat(count.get()).as("a POST that reached an endpoint is not sent again").isEqualTo(1);
    count.set(0);
    assertThat(h2(HttpMethod.POST)[0]).isEqualTo("503");
    assertThat(count.get()).as("h2").isEqualTo(1);
    count.set(0);
    route(new Retry(1, List.of(Retry.On.NON_IDEMPOTENT), List.of(503), 0), Tables.DEFAULT_TIMEOUTS, a, b);
    assertThat(RawHttp.exchange(harness.dataPlane.httpPort(), post, 15_000).status()).isEqualTo(503);
    assertThat(count.get()).as("non_idempotent: passed on").isEqualTo(2);
    count.set(0);
    assertThat(h2(HttpMethod.POST)[0]).isEqualTo("503");
    assertThat(count.get()).as("non_idempotent over h2").isEqualTo(2);
  }

  @Test
  void aRequestWhoseBodyWentOutIsNotSentAgain() throws Exception {
    AtomicInteger count = new AtomicInteger();
    route(new Retry(1, List.of(Retry.On.NON_IDEMPOTENT), List.of(503), 0), Tables.DEFAULT_TIMEOUTS,
        answering(503, "a", count).port(), answering(503, "b", count).port());
    assertThat(RawHttp.exchange(harness.dataPlane.httpPort(),
        "PUT /x HTTP/1.1\r\nHost: retry.test\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello", 15_000).status())
        .isEqualTo(503);
    assertThat(count.get()).as("the body streamed out and was not kept").isEqualTo(1);
  }

  @Test
  void aConnectionLostBeforeTheAnswerIsPassedOnWithError() throws Exception {
    AtomicInteger lost = new AtomicInteger();
    AtomicInteger working = new AtomicInteger();
    ScriptedBackend resetting = backend((socket, head) -> {
      lost.incrementAndGet();
      ScriptedBackend.reset(socket);
    });
    int up = answering(200, "up", working).port();
    route(new Retry(1, List.of(Retry.On.ERROR), List.of(), 0), Tables.DEFAULT_TIMEOUTS, resetting.port(), up);
    for (int i = 0; i < 4; i++) {
      assertThat(get().status()).as("request %d", i).isEqualTo(200);
      assertThat(h2(HttpMethod.GET)[0]).as("h2 request %d", i).isEqualTo("200");
    }
    assertThat(lost.get()).isPositive();
    // another resetting endpoint, whose passive health has seen nothing yet
    ScriptedBackend alsoResetting = backend((socket, head) -> ScriptedBackend.reset(socket));
    route(new Retry(1, List.of(Retry.On.TIMEOUT), List.of(), 0), Tables.DEFAULT_TIMEOUTS, alsoResetting.port(), up);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      statuses.add(get().status());
    }
    assertThat(statuses).as("timeout alone does not pass a reset on").contains(502);
  }

  @Test
  void anInvalidHeadIsPassedOnWithInvalidHeader() throws Exception {
    AtomicInteger garbled = new AtomicInteger();
    AtomicInteger working = new AtomicInteger();
    ScriptedBackend garbling = backend((socket, head) -> {
      garbled.incrementAndGet();
      ScriptedBackend.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello");
    });
    route(new Retry(1, List.of(Retry.On.INVALID_HEADER), List.of(), 0), Tables.DEFAULT_TIMEOUTS, garbling.port(),
        answering(200, "up", working).port());
    for (int i = 0; i < 4; i++) {
      assertThat(get().status()).as("request %d", i).isEqualTo(200);
      assertThat(h2(HttpMethod.GET)[0]).as("h2 request %d", i).isEqualTo("200");
    }
    assertThat(garbled.get()).isPositive();
  }

  @Test
  void aSilentEndpointIsPassedOnWithTimeoutWithinTheBudgetOnly() throws Exception {
    AtomicInteger silent = new AtomicInteger();
    AtomicInteger working = new AtomicInteger();
    ScriptedBackend mute = backend((socket, head) -> {
      silent.incrementAndGet();
      while (socket.getInputStream().read() >= 0) {
        // never answers; waits for the proxy to give up and close
      }
    });
    int up = answering(200, "up", working).port();
    Timeouts oneSecond = new Timeouts(1000, 60_000, 5000);
    route(new Retry(1, List.of(Retry.On.TIMEOUT), List.of(), 0), oneSecond, mute.port(), up);
    // round robin over two endpoints: the silent one comes within a few requests
    for (int i = 0; i < 4 && silent.get() == 0; i++) {
      assertThat(get().status()).isEqualTo(200);
    }
    assertThat(silent.get()).as("the silent endpoint was tried").isPositive();
    silent.set(0);
    // a budget shorter than the read timeout: the silent try used it up, so no second one
    route(new Retry(1, List.of(Retry.On.TIMEOUT), List.of(), 1), oneSecond, mute.port(), up);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 4 && silent.get() == 0; i++) {
      statuses.add(get().status());
    }
    assertThat(statuses).as("the request that met the silent endpoint").endsWith(504);
  }

  /** A sticky client whose request was passed on gets a session on the endpoint that answered. */
  @Test
  void aStickyClientPassedOnIsStuckToTheEndpointThatAnswered() throws Exception {
    AtomicInteger failing = new AtomicInteger();
    AtomicInteger working = new AtomicInteger();
    List<Endpoint> endpoints = List.of(new Endpoint("127.0.0.1", answering(503, "down", failing).port()),
        new Endpoint("127.0.0.1", answering(200, "up", working).port()));
    Route sticky = new Route(PathMatch.Prefix.of("/"), "flaky", Tables.DEFAULT_TIMEOUTS, "test", false, 3600,
        List.of(on503(1)));
    harness.apply(table(System.nanoTime()).cluster(new Cluster("flaky", BackendProtocol.HTTP, Scheduler.WRR, endpoints))
        .route("retry.test", sticky).build());
    for (int i = 0; i < 4; i++) {
      RawHttp.Reply first = get();
      assertThat(first.status()).isEqualTo(200);
      String cookie = first.header("set-cookie");
      assertThat(cookie).as("a new session, request %d", i).startsWith("clb_session=");
      int failuresBefore = failing.get();
      for (int j = 0; j < 3; j++) {
        RawHttp.Reply again = RawHttp.exchange(harness.dataPlane.httpPort(), "GET /x HTTP/1.1\r\nHost: retry.test\r\n"
            + "Cookie: " + cookie.substring(0, cookie.indexOf(';')) + "\r\nConnection: close\r\n\r\n", 15_000);
        assertThat(again.text()).endsWith("up");
      }
      assertThat(failing.get()).as("the session's endpoint is the one that answered, not the one that failed")
          .isEqualTo(failuresBefore);
    }
    assertThat(failing.get()).as("first picks that failed and were passed on").isPositive();
  }

  @Test
  void offTriesAFailedConnectNowhereElse() throws Exception {
    int closed;
    try (ServerSocket unused = new ServerSocket(0)) {
      closed = unused.getLocalPort();
    }
    AtomicInteger working = new AtomicInteger();
    int up = answering(200, "up", working).port();
    route(new Retry(0, List.of(), List.of(), 0), Tables.DEFAULT_TIMEOUTS, closed, up);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      statuses.add(get().status());
    }
    assertThat(statuses).as("proxy-next-upstream: off").contains(502);
    route(null, Tables.DEFAULT_TIMEOUTS, closed, up);
    for (int i = 0; i < 4; i++) {
      assertThat(get().status()).as("by default a failed connect goes on, request %d", i).isEqualTo(200);
    }
  }
}
