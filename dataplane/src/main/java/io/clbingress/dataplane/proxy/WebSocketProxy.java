package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Timeouts;
import io.clbingress.dataplane.upstream.EndpointPicker;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The WebSocket handshake through the proxy. The upgrade goes to the backend on a dedicated,
 * unpooled connection (an upgraded connection never returns to a pool, so it must not hold a
 * pool slot); on 101 both sockets become a {@link Tunnel}. Any other answer is relayed
 * as a plain response. Connect failures and timeouts answer 502 and 504 as for plain requests.
 */
final class WebSocketProxy {

  private static final Logger LOG = LogManager.getLogger(WebSocketProxy.class);

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final TunnelRegistry tunnels;
  private final StickySessions sessions;

  WebSocketProxy(Vertx vertx, HttpClientAgent client, TunnelRegistry tunnels, StickySessions sessions) {
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
          return client.connect(new HttpConnectOptions().setHost(endpoint.address()).setPort(endpoint.port())
              .setSsl(route.cluster().isTls()).setConnectTimeout(route.timeouts().connectMillis()));
        }, () -> true, (index, cause, retrying) -> {
          if (!retrying) {
            LOG.warn("{} cannot connect to {} for a WebSocket: {}", route.route().source(), picker.endpoint(index),
                cause.toString());
          }
        })
        .onSuccess(connected -> handshake(request, uri, route, connected.index(), connected.connection(), onTunnel))
        .onFailure(e -> Responses.send(request, 502, "Bad Gateway"));
  }

  private void handshake(HttpServerRequest request, String uri, CompiledRoute route, int index, HttpClientConnection connection,
      Runnable onTunnel) {
    if (request.response().closed()) {
      connection.close(); // the client left while the backend connection was being made
      return;
    }
    EndpointPicker picker = route.cluster().picker();
    Endpoint endpoint = picker.endpoint(index);
    Timeouts timeouts = route.timeouts();
    AtomicBoolean settled = new AtomicBoolean();
    long handshakeTimer = vertx.setTimer(timeouts.readMillis(), id -> {
      if (settled.compareAndSet(false, true)) {
        connection.close();
        Responses.send(request, 504, "Gateway Timeout");
      }
    });
    request.response().closeHandler(v -> {
      // The client gave up while its upgrade was under way: the backend connection goes too.
      if (settled.compareAndSet(false, true)) {
        vertx.cancelTimer(handshakeTimer);
        connection.close();
      }
    });
    connection.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(uri))
        .compose(upstream -> {
          // Failures reach the future below; after the upgrade the tunnel watches the socket.
          upstream.exceptionHandler(e -> LOG.debug("{} upgrade request to {}: {}", route.key(), endpoint, e.toString()));
          ProxyHeaders.copyRequest(request, upstream.headers(), true, route.clientCertificates());
          return upstream.connect();
        })
        .onComplete(answered -> {
          if (!settled.compareAndSet(false, true)) {
            connection.close();
            return;
          }
          vertx.cancelTimer(handshakeTimer);
          if (answered.failed() || answered.result().statusCode() >= 500) {
            picker.failed(index);
          } else {
            picker.succeeded(index);
          }
          if (answered.failed()) {
            connection.close();
            LOG.warn("{}: WebSocket upgrade {} to {} failed ({}): 502", route.route().source(), uri, endpoint,
                answered.cause().toString());
            Responses.send(request, 502, "Bad Gateway");
          } else if (answered.result().statusCode() == 101) {
            splice(request, route, index, answered.result(), connection, onTunnel);
          } else {
            relayRefusal(request, answered.result(), connection);
          }
        });
  }

  private void splice(HttpServerRequest request, CompiledRoute route, int index, HttpClientResponse upgraded,
      HttpClientConnection connection, Runnable onTunnel) {
    EndpointPicker picker = route.cluster().picker();
    HttpServerResponse response = request.response();
    response.setStatusCode(101);
    response.headers().addAll(upgraded.headers());
    request.toNetSocket().onComplete(switched -> {
      if (switched.failed()) {
        connection.close();
        return;
      }
      onTunnel.run();
      picker.started(index);
      Tunnel[] self = new Tunnel[1];
      self[0] = new Tunnel(vertx, switched.result(), upgraded.netSocket(), route.timeouts().readMillis(),
          route.key(), picker.endpoint(index), () -> {
            // The upgraded sockets are streams of their HTTP connections: ending them ends the
            // exchange, not the TCP connection, which would stay open (with all its state) until
            // the peer closed it. Both connections close once what is queued is written.
            connection.close();
            request.connection().close();
            tunnels.remove(self[0]);
            picker.finished(index);
          });
      tunnels.add(self[0]);
      self[0].start();
    });
  }

  private static void relayRefusal(HttpServerRequest request, HttpClientResponse refusal, HttpClientConnection connection) {
    HttpServerResponse response = request.response();
    response.setStatusCode(refusal.statusCode());
    response.setStatusMessage(refusal.statusMessage());
    ProxyHeaders.copyEndToEnd(refusal.headers(), response.headers(), false);
    refusal.body().onComplete(body -> {
      connection.close();
      if (body.failed()) {
        Responses.send(request, 502, "Bad Gateway");
      } else {
        response.end(body.result());
      }
    });
  }
}
