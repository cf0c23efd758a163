package io.clbingress.dataplane;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SelfSignedCertificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real backend on loopback, plain or over TLS. {@code /healthz} answers {@code healthStatus};
 * with {@code failing} set, everything else answers 500. HTTP: answers {@code name} in the body (and the
 * request headers it saw as {@code seen-*} response headers, the request target as
 * {@code x-backend-uri}, whether it came over TLS as
 * {@code x-backend-tls}); {@code /slow} never answers; {@code /refuse} answers 401 at once,
 * without reading the request body; {@code /stall} reads
 * no request body and never answers; {@code /echo} returns the
 * body. WebSocket: echoes every message; "close-me" makes it close with 4002; an upgrade to
 * {@code /hang} is never answered. Remembers the close codes it received from clients. A
 * {@link #startForLargeHeads terse} backend takes request heads of any size the data plane lets
 * through, remembers their headers, and answers only {@code name} and {@code x-backend}, so that
 * large request heads do not come back as large response heads.
 */
final class TestBackend implements AutoCloseable {

  final String name;
  final List<Integer> closeCodesReceived = new CopyOnWriteArrayList<>();
  final AtomicInteger openWebSockets = new AtomicInteger();
  final AtomicInteger connections = new AtomicInteger();
  /** Every request target received (WebSocket upgrades included), in order. */
  final List<String> uris = new CopyOnWriteArrayList<>();
  /**
   * Terse backends only: the headers of every HTTP request received, in order (not kept by the
   * others: ConnectionLeakTest measures the heap after tens of thousands of requests).
   */
  final List<io.vertx.core.MultiMap> heads = new CopyOnWriteArrayList<>();
  /** The headers of every WebSocket upgrade request received, in order. */
  final List<io.vertx.core.MultiMap> upgradeHeads = new CopyOnWriteArrayList<>();
  private boolean terse;
  /** Whether requests, upgrades and close codes are recorded in the lists above (see {@link #withoutRecords}). */
  private volatile boolean recording = true;
  /** What {@code /healthz} answers, and how often it was asked. */
  volatile int healthStatus = 200;
  final AtomicInteger healthChecks = new AtomicInteger();
  /** When set, every other request gets 500. */
  volatile boolean failing;
  private final HttpServer server;
  private final List<ServerWebSocket> sockets = new CopyOnWriteArrayList<>();
  private volatile String refusedPath = "";

  private TestBackend(String name, HttpServer server) {
    this.name = name;
    this.server = server;
  }

  static TestBackend start(Vertx vertx, String name) throws Exception {
    return start(vertx, name, new HttpServerOptions());
  }

  /** A terse backend whose own head limits are above the data plane's largest (64 KiB line, 256 KiB headers). */
  static TestBackend startForLargeHeads(Vertx vertx, String name) throws Exception {
    TestBackend backend = start(vertx, name, new HttpServerOptions().setMaxInitialLineLength(128 << 10)
        .setMaxHeaderSize(512 << 10));
    backend.terse = true;
    return backend;
  }

  /** A backend that speaks HTTPS (a self-signed certificate), as {@code backend-protocol: HTTPS} expects. */
  static TestBackend startTls(Vertx vertx, String name) throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create("backend.invalid");
    return start(vertx, name, new HttpServerOptions().setSsl(true).setKeyCertOptions(certificate.keyCertOptions()));
  }

  private static TestBackend start(Vertx vertx, String name, HttpServerOptions options) throws Exception {
    HttpServer server = vertx.createHttpServer(options.setHost("127.0.0.1").setPort(0));
    TestBackend backend = new TestBackend(name, server);
    server.connectionHandler(connection -> {
      backend.connections.incrementAndGet();
      connection.closeHandler(v -> backend.connections.decrementAndGet());
    });
    server.webSocketHandshakeHandler(handshake -> {
      if (backend.recording) {
        backend.uris.add(handshake.uri());
        backend.upgradeHeads.add(io.vertx.core.MultiMap.caseInsensitiveMultiMap().addAll(handshake.headers()));
      }
      if (handshake.path().equals(backend.refusedPath)) {
        handshake.reject(403);
      } else if (handshake.path().equals("/hang")) {
        return;
      } else {
        handshake.accept();
      }
    });
    server.webSocketHandler(backend::webSocket);
    server.requestHandler(request -> {
      if (backend.recording) {
        backend.uris.add(request.uri());
        if (backend.terse) {
          backend.heads.add(io.vertx.core.MultiMap.caseInsensitiveMultiMap().addAll(request.headers()));
        }
      }
      if (backend.terse) {
        request.response().putHeader("x-backend", name).end(name);
        return;
      }
      if (request.path().equals("/healthz")) {
        backend.healthChecks.incrementAndGet();
        request.response().setStatusCode(backend.healthStatus).end();
        return;
      }
      if (backend.failing) {
        request.response().setStatusCode(500).putHeader("x-backend", name).end(name);
        return;
      }
      if (request.path().equals("/slow")) {
        return;
      }
      if (request.path().equals("/refuse")) {
        request.response().setStatusCode(401).putHeader("x-backend", name)
            .putHeader("seen-expect", String.valueOf(request.getHeader("expect"))).end("refused");
        return;
      }
      if (request.path().equals("/stall")) {
        request.pause();
        return;
      }
      request.body().onSuccess(body -> {
        var response = request.response().putHeader("x-backend", name).putHeader("x-backend-uri", request.uri())
            .putHeader("x-backend-tls", String.valueOf(request.isSSL()));
        request.headers().forEach(h -> response.headers().add("seen-" + h.getKey().toLowerCase(), h.getValue()));
        response.end(request.path().equals("/echo") ? body : Buffer.buffer(name));
      });
    });
    server.listen().await(10, TimeUnit.SECONDS);
    return backend;
  }

  /**
   * Records nothing per request from now on ({@link #uris}, {@link #heads}, {@link #upgradeHeads},
   * {@link #closeCodesReceived} stay as they are): for tests that measure the heap of the JVM they share
   * with this backend, where a record of every request would read as growth of the data plane's.
   */
  TestBackend withoutRecords() {
    recording = false;
    return this;
  }

  /** Upgrades to this path are answered 403. */
  void refuseUpgradesOn(String path) {
    refusedPath = path;
  }

  /** Sends a ping to every open WebSocket. */
  void pingAllClients() {
    sockets.forEach(ws -> ws.writePing(Buffer.buffer("from-backend")));
  }

  private void webSocket(ServerWebSocket ws) {
    openWebSockets.incrementAndGet();
    sockets.add(ws);
    ws.closeHandler(v -> {
      sockets.remove(ws);
      openWebSockets.decrementAndGet();
      if (ws.closeStatusCode() != null && recording) {
        closeCodesReceived.add(Integer.valueOf(ws.closeStatusCode()));
      }
    });
    ws.textMessageHandler(text -> {
      switch (text) {
        case "close-me" -> ws.close((short) 4002, "server-bye");
        default -> ws.writeTextMessage(name + ":" + text);
      }
    });
    ws.binaryMessageHandler(ws::writeBinaryMessage);
  }

  int port() {
    return server.actualPort();
  }

  @Override
  public void close() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
  }
}
