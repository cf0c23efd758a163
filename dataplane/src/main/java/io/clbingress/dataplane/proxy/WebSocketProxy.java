package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Timeouts;
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
  private final NetClient client;
  private final TunnelRegistry tunnels;
  private final StickySessions sessions;

  WebSocketProxy(Vertx vertx, NetClient client, TunnelRegistry tunnels, StickySessions sessions) {
    this.vertx = vertx;
    this.client = client;
    this.tunnels = tunnels;
    this.sessions = sessions;
  }

  static boolean isUpgrade(HttpServerRequest request) {
    String upgrade = request.getHeader("upgrade");
    return upgrade != null && request.method() == HttpMethod.GET
        && upgrade.toLowerCase(Locale.ROOT).contains("websocket")
        && ProxyHeaders.connectionHasToken(request.headers(), "upgrade");
  }

  /**
   * @param uri the request target to send: the normalised path and the client's query
   * @param onTunnel told when the client's connection has become a tunnel
   */
  void open(HttpServerRequest request, CompiledRoute route, String uri, Runnable onTunnel) {
    request.pause();
    EndpointPicker picker = route.cluster().picker();
    EndpointConnector.connect(picker, sessions.choose(request, route), index -> {
          Endpoint endpoint = picker.endpoint(index);
          return client.connect(BackendConnections.options(endpoint, route));
        }, () -> true, (index, cause, retrying) -> {
          if (!retrying) {
            LOG.warn("{} cannot connect to {} for a WebSocket: {}", route.route().source(), picker.endpoint(index),
                cause.toString());
          }
        })
        .onSuccess(connected -> handshake(request, uri, route, connected.index(), connected.connection(), onTunnel))
        .onFailure(e -> Responses.send(request, 502, "Bad Gateway"));
  }

  private void handshake(HttpServerRequest request, String uri, CompiledRoute route, int index, NetSocket backend,
      Runnable onTunnel) {
    if (request.response().closed()) {
      backend.close(); // the client left while the backend connection was being made
      return;
    }
    EndpointPicker picker = route.cluster().picker();
    Endpoint endpoint = picker.endpoint(index);
    Timeouts timeouts = route.timeouts();
    AtomicBoolean settled = new AtomicBoolean();
    long handshakeTimer = vertx.setTimer(timeouts.readMillis(), id -> {
      if (settled.compareAndSet(false, true)) {
        backend.close();
        Responses.send(request, 504, "Gateway Timeout");
      }
    });
    request.response().closeHandler(v -> {
      // The client gave up while its upgrade was under way: the backend connection goes too.
      if (settled.compareAndSet(false, true)) {
        vertx.cancelTimer(handshakeTimer);
        backend.close();
      }
    });
    BackendUpgrade.exchange(backend, upgradeRequest(request, uri, route, endpoint)).onComplete(answered -> {
      if (!settled.compareAndSet(false, true)) {
        backend.close();
        if (answered.succeeded()) {
          answered.result().release();
        }
        return;
      }
      vertx.cancelTimer(handshakeTimer);
      if (answered.failed() || answered.result().status().code() >= 500) {
        picker.failed(index);
      } else {
        picker.succeeded(index);
      }
      if (answered.failed()) {
        backend.close();
        LOG.warn("{}: WebSocket upgrade {} to {} failed ({}): 502", route.route().source(), uri, endpoint,
            answered.cause().toString());
        Responses.send(request, 502, "Bad Gateway");
      } else if (answered.result().status().code() == 101) {
        splice(request, route, index, answered.result(), backend, onTunnel);
      } else {
        relayRefusal(request, answered.result(), backend);
      }
    });
  }

  /** The client's upgrade request as the backend gets it: the route's target, the proxy's headers. */
  private static HttpRequest upgradeRequest(HttpServerRequest request, String uri, CompiledRoute route,
      Endpoint endpoint) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    ProxyHeaders.copyRequest(request, headers, true, route.clientCertificates());
    if (!headers.contains("Host")) {
      headers.set("Host", endpoint.address() + ":" + endpoint.port()); // an HTTP/1.0 client sent none
    }
    HttpHeaders netty = new DefaultHttpHeaders(false);
    headers.forEach(header -> netty.add(header.getKey(), header.getValue()));
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.GET, uri, Unpooled.EMPTY_BUFFER, netty,
        EmptyHttpHeaders.INSTANCE);
  }

  private void splice(HttpServerRequest request, CompiledRoute route, int index, FullHttpResponse upgraded,
      NetSocket backend, Runnable onTunnel) {
    EndpointPicker picker = route.cluster().picker();
    HttpServerResponse response = request.response();
    response.setStatusCode(101);
    upgraded.headers().forEach(header -> response.headers().add(header.getKey(), header.getValue()));
    upgraded.release();
    request.toNetSocket().onComplete(switched -> {
      if (switched.failed()) {
        backend.close();
        return;
      }
      onTunnel.run();
      picker.started(index);
      Tunnel[] self = new Tunnel[1];
      self[0] = new Tunnel(switched.result(), backend, route.timeouts().readMillis(), route.key(),
          picker.endpoint(index), () -> {
            tunnels.remove(self[0]);
            picker.finished(index);
          });
      tunnels.add(self[0]);
      self[0].start();
    });
  }

  private static void relayRefusal(HttpServerRequest request, FullHttpResponse refusal, NetSocket backend) {
    HttpServerResponse response = request.response();
    response.setStatusCode(refusal.status().code());
    response.setStatusMessage(refusal.status().reasonPhrase());
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    refusal.headers().forEach(header -> headers.add(header.getKey(), header.getValue()));
    ProxyHeaders.copyEndToEnd(headers, response.headers(), false);
    Buffer body = Buffer.buffer(ByteBufUtil.getBytes(refusal.content()));
    refusal.release();
    backend.close();
    response.end(body);
  }
}
