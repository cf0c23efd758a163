package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.routing.ListenerRouter;
import io.clbingress.dataplane.routing.Router;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Entry point of every request on a listener: reads the current router once, matches, and hands
 * the request to the WebSocket or plain forwarder. No locks, no per-request route objects.
 */
final class ProxyRequestHandler implements Handler<HttpServerRequest> {

  private static final Logger LOG = LogManager.getLogger(ProxyRequestHandler.class);

  private final Supplier<Router> router;
  private final ListenerSelector selector;
  private final HttpForwarder forwarder;
  private final WebSocketProxy webSockets;

  ProxyRequestHandler(Supplier<Router> router, ListenerSelector selector, HttpForwarder forwarder,
      WebSocketProxy webSockets) {
    this.router = router;
    this.selector = selector;
    this.forwarder = forwarder;
    this.webSockets = webSockets;
  }

  @Override
  public void handle(HttpServerRequest request) {
    CompiledRoute route = match(request);
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} {} host={} from {} -> {}", request.method(), request.uri(), request.authority(),
          request.remoteAddress(), route == null ? "no route" : route.key());
    }
    if (route == null) {
      Responses.send(request, 404, "Not Found");
    } else if (!route.cluster().hasEndpoints()) {
      Responses.send(request, 503, "Service Unavailable");
    } else if (WebSocketProxy.isUpgrade(request)) {
      webSockets.open(request, route);
    } else {
      forwarder.forward(request, route);
    }
  }

  private CompiledRoute match(HttpServerRequest request) {
    Router current = router.get();
    ListenerRouter listener = current == null ? null : selector.select(current);
    if (listener == null) {
      return null;
    }
    HostAndPort authority = request.authority();
    String path = request.path();
    return listener.match(authority == null ? null : authority.host(), path == null ? "/" : path);
  }
}
