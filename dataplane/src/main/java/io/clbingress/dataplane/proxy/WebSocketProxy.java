package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.metrics.RouteMeters;
import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Timeouts;
import io.clbingress.dataplane.table.TunnelLimits;
import io.clbingress.dataplane.upstream.EndpointPicker;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The WebSocket handshake through the proxy. The upgrade goes to the backend on a dedicated
 * connection (an upgraded connection never returns to a pool), written and read at the Netty
 * level by {@link BackendUpgrade}; on 101 both connections become a {@link Tunnel}. Any other
 * answer is relayed as a plain response. Connect failures and timeouts answer 502 and 504 as for
 * plain requests; the handshake as a whole is bounded by the route's read timeout.
 */
final class WebSocketProxy {

  private static final Logger LOG = LogManager.getLogger(WebSocketProxy.class);

  private final Vertx vertx;
  /** The context of the verticle this serves (its event loop's), made current for what Vert.x does for an upgrade. */
  private final Context context;
  private final NetClient client;
  private final TunnelRegistry tunnels;
  private final StickySessions sessions;

  /** Made on the context of the verticle whose connections it serves. */
  WebSocketProxy(Vertx vertx, NetClient client, TunnelRegistry tunnels, StickySessions sessions) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.client = client;
    this.tunnels = tunnels;
    this.sessions = sessions;
  }

  /**
   * A WebSocket upgrade (RFC 6455 §4.1): a bodiless GET with {@code Upgrade: websocket} and the
   * {@code upgrade} token in Connection. A request with a body is forwarded as a plain request
   * (its Upgrade header is hop-by-hop), since bytes after its body could not be told from frames.
   */
  static boolean isUpgrade(HttpServerRequest request) {
    String upgrade = request.getHeader("upgrade");
    return upgrade != null && request.method() == HttpMethod.GET && isUpgrade(upgrade, request.headers().getAll("connection"),
        request.getHeader("transfer-encoding"), request.getHeader("content-length"));
  }

  /**
   * The same for a GET request read by Netty, from its headers: Upgrade (null when absent), every
   * Connection value, Transfer-Encoding and Content-Length (null when absent).
   */
  static boolean isUpgrade(String upgrade, java.util.List<String> connection, String transferEncoding,
      String contentLength) {
    return upgrade != null && transferEncoding == null && Dispatch.declaredLength(contentLength) <= 0
        && upgrade.toLowerCase(Locale.ROOT).contains("websocket") && ProxyHeaders.connectionHasToken(connection, "upgrade");
  }

  /**
   * The client's side of an upgrade, whichever engine serves its connection: a Vert.x request
   * ({@link VertxUpgrade}) or a Netty-level one ({@link Http1Upgrade}). Called on the client's
   * event loop.
   */
  interface UpgradeClient {
    /** The endpoint for this client (the route's scheduler, or its sticky session). */
    int chooseEndpoint(StickySessions sessions, CompiledRoute route);

    /** The upgrade request the backend gets: the route's target, the proxy's headers. */
    HttpRequest upgradeRequest(String uri, CompiledRoute route, Endpoint endpoint);

    /** The client's address, as the route's rules see it. */
    String clientAddress();

    /** Whether the client has gone. */
    boolean left();

    /** Runs {@code action} when the client goes before the upgrade is settled. */
    void onLeft(Runnable action);

    /** The upgrade request's access log facts, told of the upstream's address and times; null when the log is off. */
    io.clbingress.dataplane.accesslog.AccessRecord access();

    /** The facts of the tunnel's access log line known from the upgrade request, or null (the log is off). */
    io.clbingress.dataplane.accesslog.TunnelLog tunnelLog();

    /** The proxy's own answer (502, 504). */
    void answer(int status, String message);

    /** The backend's answer other than 101, relayed as a plain response. */
    void refuse(FullHttpResponse refusal);

    /** Writes the backend's 101 on and hands the client's side to {@code then} for the tunnel. */
    void switchProtocols(FullHttpResponse upgraded, java.util.function.Consumer<Tunnel.End> then);
  }

  /**
   * Opens the backend connection and tunnel of an upgrade. Run on the verticle's context: a Netty-level
   * connection's handler runs on the event loop with no Vert.x context current, and Vert.x would
   * make a new context for each connect and timer there, which each tunnel's backend connection
   * then kept for its whole life (a context, its task queue and maps: about 0.3 KiB per idle tunnel).
   *
   * @param uri the request target to send: the normalised path and the client's query
   */
  void open(UpgradeClient upgrading, CompiledRoute route, String uri) {
    Http1Takeover.dispatch(context, () -> openOnContext(upgrading, route, uri));
  }

  private void openOnContext(UpgradeClient upgrading, CompiledRoute route, String uri) {
    TunnelLimits limits = route.route().filter(TunnelLimits.class);
    TunnelCaps.Slot slot = limits == null ? TunnelCaps.NONE
        : tunnels.caps().reserve(route.route().source(), upgrading.clientAddress(), limits);
    if (slot == null) {
      LOG.debug("{}: WebSocket upgrade from {} over its tunnel cap: 503", route.route().source(),
          upgrading.clientAddress());
      upgrading.answer(503, "Service Unavailable");
      return;
    }
    EndpointPicker picker = route.cluster().picker();
    EndpointConnector.connect(route, upgrading.chooseEndpoint(sessions, route), index -> {
          Endpoint endpoint = picker.endpoint(index);
          if (upgrading.access() != null) {
            upgrading.access().upstreamConnecting(endpoint.toString());
          }
          return client.connect(BackendConnections.options(endpoint, route));
        }, () -> !upgrading.left(), (index, cause, retrying) -> {
          if (!retrying) {
            LOG.warn("{} cannot connect to {} for a WebSocket: {}", route.route().source(), picker.endpoint(index),
                cause.toString());
          }
        })
        .onSuccess(connected -> {
          tunnels.meters(route).upstreamConnected(connected.nanos());
          handshake(upgrading, uri, route, connected.index(), connected.connection(), slot);
        })
        .onFailure(e -> {
          slot.release();
          upgrading.answer(502, "Bad Gateway");
        });
  }

  /** @param slot the tunnel's place in its route's caps, given back unless a tunnel opens (then when it closes) */
  private void handshake(UpgradeClient upgrading, String uri, CompiledRoute route, int index, NetSocket backend,
      TunnelCaps.Slot slot) {
    if (upgrading.left()) {
      slot.release();
      backend.close(); // the client left while the backend connection was being made
      return;
    }
    EndpointPicker picker = route.cluster().picker();
    Endpoint endpoint = picker.endpoint(index);
    if (upgrading.access() != null) {
      upgrading.access().upstreamConnected();
    }
    Timeouts timeouts = route.timeouts();
    AtomicBoolean settled = new AtomicBoolean();
    long handshakeTimer = vertx.setTimer(timeouts.readMillis(), id -> {
      if (settled.compareAndSet(false, true)) {
        slot.release();
        backend.close();
        upgrading.answer(504, "Gateway Timeout");
      }
    });
    upgrading.onLeft(() -> {
      // The client gave up while its upgrade was under way: the backend connection goes too.
      if (settled.compareAndSet(false, true)) {
        slot.release();
        vertx.cancelTimer(handshakeTimer);
        backend.close();
      }
    });
    BackendUpgrade.exchange(backend, upgrading.upgradeRequest(uri, route, endpoint)).onComplete(answered -> {
      if (!settled.compareAndSet(false, true)) {
        backend.close();
        if (answered.succeeded()) {
          answered.result().release();
        }
        return;
      }
      vertx.cancelTimer(handshakeTimer);
      if (upgrading.access() != null && answered.succeeded()) {
        upgrading.access().upstreamHeader();
      }
      if (answered.failed() || answered.result().status().code() >= 500) {
        picker.failed(index);
      } else {
        picker.succeeded(index);
      }
      if (answered.failed()) {
        slot.release();
        backend.close();
        LOG.warn("{}: WebSocket upgrade {} to {} failed ({}): 502", route.route().source(), uri, endpoint,
            answered.cause().toString());
        upgrading.answer(502, "Bad Gateway");
      } else if (answered.result().status().code() == 101) {
        splice(upgrading, route, index, answered.result(), backend, slot);
      } else {
        slot.release();
        FullHttpResponse refusal = answered.result();
        backend.close();
        upgrading.refuse(refusal);
      }
    });
  }

  private void splice(UpgradeClient upgrading, CompiledRoute route, int index, FullHttpResponse upgraded,
      NetSocket backend, TunnelCaps.Slot slot) {
    EndpointPicker picker = route.cluster().picker();
    upgrading.switchProtocols(upgraded, clientEnd -> {
      if (clientEnd == null) {
        slot.release();
        backend.close();
        return;
      }
      picker.started(index);
      Tunnel[] self = new Tunnel[1];
      self[0] = new Tunnel(clientEnd, Tunnel.End.of(backend), route.timeouts().readMillis(), route.key(),
          picker.endpoint(index), tunnels.meters(route), RouteMeters.TunnelKind.WEBSOCKET, upgrading.tunnelLog(), () -> {
            tunnels.remove(self[0]);
            picker.finished(index);
            slot.release();
          });
      tunnels.add(self[0]);
      self[0].start();
    });
  }
}
