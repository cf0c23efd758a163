package io.clbingress.dataplane.control;

import io.clbingress.dataplane.DataPlane;
import io.clbingress.dataplane.table.RoutingTable;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The data plane's end of the control channel: connects to the operator, applies every table it
 * receives, answers with the version applied (or why not), and reconnects with capped
 * exponential backoff when the operator goes away. Meanwhile the last table keeps serving.
 */
public final class ControlPlaneClient implements AutoCloseable {

  private static final Logger LOG = LogManager.getLogger(ControlPlaneClient.class);
  static final long FIRST_BACKOFF_MILLIS = 250;
  static final long MAX_BACKOFF_MILLIS = 10_000;
  private static final long PING_MILLIS = 10_000;
  /** Large enough for 10,000 Ingresses' worth of routes in one message. */
  static final int MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

  private final Vertx vertx;
  private final URI controlPlane;
  private final String token;
  private final DataPlane dataPlane;
  private final WebSocketClient client;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile WebSocket current;
  private volatile boolean connected;
  private long backoffMillis = FIRST_BACKOFF_MILLIS;
  /**
   * The last table received on this connection (whole or rebuilt from a patch), applied or not:
   * the one the operator's next patch is made against. Null before the first.
   */
  private volatile RoutingTable held;

  public ControlPlaneClient(Vertx vertx, URI controlPlane, String token, DataPlane dataPlane) {
    this(vertx, controlPlane, token, null, dataPlane);
  }

  /**
   * @param caFile PEM certificates to trust for an https:// or wss:// control plane; null for the
   *     JVM's trust store. The host name is always verified.
   */
  public ControlPlaneClient(Vertx vertx, URI controlPlane, String token, String caFile, DataPlane dataPlane) {
    this.vertx = vertx;
    this.controlPlane = controlPlane;
    this.token = token;
    this.dataPlane = dataPlane;
    WebSocketClientOptions options = new WebSocketClientOptions()
        .setMaxFrameSize(1024 * 1024)
        .setMaxMessageSize(MAX_MESSAGE_BYTES)
        .setVerifyHost(true);
    if (caFile != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(caFile));
    }
    this.client = vertx.createWebSocketClient(options);
  }

  public void start() {
    connect();
  }

  public boolean isConnected() {
    return connected;
  }

  private void connect() {
    if (closed.get()) {
      return;
    }
    boolean tls = controlPlane.getScheme().equals("https") || controlPlane.getScheme().equals("wss");
    int port = controlPlane.getPort() > 0 ? controlPlane.getPort() : tls ? 443 : 80;
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost(controlPlane.getHost())
        .setPort(port)
        .setSsl(tls)
        .setURI(ControlMessage.PATH)
        .setTimeout(10_000)
        .putHeader("Authorization", "Bearer " + token);
    client.connect(options).onComplete(result -> {
      if (result.failed()) {
        LOG.warn("control plane {}: cannot connect: {}; retrying in {} ms", controlPlane,
            result.cause().getMessage(), backoffMillis);
        retryLater();
      } else {
        onConnected(result.result());
      }
    });
  }

  private void onConnected(WebSocket ws) {
    LOG.info("control plane {}: connected", controlPlane);
    current = ws;
    connected = true;
    held = null; // a new connection starts with the whole table
    backoffMillis = FIRST_BACKOFF_MILLIS;
    long pinger = vertx.setPeriodic(PING_MILLIS, id -> ws.writePing(io.vertx.core.buffer.Buffer.buffer("clb")));
    // Decoding and compiling a large table takes a while: on a worker (in arrival order), never on
    // the event loop, whose connections would wait meanwhile.
    ws.textMessageHandler(text -> vertx.executeBlocking(() -> answer(text), true)
        .onSuccess(answer -> ws.writeTextMessage(ControlCodec.encode(answer))));
    ws.closeHandler(v -> {
      vertx.cancelTimer(pinger);
      connected = false;
      if (!closed.get()) {
        LOG.warn("control plane {}: connection lost; serving version {} meanwhile", controlPlane, servingVersion());
        retryLater();
      }
    });
    ws.exceptionHandler(e -> LOG.debug("control plane {}: {}", controlPlane, e.toString()));
  }

  /**
   * Applies a table or patch message; the answer goes back to the operator. Called in arrival
   * order, one at a time (an ordered worker), so {@link #held} needs no lock.
   */
  ControlMessage answer(String text) {
    RoutingTable table;
    try {
      ControlMessage message = ControlCodec.decode(text);
      if (message instanceof ControlMessage.Table whole) {
        table = whole.table();
      } else if (message instanceof ControlMessage.Patch patch) {
        try {
          table = TablePatches.apply(held == null ? RoutingTable.empty() : held, patch);
        } catch (IllegalArgumentException e) {
          LOG.warn("control plane {}: cannot rebuild version {} from its patch ({}); asking for the whole table",
              controlPlane, patch.version(), e.getMessage());
          return new ControlMessage.Resend(patch.version(), e.getMessage());
        }
      } else {
        dataPlane.metrics().tableRejected();
        return new ControlMessage.Rejected(-1, "expected a table message");
      }
    } catch (IllegalArgumentException e) {
      LOG.error("control plane {}: rejected a routing table: {}", controlPlane, e.getMessage());
      dataPlane.metrics().tableRejected();
      return new ControlMessage.Rejected(-1, e.getMessage());
    }
    // The operator's next patch is against this table, applied or not: it is the last one sent.
    held = table;
    try {
      dataPlane.apply(table);
      return new ControlMessage.Applied(table.version());
    } catch (RuntimeException e) {
      LOG.error("control plane {}: cannot apply version {}: {}", controlPlane, table.version(), e.toString());
      dataPlane.metrics().tableRejected();
      return new ControlMessage.Rejected(table.version(), e.toString());
    }
  }

  private void retryLater() {
    if (closed.get()) {
      return;
    }
    long delay = backoffMillis + ThreadLocalRandom.current().nextLong(backoffMillis / 4 + 1);
    backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
    vertx.setTimer(delay, id -> connect());
  }

  private long servingVersion() {
    return dataPlane.applied() == null ? 0 : dataPlane.applied().table().version();
  }

  @Override
  public void close() {
    closed.set(true);
    WebSocket ws = current;
    if (ws != null) {
      ws.close();
    }
  }
}
