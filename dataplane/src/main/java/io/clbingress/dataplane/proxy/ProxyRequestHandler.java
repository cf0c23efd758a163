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
  /** Where redirects to HTTPS point: no port in the URL for 443. */
  private final String httpsPortSuffix;

  ProxyRequestHandler(Supplier<Router> router, ListenerSelector selector, HttpForwarder forwarder,
      WebSocketProxy webSockets, int httpsPort) {
    this.httpsPortSuffix = httpsPort == 443 ? "" : ":" + httpsPort;
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
    } else if (route.route().redirectToHttps()) {
      redirectToHttps(request);
    } else if (!route.cluster().hasEndpoints()) {
      Responses.send(request, 503, "Service Unavailable");
    } else if (WebSocketProxy.isUpgrade(request)) {
      webSockets.open(request, route);
    } else {
      forwarder.forward(request, route);
    }
  }

  /** 308 keeps the method and body, unlike 301/302 (as ingress-nginx answers by default). */
  private void redirectToHttps(HttpServerRequest request) {
    HostAndPort authority = request.authority();
    String host = authority == null ? "" : authority.host();
    request.response().setStatusCode(308)
        .putHeader("location", "https://" + host + httpsPortSuffix + request.uri())
        .end();
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
