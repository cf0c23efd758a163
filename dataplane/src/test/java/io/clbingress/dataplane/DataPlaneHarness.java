package io.clbingress.dataplane;

import io.clbingress.dataplane.table.HeadLimits;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.tls.TlsEngine;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A data plane on loopback, its backends, and real Vert.x clients, for one test class. */
final class DataPlaneHarness implements AutoCloseable {

  /** Test host names resolve to loopback, so that TLS clients send them as SNI. */
  final Vertx vertx = TestTransport.CHOSEN.vertx(new VertxOptions()
      .setAddressResolverOptions(new AddressResolverOptions().setHostsValue(
          io.vertx.core.buffer.Buffer.buffer("127.0.0.1 a.example.com b.example.com tcp.example.com\n"))));
  final DataPlane dataPlane;
  final HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
  /** An h2 client (TLS with ALPN, any certificate) on one connection, for the data plane's HTTPS port. */
  final HttpClientAgent h2 = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
      .setVerifyHost(false).setUseAlpn(true).setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2),
      new io.vertx.core.http.PoolOptions().setHttp2MaxSize(1));
  final WebSocketClient webSockets = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(1000));
  private final List<TestBackend> backends = new ArrayList<>();

  DataPlaneHarness(Duration drain) throws Exception {
    this(drain, TlsEngine.OPENSSL);
  }

  DataPlaneHarness(Duration drain, TlsEngine engine) throws Exception {
    this(drain, engine, HeadLimits.DEFAULTS);
  }

  /** @param headLimits what {@code --max-request-line-bytes} and {@code --max-header-bytes} would give */
  DataPlaneHarness(Duration drain, TlsEngine engine, HeadLimits headLimits) throws Exception {
    DataPlaneOptions loopback = DataPlaneOptions.loopback(drain);
    dataPlane = await(DataPlane.start(vertx, new DataPlaneOptions(loopback.bindAddress(), loopback.httpPort(),
        loopback.httpsPort(), loopback.adminAddress(), loopback.adminPort(), drain, loopback.eventLoops(), engine,
        headLimits), Clock.systemUTC()));
  }

  /** A data plane with these options (tests of flags other than the ports). */
  DataPlaneHarness(DataPlaneOptions options) throws Exception {
    dataPlane = await(DataPlane.start(vertx, options, Clock.systemUTC()));
  }

  TestBackend backend(String name) throws Exception {
    TestBackend backend = TestBackend.start(vertx, name);
    backends.add(backend);
    return backend;
  }

  /** A {@link TestBackend#startForLargeHeads terse backend} that takes request heads of any allowed size. */
  TestBackend largeHeadBackend(String name) throws Exception {
    TestBackend backend = TestBackend.startForLargeHeads(vertx, name);
    backends.add(backend);
    return backend;
  }

  /**
   * A backend written by a test, on a free loopback port: {@code onRequest} gets each request once
   * its whole body is read.
   */
  io.vertx.core.http.HttpServer server(java.util.function.BiConsumer<io.vertx.core.http.HttpServerRequest,
      io.vertx.core.buffer.Buffer> onRequest) throws Exception {
    return await(vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions().setHost("127.0.0.1"))
        .requestHandler(request -> request.body().onSuccess(body -> onRequest.accept(request, body))).listen(0));
  }

  void apply(RoutingTable table) {
    dataPlane.apply(table);
  }

  /** A finished exchange: status, body and headers. */
  record Answer(int status, String body, Map<String, String> headers) {
  }

  Answer get(String host, String path) throws Exception {
    return send(HttpMethod.GET, host, path, null);
  }

  Answer send(HttpMethod method, String host, String path, String body) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1")
        .setPort(dataPlane.httpPort()).setURI(path).putHeader("host", host);
    return await(onContext(() -> http.request(options)
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(r -> r.body().map(b -> {
          Map<String, String> headers = new java.util.TreeMap<>();
          r.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(), h.getValue()));
          return new Answer(r.statusCode(), b.toString(), headers);
        }))));
  }

  /**
   * Runs a client exchange on a Vert.x context. Started from the test thread, the response could
   * end before the test's continuation registers for its body, and the body would never come.
   */
  <T> Future<T> onContext(java.util.function.Supplier<Future<T>> exchange) {
    io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> exchange.get().onComplete(promise));
    return promise.future();
  }

  /** The admin port's GET /metrics (Prometheus text). */
  String metrics() throws Exception {
    return await(onContext(() -> http.request(new RequestOptions().setHost("127.0.0.1")
            .setPort(dataPlane.adminPort()).setURI("/metrics"))
        .compose(r -> r.send()).compose(r -> r.body()).map(Object::toString)));
  }

  /**
   * The value of one series in a scrape, by its exact name and labels as written
   * ({@code clb_requests_total{code="2xx",route="Ingress a/b"}}); 0 when the series is absent.
   */
  static double sample(String scrape, String series) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
      }
    }
    return 0;
  }

  WebSocket webSocket(String host, String path) throws Exception {
    return await(connectWebSocket(host, path));
  }

  Future<WebSocket> connectWebSocket(String host, String path) {
    return onContext(() -> webSockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(dataPlane.httpPort()).setURI(path).putHeader("host", host)));
  }

  /** Closes each of {@code resources} that was opened (null: never opened), in order. */
  static void closeAll(AutoCloseable... resources) throws Exception {
    for (AutoCloseable resource : resources) {
      if (resource != null) {
        resource.close();
      }
    }
  }

  /**
   * A port free on loopback now, for a listener with its own port, and never one this JVM was given
   * before: the kernel may hand the port it just gave (and was given back) out again at once, and
   * two listeners of one table then shared a port (ClientAddressTest's PROXY HTTP listener's port
   * was its TCP listener's in a CI run: every request there got an empty answer).
   */
  static int freePort() throws java.io.IOException {
    while (true) {
      try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
        if (GIVEN_PORTS.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      }
    }
  }

  /** The ports {@link #freePort} gave out in this JVM (a few hundred in a whole test run). */
  private static final java.util.Set<Integer> GIVEN_PORTS = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Writes {@code text} on a TCP connection and collects the answer until it is as long. */
  String exchange(io.vertx.core.net.NetSocket socket, String text) throws Exception {
    io.vertx.core.Promise<String> answer = io.vertx.core.Promise.promise();
    io.vertx.core.buffer.Buffer received = io.vertx.core.buffer.Buffer.buffer();
    Future<String> done = onContext(() -> {
      socket.handler(data -> {
        received.appendBuffer(data);
        if (received.length() >= text.length()) {
          answer.tryComplete(received.toString());
        }
      });
      socket.write(text);
      return answer.future();
    });
    return await(done);
  }

  /** Sends a text message on a WebSocket and waits for the next one to come back. */
  static String exchange(WebSocket ws, String text) throws Exception {
    io.vertx.core.Promise<String> echo = io.vertx.core.Promise.promise();
    ws.textMessageHandler(echo::tryComplete);
    ws.writeTextMessage(text);
    return await(echo.future());
  }

  static Throwable awaitFailure(Future<?> future) throws Exception {
    return await(future.map(ok -> (Throwable) new AssertionError("expected a failure, got " + ok))
        .recover(Future::succeededFuture));
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.await(20, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    dataPlane.close();
    vertx.close().await(20, TimeUnit.SECONDS);
  }
}
