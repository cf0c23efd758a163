package io.clbingress.operator.publish;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.clbingress.dataplane.control.ControlCodec;
import io.clbingress.dataplane.control.ControlMessage;
import io.clbingress.dataplane.control.TablePatches;
import io.clbingress.dataplane.table.RoutingTable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The operator's end of the control channel ({@link ControlMessage}): data planes connect with
 * the bearer token, get the table in force at once and every later one, and say which version
 * they applied. A data plane gets the whole table when it connects (it needs no history), and
 * then each new table as a {@link ControlMessage.Patch} against the last one sent to it: with
 * 10,000 Ingresses the whole table is ~15 MB of JSON, ~0.3 s to write and read again per change,
 * where a patch for one changed Ingress is a few kilobytes. A data plane that cannot rebuild a
 * patch asks for the whole table ({@link ControlMessage.Resend}).
 */
public final class ConfigServer implements Consumer<RoutingTable> {

  private static final Logger LOG = LogManager.getLogger(ConfigServer.class);

  private final Vertx vertx;
  private final byte[] token;
  /** The table in force, and its whole JSON once a data plane needed it; guarded by this. */
  private RoutingTable latest;
  private String latestWhole;
  /** Each connected data plane, removed when its connection closes. */
  private final Map<ServerWebSocket, Peer> dataPlanes = new ConcurrentHashMap<>();
  private HttpServer server;
  /** The operator's metrics, served at /metrics on this port: configuration problems, rejected tables, the JVM's. */
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter rejected = Counter.builder("clb_routing_table_rejected")
      .description("Routing tables a data plane refused (as each data plane reported it)").register(metrics);

  public ConfigServer(Vertx vertx, String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("the control channel needs a token");
    }
    this.vertx = vertx;
    this.token = ("Bearer " + token.trim()).getBytes(StandardCharsets.UTF_8);
    new FileDescriptorMetrics().bindTo(metrics);
    new JvmMemoryMetrics().bindTo(metrics);
    Gauge.builder("clb_data_planes_connected", dataPlanes, Map::size)
        .description("Data planes connected to the control channel now").register(metrics);
  }

  /** The registry of the operator's metrics (the configuration problems are added to it). */
  public MeterRegistry metrics() {
    return metrics;
  }

  /** Plain WebSocket (ws://); the token still guards it. @return the bound port */
  public Future<Integer> listen(String host, int port) {
    return listen(host, port, null);
  }

  /**
   * @param tls certificate and key (PEM) to serve wss:// with, or null for ws://
   * @return the bound port
   */
  public Future<Integer> listen(String host, int port, PemKeyCertOptions tls) {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(host).setPort(port)
        .setMaxWebSocketFrameSize(1024 * 1024)
        .setMaxWebSocketMessageSize(64 * 1024 * 1024);
    if (tls != null) {
      options.setSsl(true).setKeyCertOptions(tls);
    }
    server = vertx.createHttpServer(options);
    return server.webSocketHandshakeHandler(this::handshake)
        .webSocketHandler(this::connected)
        .requestHandler(request -> {
          if (request.path().equals("/healthz")) {
            // The operator's liveness probe: the process and its event loop answer.
            request.response().end("ok\n");
          } else if (request.path().equals("/metrics")) {
            // Counts and object names only (no table content): as open as /healthz.
            request.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                .end(metrics.scrape());
          } else {
            request.response().setStatusCode(404)
                .end("the control channel is a WebSocket at " + ControlMessage.PATH + "\n");
          }
        })
        .listen()
        .map(HttpServer::actualPort);
  }

  private void handshake(ServerWebSocketHandshake handshake) {
    if (!handshake.path().equals(ControlMessage.PATH)) {
      handshake.reject(404);
      return;
    }
    String authorization = handshake.headers().get("Authorization");
    byte[] offered = authorization == null ? new byte[0] : authorization.getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(offered, token)) {
      LOG.warn("control channel: refused a data plane from {}: wrong or missing bearer token", handshake.remoteAddress());
      handshake.reject(401);
      return;
    }
    handshake.accept();
  }

  private void connected(ServerWebSocket ws) {
    Peer peer = new Peer(ws);
    dataPlanes.put(ws, peer);
    LOG.info("control channel: data plane {} connected ({} in all)", ws.remoteAddress(), dataPlanes.size());
    ws.closeHandler(v -> {
      dataPlanes.remove(ws);
      LOG.info("control channel: data plane {} disconnected ({} left)", ws.remoteAddress(), dataPlanes.size());
    });
    ws.textMessageHandler(text -> acknowledged(peer, text));
    sendWholeLater(peer, 0);
  }

  private void acknowledged(Peer peer, String text) {
    ServerWebSocket ws = peer.ws;
    try {
      ControlMessage message = ControlCodec.decode(text);
      if (message instanceof ControlMessage.Applied applied) {
        peer.applied = applied.version();
        LOG.debug("control channel: data plane {} applied version {}", ws.remoteAddress(), applied.version());
      } else if (message instanceof ControlMessage.Rejected rejected && rejected.version() < 0 && !peer.wholeOnly) {
        // It could not read the message at all: a data plane older than patches (during a rolling
        // upgrade) answers a patch so. It gets whole tables from now on, the one in force at once.
        LOG.warn("control channel: data plane {} could not read a message ({}); sending it whole tables only",
            ws.remoteAddress(), rejected.reason());
        peer.wholeOnly = true;
        sendWholeLater(peer, Long.MAX_VALUE);
      } else if (message instanceof ControlMessage.Rejected rejected) {
        this.rejected.increment();
        LOG.error("control channel: data plane {} rejected version {}: {}", ws.remoteAddress(), rejected.version(),
            rejected.reason());
      } else if (message instanceof ControlMessage.Resend resend) {
        LOG.warn("control channel: data plane {} could not rebuild version {} from its patch ({}); sending the whole table",
            ws.remoteAddress(), resend.version(), resend.reason());
        sendWholeLater(peer, resend.version());
      }
    } catch (IllegalArgumentException e) {
      LOG.warn("control channel: data plane {} sent {}", ws.remoteAddress(), e.getMessage());
    }
  }

  /**
   * Sends the whole table in force to {@code peer} off the event loop (writing 10,000 Ingresses'
   * table takes a while), unless one newer than {@code after} went to it already: one whole table
   * answers the {@link ControlMessage.Resend}s of every patch sent before it.
   */
  private void sendWholeLater(Peer peer, long after) {
    vertx.executeBlocking(() -> {
      synchronized (this) {
        if (latest != null && dataPlanes.get(peer.ws) == peer && (peer.sent == null || peer.wholeVersion < after)) {
          sendWhole(peer);
        }
      }
      return null;
    });
  }

  private void sendWhole(Peer peer) {
    if (latestWhole == null) {
      latestWhole = ControlCodec.encode(new ControlMessage.Table(latest));
    }
    peer.ws.writeTextMessage(latestWhole);
    peer.sent = latest;
    peer.wholeVersion = latest.version();
  }

  /** Publishes a table to every connected data plane and to those that connect later. */
  @Override
  public synchronized void accept(RoutingTable table) {
    latest = table;
    latestWhole = null;
    RoutingTable base = null;
    String patch = null; // data planes that got the same table last get the same patch
    for (Peer peer : dataPlanes.values()) {
      if (peer.sent == null || peer.wholeOnly) {
        sendWhole(peer);
        continue;
      }
      if (peer.sent != base) {
        base = peer.sent;
        patch = ControlCodec.encode(TablePatches.between(base, table));
      }
      peer.ws.writeTextMessage(patch);
      peer.sent = table;
    }
    LOG.info("routing table version {} published to {} data planes", table.version(), dataPlanes.size());
  }

  /** A connected data plane: what it was sent and what it applied. */
  private static final class Peer {
    final ServerWebSocket ws;
    /** The last table sent to it, which the next patch is against; null until its whole table went. Guarded by the server. */
    RoutingTable sent;
    /** The version of the last whole table sent to it. Guarded by the server. */
    long wholeVersion;
    /** Whether it reads whole tables only (it could not read a patch). */
    volatile boolean wholeOnly;
    volatile long applied;

    Peer(ServerWebSocket ws) {
      this.ws = ws;
    }
  }

  /** The version each connected data plane last applied (0: none yet), by remote address. */
  public Map<String, Long> appliedVersions() {
    Map<String, Long> versions = new java.util.TreeMap<>();
    dataPlanes.forEach((ws, peer) -> versions.put(String.valueOf(ws.remoteAddress()), peer.applied));
    return versions;
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
