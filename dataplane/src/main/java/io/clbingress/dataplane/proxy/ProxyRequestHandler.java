package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.metrics.ProxyMetrics;
import io.clbingress.dataplane.table.ClientLimits;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import java.util.Map;
import java.util.HashMap;

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
  private final ProxyMetrics metrics;
  /**
   * Runs of slashes in a path are merged before routing and forwarding, as nginx's default
   * {@code merge_slashes on}: {@code //admin} must not slip past a {@code /admin} route's policy.
   */
  static final boolean MERGE_SLASHES = true;
  /** Where redirects to HTTPS point: no port in the URL for 443. */
  private final String httpsPortSuffix;
  /** Set when this server's port left the routing table: the router its open connections go on with. */
  private volatile Router drainingWith;

  ProxyRequestHandler(Supplier<Router> router, ListenerSelector selector, HttpForwarder forwarder,
      WebSocketProxy webSockets, ProxyMetrics metrics, int httpsPort) {
    this.metrics = metrics;
    this.httpsPortSuffix = httpsPort == 443 ? "" : ":" + httpsPort;
    this.router = router;
    this.selector = selector;
    this.forwarder = forwarder;
    this.webSockets = webSockets;
  }

  /**
   * Per open client connection of this event loop, its header and keep-alive timers. An entry is
   * removed when its connection closes, so the map holds exactly the open connections (a map
   * with weak keys would not do: each guard refers to its connection, so no key ever went).
   * Only this verticle's event loop touches it.
   */
  private final Map<HttpConnection, ConnectionGuard> guards = new HashMap<>();

  /** A new client connection: its request-head timer starts now, after {@code limits}' header timeout. */
  void connected(Vertx vertx, HttpConnection connection, ClientLimits limits) {
    DrainingConnections.install(connection);
    guards.put(connection, ConnectionGuard.watch(vertx, connection, limits, guards::remove));
  }

  /** The client limits of the listener this server serves in the router in force; the defaults when it has none. */
  ClientLimits currentLimits() {
    return limits(listener());
  }

  /**
   * The port left the routing table and its server drains: requests on the connections still
   * open are answered by {@code last} (the last router with this port's listener), each answer
   * with {@code Connection: close} so that the client moves on after it.
   */
  void drain(Router last) {
    drainingWith = last;
  }

  /**
   * The listener this server serves in the router in force (or, draining, in the last router
   * that had it), or null (none yet, or removed).
   */
  private ListenerRouter listener() {
    Router frozen = drainingWith;
    Router current = frozen != null ? frozen : router.get();
    return current == null ? null : selector.select(current);
  }

  private static ClientLimits limits(ListenerRouter listener) {
    return listener == null ? ClientLimits.DEFAULTS : listener.listener().limits();
  }

  @Override
  public void handle(HttpServerRequest request) {
    ListenerRouter listener = listener();
    ClientLimits limits = limits(listener);
    ConnectionGuard guard = guards.get(request.connection());
    if (guard != null) {
      guard.requestStarted();
    }
    boolean lastOnConnection = drainingWith != null ? !WebSocketProxy.isUpgrade(request) // a 101 keeps its Connection
        : limits.keepaliveMillis() == 0;
    if (lastOnConnection && request.version() != HttpVersion.HTTP_2) {
      request.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    int headRefusal = RequestHead.refusal(request);
    // RFC 9112 §3.2.2: an absolute-form target's authority wins over the Host header.
    boolean absolute = AbsoluteForm.isAbsolute(request.uri());
    HostAndPort named = absolute ? AbsoluteForm.parse(AbsoluteForm.targetAuthority(request.uri())) : request.authority();
    String path = headRefusal != 0 || (absolute && named == null) ? null
        : RequestPath.normalize(rawPath(request), MERGE_SLASHES);
    CompiledRoute route = path == null ? null : match(listener, named, path);
    long started = System.nanoTime();
    String label = route == null ? ProxyMetrics.NO_ROUTE : route.route().source();
    request.response().endHandler(v -> {
      if (guard != null) {
        guard.requestEnded(limits);
      }
      metrics.answered(label, request.response().getStatusCode(), System.nanoTime() - started);
    });
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} {} host={} from {} -> {}", request.method(), request.uri(), request.authority(),
          request.remoteAddress(), route == null ? "no route" : route.key());
    }
    if (path == null) { // refused head (RequestHead) or malformed target (RequestPath, AbsoluteForm)
      int status = headRefusal != 0 ? headRefusal : 400;
      LOG.debug("refused {} {} from {}: {}", request.method(), request.uri(), request.remoteAddress(), status);
      if (status == 405) {
        request.response().putHeader("allow", RequestHead.ALLOWED_METHODS);
      }
      Responses.send(request, status, status == 405 ? "Method Not Allowed" : "Bad Request");
      return;
    }
    String uri = forwardedUri(request, path);
    if (route == null) {
      Responses.send(request, 404, "Not Found");
    } else if (route.route().redirectToHttps()) {
      redirectToHttps(request, named, uri);
    } else if (!route.cluster().hasEndpoints()) {
      Responses.send(request, 503, "Service Unavailable");
    } else if (WebSocketProxy.isUpgrade(request)) {
      webSockets.open(request, route, uri, guard == null ? () -> { } : guard::tunnelled);
    } else if (route.maxBodyBytes() > 0 && declaredLength(request) > route.maxBodyBytes()) {
      Responses.tooLarge(request);
    } else {
      forwarder.forward(request, route, uri);
    }
  }

  private static String rawPath(HttpServerRequest request) {
    String path = request.path();
    return path == null || path.isEmpty() ? "/" : path;
  }

  /**
   * The request target sent on, always in origin form: the client's own when its path needed no
   * normalising, else the normalised path with the client's query (an absolute-form target
   * becomes its path and query, RFC 9112 §3.2.2).
   */
  private static String forwardedUri(HttpServerRequest request, String path) {
    String uri = request.uri();
    if (path == request.path() && uri.startsWith("/")) { // same instance: RequestPath changed nothing
      return uri;
    }
    String query = request.query();
    return query == null ? path : path + "?" + query;
  }

  /** Content-Length, or -1 when absent or unreadable (a chunked body is counted as it streams). */
  private static long declaredLength(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    try {
      return length == null ? -1 : Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** 308 keeps the method and body, unlike 301/302 (as ingress-nginx answers by default). */
  private void redirectToHttps(HttpServerRequest request, HostAndPort authority, String uri) {
    String host = authority == null ? "" : authority.host();
    boolean bodyWillNotCome = ExpectContinue.awaited(request);
    if (bodyWillNotCome) {
      Responses.lastOnConnection(request);
    }
    var written = request.response().setStatusCode(308)
        .putHeader("location", "https://" + host + httpsPortSuffix + uri)
        .end();
    if (bodyWillNotCome) {
      Responses.closeWhenWritten(request, written);
    }
  }

  private static CompiledRoute match(ListenerRouter listener, HostAndPort authority, String path) {
    if (listener == null) {
      return null;
    }
    return listener.match(authority == null ? null : authority.host(), path);
  }
}
