package io.clbingress.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.ErrorPages;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.Retry;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RouteFilter;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.Timeouts;
import io.clbingress.dataplane.table.VirtualHost;
import io.clbingress.dataplane.upstream.EndpointLoad;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile and unusual inputs for the Retry (proxy-next-upstream) and ErrorPages
 * (custom-http-errors + default-backend) route filters, over both engines: HTTP/1.x (Netty) on the
 * plain listener and h2 (Vert.x) on the TLS listener.
 */
class RetryAndErrorPagesHostileTest {

  static DataPlaneHarness harness;
  static HttpClientAgent h2;
  static long version = 1;
  private final List<Backend> backends = new ArrayList<>();

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
    for (Backend backend : backends) {
      backend.close();
    }
  }

  // ---------------------------------------------------------------- helpers

  /** What a backend does with one request on a connection; false closes the connection. */
  interface Handler {
    boolean handle(Socket socket, String head, int onConnection) throws Exception;
  }

  /**
   * A byte-level backend: one thread per connection, many requests per connection (keep-alive),
   * request bodies (Content-Length or chunked) read before the handler runs unless told not to.
   */
  static final class Backend implements AutoCloseable {
    final List<String> heads = new CopyOnWriteArrayList<>();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger closedByProxy = new AtomicInteger();
    final List<String> bodies = new CopyOnWriteArrayList<>();
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    Backend(boolean readBodies, Handler handler) throws IOException {
      server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket socket = server.accept();
            connections.incrementAndGet();
            open.add(socket);
            Thread serve = new Thread(() -> serve(socket, readBodies, handler), "hostile-backend-conn");
            serve.setDaemon(true);
            serve.start();
          } catch (IOException closed) {
            return;
          }
        }
      }, "hostile-backend");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private void serve(Socket socket, boolean readBodies, Handler handler) {
      try (socket) {
        InputStream in = socket.getInputStream();
        for (int n = 0; ; n++) {
          String head = RawHttp.readHead(in);
          if (!head.endsWith("\r\n\r\n")) {
            return;
          }
          heads.add(head);
          requests.incrementAndGet();
          if (readBodies) {
            bodies.add(readBody(in, head));
          }
          if (!handler.handle(socket, head, n)) {
            return;
          }
        }
      } catch (Exception e) {
        // the proxy went away
      } finally {
        open.remove(socket);
      }
    }

    int port() {
      return server.getLocalPort();
    }

    String lastHead() {
      return heads.isEmpty() ? "" : heads.get(heads.size() - 1);
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket socket : open) {
        socket.close();
      }
    }
  }

  static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  static String readBody(InputStream in, String head) throws IOException {
    String length = header(head, "Content-Length");
    if (length != null) {
      return new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.ISO_8859_1);
    }
    String te = header(head, "Transfer-Encoding");
    if (te == null || !te.toLowerCase(Locale.ROOT).contains("chunked")) {
      return "";
    }
    StringBuilder body = new StringBuilder();
    while (true) {
      String sizeLine = readLine(in);
      int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
      if (size == 0) {
        while (!readLine(in).isEmpty()) {
          // trailers
        }
        return body.toString();
      }
      body.append(new String(in.readNBytes(size), StandardCharsets.ISO_8859_1));
      readLine(in);
    }
  }

  static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c >= 0; c = in.read()) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  Backend backend(Handler handler) throws IOException {
    return backend(true, handler);
  }

  Backend backend(boolean readBodies, Handler handler) throws IOException {
    Backend backend = new Backend(readBodies, handler);
    backends.add(backend);
    return backend;
  }

  static void write(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** A backend answering every request {@code status} with {@code body}, keep-alive. */
  Backend answering(int status, String body) throws IOException {
    return backend((socket, head, n) -> {
      write(socket, "HTTP/1.1 " + status + " X\r\nContent-Length: " + body.length() + "\r\n\r\n"
          + (head.startsWith("HEAD ") ? "" : body));
      return true;
    });
  }

  /** A backend that reads the request and never answers, until the proxy closes. */
  Backend silent() throws IOException {
    return backend((socket, head, n) -> {
      while (socket.getInputStream().read() >= 0) {
        // silent
      }
      return false;
    });
  }

  /** An error backend echoing X-Code as its status with a page naming what it got. */
  Backend pages() throws IOException {
    return backend((socket, head, n) -> {
      String code = header(head, "X-Code");
      String page = "page code=" + code + " method=" + head.substring(0, head.indexOf(' ')) + " original="
          + header(head, "X-Original-URI");
      write(socket, "HTTP/1.1 " + (code == null ? "200" : code) + " X\r\nContent-Type: text/plain\r\nContent-Length: "
          + page.length() + "\r\n\r\n" + (head.startsWith("HEAD ") ? "" : page));
      return true;
    });
  }

  static Cluster cluster(String name, Scheduler scheduler, int... ports) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (int port : ports) {
      endpoints.add(new Endpoint("127.0.0.1", port));
    }
    return new Cluster(name, BackendProtocol.HTTP, scheduler, endpoints);
  }

  static Route route(String cluster, Timeouts timeouts, RouteFilter... filters) {
    return new Route(PathMatch.Prefix.of("/"), cluster, timeouts, "test", false, null, List.of(filters));
  }

  /** Applies {@code host} → {@code route} on the HTTP and HTTPS listeners, with an optional default route. */
  static void apply(String host, Route route, Route defaultRoute, Cluster... clusters) {
    List<VirtualHost> hosts = List.of(new VirtualHost(host, List.of(route)));
    List<Listener> listeners = List.of(
        new Listener("default-http", Protocol.HTTP, Listener.PORT_FROM_FLAGS, hosts, defaultRoute),
        new Listener("default-https", Protocol.HTTPS, Listener.PORT_FROM_FLAGS, hosts, defaultRoute));
    harness.apply(TableCodec.stamp(RoutingTable.unpublished(listeners, List.of(clusters)), version++));
  }

  static void apply(String host, Route route, Cluster... clusters) {
    apply(host, route, null, clusters);
  }

  /** {@code host} routed to {@code app}, whose answers of {@code code} get the pages of {@code pages}. */
  static void applyPages(String host, int code, Backend app, Backend pages) {
    apply(host, route("app", Tables.DEFAULT_TIMEOUTS, new ErrorPages("pages", List.of(code), List.of())),
        cluster("app", Scheduler.WRR, app.port()), cluster("pages", Scheduler.WRR, pages.port()));
  }

  static Retry retryOn(List<Retry.On> on, int attempts, Integer... codes) {
    return new Retry(attempts, on, List.of(codes), 0);
  }

  /** The data plane's open-request counters, per endpoint ("127.0.0.1:port"). */
  @SuppressWarnings("unchecked")
  static int load(int port) throws Exception {
    Field field = DataPlane.class.getDeclaredField("load");
    field.setAccessible(true);
    EndpointLoad load = (EndpointLoad) field.get(harness.dataPlane);
    Field active = EndpointLoad.class.getDeclaredField("active");
    active.setAccessible(true);
    Map<String, AtomicInteger> counters = (Map<String, AtomicInteger>) active.get(load);
    int sum = 0;
    for (Map.Entry<String, AtomicInteger> entry : counters.entrySet()) {
      if (entry.getKey().endsWith(":" + port)) {
        sum += entry.getValue().get();
      }
    }
    return sum;
  }

  static void awaitNoLoad(int... ports) {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      for (int port : ports) {
        assertThat(load(port)).as("open requests counted on endpoint port %d", port).isZero();
      }
    });
  }

  static RawHttp.Reply http1(String request) throws IOException {
    return RawHttp.exchange(harness.dataPlane.httpPort(), request, 15_000);
  }

  static RawHttp.Reply get(String host, String path) throws IOException {
    return http1("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
  }

  static String body(RawHttp.Reply reply) {
    int at = reply.text().indexOf("\r\n\r\n");
    return at < 0 ? "" : reply.text().substring(at + 4);
  }

  record H2(int status, String body) {
  }

  static H2 h2(String host, HttpMethod method, String uri, String body) throws Exception {
    int port = harness.dataPlane.httpsPort();
    return DataPlaneHarness.await(harness.onContext(() -> h2.request(new RequestOptions().setHost("127.0.0.1")
            .setPort(port).setMethod(method).setURI(uri))
        .compose(request -> {
          request.authority(HostAndPort.create(host, port));
          return body == null ? request.send() : request.send(body);
        })
        .compose(response -> response.body().map(b -> new H2(response.statusCode(), b.toString())))));
  }

  /** A backend that answers every request with these bytes, keeping the connection open when {@code keepOpen}. */
  Backend writing(String answer, boolean keepOpen) throws IOException {
    return backend((socket, head, n) -> {
      write(socket, answer);
      return keepOpen;
    });
  }

  /** A backend that answers a PUT with 503 before reading its body (and closes), anything else with 200 "ok". */
  Backend failingPuts() throws IOException {
    return backend(false, (socket, head, n) -> {
      if (head.startsWith("PUT ")) {
        write(socket, "HTTP/1.1 503 X\r\nContent-Length: 4\r\nConnection: close\r\n\r\ndown");
        return false;
      }
      write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      return true;
    });
  }

  /** A backend that counts down {@code reached} when a request comes, never answers, and counts down {@code released} when the proxy closes. */
  Backend silent(CountDownLatch reached, CountDownLatch released) throws IOException {
    return backend((socket, head, n) -> {
      reached.countDown();
      while (socket.getInputStream().read() >= 0) {
        // silent until the proxy closes
      }
      released.countDown();
      return false;
    });
  }

  /** An h2 GET /x to {@code host} sent and not awaited (a test resets it), failures ignored. */
  static HttpClientRequest h2Started(String host) throws Exception {
    int port = harness.dataPlane.httpsPort();
    return DataPlaneHarness.await(harness.onContext(() -> h2.request(new RequestOptions()
        .setHost("127.0.0.1").setPort(port).setMethod(HttpMethod.GET).setURI("/x"))
        .map(r -> {
          r.authority(HostAndPort.create(host, port));
          r.exceptionHandler(e -> { });
          r.response().onFailure(e -> { });
          r.end();
          return r;
        })));
  }

  static List<String> errors(LogCapture log) {
    return log.lines().stream().filter(line -> line.startsWith("ERROR")).toList();
  }

  /** ERROR lines other than Vert.x's "Stream reset: 0", which h2RetriesAndPagesLogNoErrors is about. */
  static List<String> otherErrors(LogCapture log) {
    return errors(log).stream().filter(line -> !line.equals("ERROR HttpClientResponseImpl Stream reset: 0")).toList();
  }

  // ---------------------------------------------------------------- stale keep-alive connections

  /**
   * The endpoint a request is passed on to has a pooled keep-alive connection that it closed just
   * as the proxy reused it: the proxy sends a bodiless GET again on a new connection (as it does
   * without a retry; nginx retries a cached connection's error without counting a try).
   */
  @Test
  void http1StaleKeepAliveOnTheNextEndpointIsReplayedAfterARetry() throws Exception {
    Backend notHere = answering(404, "not here");
    try (OneShotBackend oneShot = new OneShotBackend(OneShotBackend.Ending.FIN)) {
      apply("stale.test", route("c", Tables.DEFAULT_TIMEOUTS, retryOn(List.of(), 1, 404)),
          cluster("c", Scheduler.WRR, notHere.port(), oneShot.port()));
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        statuses.add(get("stale.test", "/x" + i).status());
      }
      assertThat(statuses).as("every GET ends on the working endpoint (received: %s)", oneShot.received)
          .containsOnly(200);
    }
  }

  /** The error backend's pooled connection is stale when the page is fetched: the page comes anyway, on both engines. */
  @Test
  void aStaleKeepAliveToTheErrorBackendStillGivesThePage() throws Exception {
    for (boolean overH2 : new boolean[] {false, true}) {
      Backend app = answering(404, "app 404");
      try (OneShotBackend oneShot = new OneShotBackend(OneShotBackend.Ending.FIN)) {
        String host = overH2 ? "stalepage2.test" : "stalepage.test";
        apply(host, route("app", Tables.DEFAULT_TIMEOUTS, new ErrorPages("pages", List.of(404), List.of())),
            cluster("app", Scheduler.WRR, app.port()), cluster("pages", Scheduler.WRR, oneShot.port()));
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          bodies.add(overH2 ? h2(host, HttpMethod.GET, "/x" + i, null).body() : body(get(host, "/x" + i)));
        }
        assertThat(bodies).as("h2 %s: the error backend's page each time (received: %s)", overH2, oneShot.received)
            .containsOnly("ok");
      }
    }
  }

  // ---------------------------------------------------------------- clients that leave

  /** How a client leaves while its request waits. */
  enum Leaving { HTTP1_CLOSE, HTTP1_RESET, H2_STREAM_RESET }

  /**
   * A client that leaves while its request waits on a silent backend (after a retry, or for an
   * error page): the backend connection closes, every endpoint's load is back to 0, no ERROR line.
   *
   * @param filter the route's Retry or ErrorPages; its cluster {@code c} is {@code first} then the
   *     silent one for a Retry, {@code first} with the silent one as error backend {@code pages} else
   */
  private void assertLeavingReleasesEverything(String host, RouteFilter filter, Leaving leaving) throws Exception {
    Backend first = answering(503, "down");
    CountDownLatch reached = new CountDownLatch(1);
    CountDownLatch released = new CountDownLatch(1);
    Backend mute = silent(reached, released);
    if (filter instanceof Retry) {
      // RR: the first request of a new picker goes to endpoint 0 (503), then the silent one
      apply(host, route("c", Tables.DEFAULT_TIMEOUTS, filter), cluster("c", Scheduler.WRR, first.port(), mute.port()));
    } else {
      apply(host, route("c", Tables.DEFAULT_TIMEOUTS, filter), cluster("c", Scheduler.WRR, first.port()),
          cluster("pages", Scheduler.WRR, mute.port()));
    }
    try (LogCapture log = new LogCapture()) {
      if (leaving == Leaving.H2_STREAM_RESET) {
        HttpClientRequest request = h2Started(host);
        assertThat(reached.await(10, TimeUnit.SECONDS)).as("the request reached the silent backend").isTrue();
        DataPlaneHarness.await(harness.onContext(() -> request.reset()));
      } else {
        Socket client = new Socket("127.0.0.1", harness.dataPlane.httpPort());
        client.getOutputStream().write(("GET /x HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(reached.await(10, TimeUnit.SECONDS)).as("the request reached the silent backend").isTrue();
        if (leaving == Leaving.HTTP1_RESET) {
          client.setSoLinger(true, 0);
        }
        client.close();
      }
      assertThat(released.await(10, TimeUnit.SECONDS)).as("the backend connection closed (%s)", leaving).isTrue();
      awaitNoLoad(first.port(), mute.port());
      assertThat(otherErrors(log)).as("no ERROR lines").isEmpty();
    }
  }

  @Test
  void http1ClientLeavingDuringARetryReleasesTheEndpointsAndTheBackendConnection() throws Exception {
    assertLeavingReleasesEverything("leave.test", retryOn(List.of(Retry.On.TIMEOUT), 2, 503), Leaving.HTTP1_CLOSE);
    assertLeavingReleasesEverything("leave-reset.test", retryOn(List.of(Retry.On.TIMEOUT), 2, 503), Leaving.HTTP1_RESET);
  }

  @Test
  void h2ClientResettingDuringARetryReleasesTheEndpointsAndTheBackendConnection() throws Exception {
    assertLeavingReleasesEverything("leave2.test", retryOn(List.of(Retry.On.TIMEOUT), 2, 503), Leaving.H2_STREAM_RESET);
  }

  @Test
  void http1ClientLeavingDuringAnErrorPageFetchReleasesEverything() throws Exception {
    assertLeavingReleasesEverything("leavepage.test", new ErrorPages("pages", List.of(503), List.of()),
        Leaving.HTTP1_RESET);
  }

  @Test
  void h2ClientResettingDuringAnErrorPageFetchReleasesEverything() throws Exception {
    assertLeavingReleasesEverything("leavepage2.test", new ErrorPages("pages", List.of(503), List.of()),
        Leaving.H2_STREAM_RESET);
  }

  // ---------------------------------------------------------------- misbehaving error backends

  /** An error backend answering a listed code itself: relayed as it is, no second page (nginx: recursive_error_pages off). */
  @Test
  void anErrorBackendAnsweringAListedCodeIsRelayedAsItIs() throws Exception {
    Backend app = answering(503, "down");
    Backend pages = pages(); // echoes X-Code: answers 503 itself
    applyPages("loop.test", 503, app, pages);
    RawHttp.Reply reply = get("loop.test", "/a");
    assertThat(reply.status()).isEqualTo(503);
    assertThat(body(reply)).isEqualTo("page code=503 method=GET original=/a");
    assertThat(h2("loop.test", HttpMethod.GET, "/a", null)).isEqualTo(new H2(503, "page code=503 method=GET original=/a"));
    assertThat(pages.requests.get()).as("one page fetch per request").isEqualTo(2);
  }

  /** A 101 from the error backend is no page: the proxy's own answer with the original status. */
  @Test
  void http1AnErrorBackendAnswering101GivesTheOriginalStatus() throws Exception {
    Backend app = answering(404, "nope");
    Backend switching = writing("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", true);
    applyPages("switch.test", 404, app, switching);
    RawHttp.Reply reply = get("switch.test", "/a");
    assertThat(reply.status()).as("the original status: the error backend could not answer").isEqualTo(404);
  }

  @Test
  void h2AnErrorBackendAnswering101GivesTheOriginalStatus() throws Exception {
    Backend app = answering(404, "nope");
    Backend switching = writing("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", true);
    applyPages("switch2.test", 404, app, switching);
    try (LogCapture log = new LogCapture()) {
      H2 answer = h2("switch2.test", HttpMethod.GET, "/a", null);
      assertThat(answer.status()).as("the original status: the error backend could not answer").isEqualTo(404);
      assertThat(errors(log)).isEmpty();
    }
  }

  @Test
  void anErrorBackendResettingMidPageBreaksTheAnswerOff() throws Exception {
    Backend app = answering(404, "nope");
    Backend breaking = backend((socket, head, n) -> {
      write(socket, "HTTP/1.1 404 X\r\nContent-Length: 100\r\n\r\npartial");
      socket.setSoLinger(true, 0);
      return false;
    });
    applyPages("break.test", 404, app, breaking);
    // keep-alive request: the client must see its connection closed, not a 100-byte body completed
    RawHttp.Reply reply = http1("GET /a HTTP/1.1\r\nHost: break.test\r\n\r\n");
    assertThat(reply.closedByServer()).as("connection closed after the broken page").isTrue();
    assertThat(body(reply).length()).as("no more than the page's bytes that came").isLessThan(100);
    Throwable failure = DataPlaneHarness.awaitFailure(harness.onContext(() -> {
      int port = harness.dataPlane.httpsPort();
      return h2.request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/a"))
          .compose(r -> r.authority(HostAndPort.create("break.test", port)).send())
          .compose(r -> r.body());
    }));
    assertThat(failure).as("h2: the stream is reset, not ended").isNotNull();
    awaitNoLoad(app.port(), breaking.port());
  }

  @Test
  void aChunkedPageThenKeepAliveAndPipelinedRequestsGoOn() throws Exception {
    Backend app = backend((socket, head, n) -> {
      String path = head.substring(head.indexOf(' ') + 1, head.indexOf(" HTTP/"));
      int status = path.startsWith("/s/") ? Integer.parseInt(path.substring(3)) : 200;
      String body = "app " + status;
      write(socket, "HTTP/1.1 " + status + " X\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
      return true;
    });
    Backend chunked = writing("HTTP/1.1 404 X\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nchunk\r\n6\r\ned-pag\r\n1\r\ne\r\n0\r\n\r\n", true);
    applyPages("chunk.test", 404, app, chunked);
    // three pipelined requests in one write, the middle one replaced by a chunked page, then close
    RawHttp.Reply reply = http1("GET /s/200 HTTP/1.1\r\nHost: chunk.test\r\n\r\n"
        + "GET /s/404 HTTP/1.1\r\nHost: chunk.test\r\n\r\n"
        + "GET /s/201 HTTP/1.1\r\nHost: chunk.test\r\nConnection: close\r\n\r\n");
    assertThat(reply.statuses()).containsExactly(200, 404, 201);
    assertThat(reply.text()).contains("app 200").contains("5\r\nchunk\r\n6\r\ned-pag\r\n1\r\ne\r\n0\r\n\r\n")
        .contains("app 201");
    assertThat(h2("chunk.test", HttpMethod.GET, "/s/404", null)).isEqualTo(new H2(404, "chunked-page"));
  }

  @Test
  void pipelinedRequestsAfterARetryAreAnsweredInOrder() throws Exception {
    Backend down = answering(503, "down");
    Backend up = backend((socket, head, n) -> {
      String path = head.substring(head.indexOf(' ') + 1, head.indexOf(" HTTP/"));
      write(socket, "HTTP/1.1 200 OK\r\nContent-Length: " + path.length() + "\r\n\r\n" + path);
      return true;
    });
    apply("pipe.test", route("c", Tables.DEFAULT_TIMEOUTS, retryOn(List.of(), 1, 503)),
        cluster("c", Scheduler.WRR, down.port(), up.port()));
    StringBuilder requests = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      requests.append("GET /p").append(i).append(" HTTP/1.1\r\nHost: pipe.test\r\n").append(i == 5 ? "Connection: close\r\n" : "")
          .append("\r\n");
    }
    RawHttp.Reply reply = http1(requests.toString());
    assertThat(reply.statuses()).containsExactly(200, 200, 200, 200, 200, 200);
    String text = reply.text();
    int at = 0;
    for (int i = 0; i < 6; i++) {
      int found = text.indexOf("/p" + i, at);
      assertThat(found).as("answer %d in order", i).isGreaterThan(at);
      at = found;
    }
  }

  @Test
  void aSilentErrorBackendGivesTheOriginalStatusAfterTheReadTimeout() throws Exception {
    Backend app = answering(503, "down");
    Backend mute = silent();
    Timeouts quick = new Timeouts(1000, 5000, 5000);
    apply("mutepage.test", route("app", quick, new ErrorPages("pages", List.of(503), List.of())),
        cluster("app", Scheduler.WRR, app.port()), cluster("pages", Scheduler.WRR, mute.port()));
    try (RawHttp.Open open = new RawHttp.Open(harness.dataPlane.httpPort())) {
      RawHttp.Reply first = open.send("GET /a HTTP/1.1\r\nHost: mutepage.test\r\n\r\n");
      assertThat(first.status()).isEqualTo(503);
      assertThat(body(first)).isEqualTo("503 Service Unavailable\n");
      RawHttp.Reply second = open.send("GET /b HTTP/1.1\r\nHost: mutepage.test\r\n\r\n");
      assertThat(second.status()).as("the connection goes on").isEqualTo(503);
    }
    H2 answer = h2("mutepage.test", HttpMethod.GET, "/a", null);
    assertThat(answer.status()).isEqualTo(503);
    awaitNoLoad(app.port(), mute.port());
  }

  @Test
  void aHugePageIsRelayedWhole() throws Exception {
    int size = 24 * 1024 * 1024;
    Backend app = answering(404, "nope");
    Backend huge = backend((socket, head, n) -> {
      OutputStream out = socket.getOutputStream();
      out.write(("HTTP/1.1 404 X\r\nContent-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      byte[] block = new byte[64 * 1024];
      java.util.Arrays.fill(block, (byte) 'p');
      for (int sent = 0; sent < size; sent += block.length) {
        out.write(block);
      }
      out.flush();
      return true;
    });
    applyPages("huge.test", 404, app, huge);
    RawHttp.Reply reply = get("huge.test", "/a");
    assertThat(reply.status()).isEqualTo(404);
    assertThat(body(reply).length()).isEqualTo(size);
    H2 answer = h2("huge.test", HttpMethod.GET, "/a", null);
    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.body().length()).isEqualTo(size);
    awaitNoLoad(app.port(), huge.port());
  }

  // ---------------------------------------------------------------- bodies, methods, versions

  /** Expect: 100-continue, and the backend answers a listed status before the body: the page, and the connection goes on. */
  @Test
  void expectContinueWithAnEarlyListedAnswerGetsThePageAndTheConnectionGoesOn() throws Exception {
    Backend app = failingPuts();
    Backend pages = pages();
    applyPages("expect.test", 503, app, pages);
    try (RawHttp.Open open = new RawHttp.Open(harness.dataPlane.httpPort())) {
      RawHttp.Reply first = open.send("PUT /upload HTTP/1.1\r\nHost: expect.test\r\nContent-Length: 10\r\n"
          + "Expect: 100-continue\r\n\r\n");
      RawHttp.Reply last = first;
      if (first.status() == 100) {
        last = open.send("0123456789");
      }
      assertThat(last.status()).as("first: %s", first.text()).isEqualTo(503);
      assertThat(body(last)).isEqualTo("page code=503 method=GET original=/upload");
      assertThat(first.status()).as("the proxy invited the body").isEqualTo(100);
      assertThat(last.header("Connection")).as("kept alive").isNull();
      {
        RawHttp.Reply next = open.send("GET /next HTTP/1.1\r\nHost: expect.test\r\n\r\n");
        assertThat(next.status()).as("the next request on the connection: %s", next.text()).isEqualTo(200);
      }
    }
  }

  /** A chunked POST, Retry with NON_IDEMPOTENT: its body went out, so it is never sent again. */
  @Test
  void aChunkedPostWithNonIdempotentIsNotSentAgain() throws Exception {
    Backend a = answering(503, "a");
    Backend b = answering(503, "b");
    apply("post.test", route("c", Tables.DEFAULT_TIMEOUTS, retryOn(List.of(Retry.On.NON_IDEMPOTENT, Retry.On.ERROR), 3,
        503)), cluster("c", Scheduler.WRR, a.port(), b.port()));
    RawHttp.Reply reply = http1("POST /x HTTP/1.1\r\nHost: post.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + "5\r\nhello\r\n0\r\n\r\n");
    assertThat(reply.status()).isEqualTo(503);
    assertThat(a.requests.get() + b.requests.get()).as("sent once").isEqualTo(1);
    H2 answer = h2("post.test", HttpMethod.POST, "/x", "hello");
    assertThat(answer.status()).isEqualTo(503);
    assertThat(a.requests.get() + b.requests.get()).as("h2: sent once").isEqualTo(2);
  }

  /**
   * An empty-bodied POST with NON_IDEMPOTENT is passed on, over HTTP/1.1 and h2 alike when it says
   * so with {@code content-length: 0}. (An h2 POST with neither a length nor a body is counted as
   * having one: its end of stream is not known yet when it goes out, so it is not sent again.)
   */
  @Test
  void aBodilessPostWithNonIdempotentIsPassedOnOverBothEngines() throws Exception {
    Backend a = answering(503, "a");
    Backend b = answering(200, "b");
    apply("post0.test", route("c", Tables.DEFAULT_TIMEOUTS, retryOn(List.of(Retry.On.NON_IDEMPOTENT), 1, 503)),
        cluster("c", Scheduler.WRR, a.port(), b.port()));
    for (int i = 0; i < 4; i++) {
      RawHttp.Reply reply = http1("POST /x HTTP/1.1\r\nHost: post0.test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      assertThat(reply.status()).as("HTTP/1.1 %d", i).isEqualTo(200);
    }
    for (int i = 0; i < 4; i++) {
      assertThat(h2("post0.test", HttpMethod.POST, "/x", "").status()).as("h2 %d", i).isEqualTo(200);
    }
  }

  @Test
  void headRequestsAreRetriedAndPagedWithoutABody() throws Exception {
    Backend down = answering(503, "down");
    Backend missing = answering(404, "missing");
    Backend pages = pages();
    apply("head.test", route("c", Tables.DEFAULT_TIMEOUTS, retryOn(List.of(), 1, 503),
        new ErrorPages("pages", List.of(404), List.of())), cluster("c", Scheduler.WRR, down.port(), missing.port()),
        cluster("pages", Scheduler.WRR, pages.port()));
    try (Socket client = new Socket("127.0.0.1", harness.dataPlane.httpPort())) {
      client.setSoTimeout(10_000);
      for (int i = 0; i < 4; i++) {
        client.getOutputStream().write("HEAD /h HTTP/1.1\r\nHost: head.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String head = RawHttp.readHead(client.getInputStream());
        assertThat(head).as("HEAD %d", i).startsWith("HTTP/1.1 404");
        assertThat(pages.lastHead()).startsWith("HEAD / HTTP/1.1");
      }
      client.getOutputStream().write("GET /h HTTP/1.1\r\nHost: head.test\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      String rest = new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(rest).as("no body bytes after the HEAD answers: the GET's answer comes next")
          .startsWith("HTTP/1.1 404").endsWith("page code=404 method=GET original=/h");
    }
    H2 answer = h2("head.test", HttpMethod.HEAD, "/h", null);
    assertThat(answer).isEqualTo(new H2(404, ""));
  }

  /** HTTP/1.0 without Host on a default route with Retry and ErrorPages. */
  @Test
  void http10WithoutHostIsRetriedAndPaged() throws Exception {
    Backend down = answering(503, "down");
    Backend missing = answering(404, "missing");
    Backend pages = pages();
    Route filtered = route("c", Tables.DEFAULT_TIMEOUTS, retryOn(List.of(), 1, 503),
        new ErrorPages("pages", List.of(404), List.of()));
    apply("unused.test", filtered, filtered, cluster("c", Scheduler.WRR, down.port(), missing.port()),
        cluster("pages", Scheduler.WRR, pages.port()));
    for (int i = 0; i < 3; i++) {
      RawHttp.Reply reply = http1("GET /old HTTP/1.0\r\n\r\n");
      assertThat(reply.status()).as("request %d: %s", i, reply.text()).isEqualTo(404);
      assertThat(reply.text()).startsWith("HTTP/1.0 404");
      assertThat(body(reply)).isEqualTo("page code=404 method=GET original=/old");
    }
    // the retried request's Host names the endpoint it went to, not the one it failed on
    for (String head : missing.heads) {
      assertThat(header(head, "Host")).as("Host sent to the second endpoint (first endpoint: %d)", down.port()).isIn("127.0.0.1:" + missing.port(), null);
    }
  }

  // ---------------------------------------------------------------- load and leftovers

  /** Many concurrent requests on LEAST_CONN with every endpoint failing; some clients leave early. */
  @Test
  void concurrentRequestsWithEveryEndpointFailingLeaveNoLoad() throws Exception {
    Backend a = answering(503, "a");
    Backend b = answering(502, "b");
    CountDownLatch never = new CountDownLatch(1);
    Backend c = backend((socket, head, n) -> {
      socket.setSoLinger(true, 0); // reset before any answer
      return false;
    });
    Backend pages = pages();
    apply("many.test", route("c", new Timeouts(5000, 5000, 5000), retryOn(List.of(Retry.On.ERROR, Retry.On.TIMEOUT), 5,
        502, 503), new ErrorPages("pages", List.of(502, 503), List.of())),
        cluster("c", Scheduler.LEAST_CONN, a.port(), b.port(), c.port()), cluster("pages", Scheduler.WRR, pages.port()));
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try (LogCapture log = new LogCapture()) {
      List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 120; i++) {
        int n = i;
        results.add(pool.submit(() -> {
          if (n % 3 == 0) {
            try (Socket s = new Socket("127.0.0.1", harness.dataPlane.httpPort())) {
              s.getOutputStream().write("GET /x HTTP/1.1\r\nHost: many.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
              s.setSoLinger(true, 0); // leaves at once, with a reset
            }
            return -2;
          }
          return get("many.test", "/x" + n).status();
        }));
      }
      List<Integer> statuses = new ArrayList<>();
      for (var result : results) {
        statuses.add(result.get(60, TimeUnit.SECONDS));
      }
      assertThat(statuses).as("answers: pages of 502/503").allMatch(s -> s == -2 || s == 502 || s == 503);
      List<java.util.concurrent.Future<H2>> h2s = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        h2s.add(pool.submit(() -> h2("many.test", HttpMethod.GET, "/y", null)));
      }
      for (var result : h2s) {
        assertThat(result.get(60, TimeUnit.SECONDS).status()).isIn(502, 503);
      }
      awaitNoLoad(a.port(), b.port(), c.port(), pages.port());
      assertThat(otherErrors(log)).as("no ERROR lines").isEmpty();
    } finally {
      pool.shutdownNow();
      never.countDown();
    }
  }

  /**
   * A 503 with keep-alive, its body and bytes beyond it: the request is passed on; the connection
   * that carried the 503 is never reused, so the next request on that backend gets a clean answer.
   */
  @Test
  void aKeepAlive503WithLeftoverBytesIsNotReused() throws Exception {
    AtomicInteger served = new AtomicInteger();
    Backend dirty = backend((socket, head, n) -> {
      if (served.getAndIncrement() == 0) {
        write(socket, "HTTP/1.1 503 X\r\nContent-Length: 4\r\nConnection: keep-alive\r\n\r\ndown"
            + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nbogus");
      } else {
        write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nclean");
      }
      return true;
    });
    Backend other = answering(200, "other");
    apply("dirty.test", route("c", Tables.DEFAULT_TIMEOUTS, retryOn(List.of(), 1, 503)),
        cluster("c", Scheduler.WRR, dirty.port(), other.port()));
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      bodies.add(body(get("dirty.test", "/x")));
    }
    assertThat(bodies).doesNotContain("bogus").contains("clean", "other");
    served.set(0);
    List<String> h2Bodies = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      h2Bodies.add(h2("dirty.test", HttpMethod.GET, "/x", null).body());
    }
    assertThat(h2Bodies).doesNotContain("bogus", "down").contains("clean", "other");
  }

  /** h2 requests replaced by a page or passed on after a status: no ERROR lines for what is routine. */
  @Test
  void h2RetriesAndPagesLogNoErrors() throws Exception {
    Backend down = answering(503, "down");
    Backend missing = answering(404, "missing");
    Backend pages = pages();
    apply("quiet.test", route("c", Tables.DEFAULT_TIMEOUTS, retryOn(List.of(), 1, 503),
        new ErrorPages("pages", List.of(404), List.of())), cluster("c", Scheduler.WRR, down.port(), missing.port()),
        cluster("pages", Scheduler.WRR, pages.port()));
    try (LogCapture log = new LogCapture()) {
      for (int i = 0; i < 3; i++) {
        H2 answer = h2("quiet.test", HttpMethod.GET, "/q", null);
        assertThat(answer).isEqualTo(new H2(404, "page code=404 method=GET original=/q"));
      }
      assertThat(errors(log)).as("ERROR lines").isEmpty();
    }
  }

  /** The same 101 on h2, with a short read timeout: what the client gets, and how soon. */
  @Test
  void h2AnErrorBackendAnswering101WithAShortReadTimeout() throws Exception {
    Backend app = answering(404, "nope");
    Backend switching = writing("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", true);
    apply("switch3.test", route("app", new Timeouts(2000, 5000, 5000), new ErrorPages("pages", List.of(404), List.of())),
        cluster("app", Scheduler.WRR, app.port()), cluster("pages", Scheduler.WRR, switching.port()));
    long started = System.nanoTime();
    Future<H2> answer = harness.onContext(() -> {
      int port = harness.dataPlane.httpsPort();
      return h2.request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/a"))
          .compose(r -> r.authority(HostAndPort.create("switch3.test", port)).send())
          .compose(r -> r.body().map(b -> new H2(r.statusCode(), b.toString())));
    });
    Object outcome;
    try {
      outcome = DataPlaneHarness.await(answer);
    } catch (Exception e) {
      outcome = e;
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    int pageLoad = load(switching.port());
    assertThat(List.of(String.valueOf(outcome), pageLoad)).as("answer after %d ms, and the error backend's open-request"
        + " count then", millis).containsExactly(String.valueOf(new H2(404, "404 Not Found\n")), 0);
  }

  /** The main backend answering 101 over h2 (not an error page), for comparison: 502 at once. */
  @Test
  void h2ABackendAnswering101IsA502() throws Exception {
    Backend switching = writing("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", true);
    apply("switch4.test", route("app", new Timeouts(2000, 5000, 5000)), cluster("app", Scheduler.WRR, switching.port()));
    assertThat(h2("switch4.test", HttpMethod.GET, "/a", null).status()).isEqualTo(502);
  }

  /**
   * Every endpoint failed (refused connects): the proxy's own 502, a listed code. nginx's
   * error_page (ingress-nginx's custom-http-errors) replaces the 502 nginx makes itself too.
   */
  @Test
  void aProxyMade502OfAListedCodeGetsThePageAsInNginx() throws Exception {
    int closed;
    try (ServerSocket unused = new ServerSocket(0)) {
      closed = unused.getLocalPort();
    }
    Backend pages = pages();
    apply("refused.test", route("c", Tables.DEFAULT_TIMEOUTS, new ErrorPages("pages", List.of(502, 504), List.of())),
        cluster("c", Scheduler.WRR, closed), cluster("pages", Scheduler.WRR, pages.port()));
    RawHttp.Reply reply = get("refused.test", "/a");
    assertThat(reply.status()).isEqualTo(502);
    assertThat(body(reply)).as("nginx would serve the error backend's page").isEqualTo(
        "page code=502 method=GET original=/a");
  }

  /** A page with neither length nor chunks (ends with the connection): chunked to an HTTP/1.1 client, whole. */
  @Test
  void aCloseDelimitedPageIsRelayedWhole() throws Exception {
    Backend app = answering(404, "nope");
    Backend closing = writing("HTTP/1.1 404 X\r\nConnection: close\r\n\r\nthe page until close", false);
    applyPages("eof.test", 404, app, closing);
    RawHttp.Reply reply = get("eof.test", "/a");
    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.text()).contains("the page until close");
    RawHttp.Reply old = http1("GET /a HTTP/1.0\r\nHost: eof.test\r\n\r\n");
    assertThat(body(old)).isEqualTo("the page until close");
    assertThat(h2("eof.test", HttpMethod.GET, "/a", null)).isEqualTo(new H2(404, "the page until close"));
  }

  /** An error backend that sends a body to HEAD on a keep-alive connection: the next page is clean. */
  @Test
  void anErrorBackendSendingABodyToHeadDoesNotPoisonTheNextPage() throws Exception {
    Backend app = answering(404, "nope");
    AtomicInteger count = new AtomicInteger();
    Backend sloppy = backend((socket, head, n) -> {
      String page = "page " + count.incrementAndGet();
      write(socket, "HTTP/1.1 404 X\r\nContent-Length: " + page.length() + "\r\n\r\n" + page); // even to HEAD
      return true;
    });
    applyPages("sloppy.test", 404, app, sloppy);
    assertThat(http1("HEAD /a HTTP/1.1\r\nHost: sloppy.test\r\nConnection: close\r\n\r\n").text())
        .startsWith("HTTP/1.1 404").endsWith("\r\n\r\n");
    for (int i = 0; i < 3; i++) {
      RawHttp.Reply reply = get("sloppy.test", "/b");
      assertThat(reply.statuses()).as("one answer: %s", reply.text()).containsExactly(404);
      assertThat(body(reply)).startsWith("page ");
    }
  }

  /**
   * A PUT whose backend answers a listed code before half its body came: the page; the rest of the
   * body is read and dropped, and the next request on the connection is parsed right.
   */
  @Test
  void aBodyStillArrivingWhenThePageComesIsDroppedAndTheConnectionGoesOn() throws Exception {
    Backend app = failingPuts();
    Backend pages = pages();
    applyPages("halfbody.test", 503, app, pages);
    try (RawHttp.Open open = new RawHttp.Open(harness.dataPlane.httpPort())) {
      RawHttp.Reply page = open.send("PUT /up HTTP/1.1\r\nHost: halfbody.test\r\nContent-Length: 10\r\n\r\n01234");
      assertThat(page.status()).isEqualTo(503);
      assertThat(body(page)).isEqualTo("page code=503 method=GET original=/up");
      assertThat(page.header("Connection")).as("kept alive").isNull();
      {
        RawHttp.Reply next = open.send("56789GET /next HTTP/1.1\r\nHost: halfbody.test\r\n\r\n");
        assertThat(next.status()).as("the request after the body: %s", next.text()).isEqualTo(200);
        assertThat(body(next)).isEqualTo("ok");
      }
    }
    awaitNoLoad(app.port(), pages.port());
  }

  /** An error backend sending 103 Early Hints and a 100 before its page: the page, over both engines. */
  @Test
  void informationalAnswersBeforeThePageAreNotThePage() throws Exception {
    Backend app = answering(404, "nope");
    Backend hinting = writing("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
          + "HTTP/1.1 404 X\r\nContent-Length: 4\r\n\r\npage", true);
    applyPages("hints.test", 404, app, hinting);
    RawHttp.Reply reply = get("hints.test", "/a");
    assertThat(reply.statuses()).containsExactly(404);
    assertThat(body(reply)).isEqualTo("page");
    assertThat(h2("hints.test", HttpMethod.GET, "/a", null)).isEqualTo(new H2(404, "page"));
  }
}
