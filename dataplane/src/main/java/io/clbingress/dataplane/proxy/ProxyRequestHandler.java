package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.accesslog.AccessLog;
import io.clbingress.dataplane.accesslog.AccessRecord;
import io.clbingress.dataplane.accesslog.RequestId;
import io.clbingress.dataplane.metrics.ProxyMetrics;
import io.clbingress.dataplane.table.ClientLimits;
import io.clbingress.dataplane.tracing.ProxySpan;
import io.clbingress.dataplane.tracing.ProxyTracing;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.Map;
import java.util.HashMap;

import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.routing.ConnectionLimitZone;
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
  /** Where redirects to HTTPS point: no port in the URL for 443. */
  private final String httpsPortSuffix;
  /** Set when this server's port left the routing table: the router its open connections go on with. */
  private volatile Router drainingWith;

  /** Who the client is behind trusted proxies ({@code --trusted-proxies}). */
  private final RealIp realIp;
  /** Which answers are compressed, per listener ({@link Compression#of(ListenerRouter)}). */
  private final Compression compression;
  /** Client request headers with {@code _} in their names go on to backends ({@code --enable-underscores-in-headers}). */
  private final boolean underscoresInHeaders;
  /** The request in hand's values, for a route's rules (one object per handler, on its event loop). */
  private final RequestValueReaders.VertxRequests requestValues = new RequestValueReaders.VertxRequests();
  /** This event loop's authentication checks (basic and external). */
  private final AuthClient auth;
  /** The access log ({@code --access-log}). */
  private final AccessLog accessLog;
  /** Spans of the requests dispatched to backends ({@code --otlp-endpoint}), or null when tracing is off. */
  private final ProxyTracing tracing;

  ProxyRequestHandler(Supplier<Router> router, ListenerSelector selector, HttpForwarder forwarder,
      WebSocketProxy webSockets, ProxyMetrics metrics, int httpsPort, RealIp realIp, AuthClient auth,
      Compression compression, AccessLog accessLog, ProxyTracing tracing, boolean underscoresInHeaders) {
    this.accessLog = accessLog;
    this.tracing = tracing;
    this.auth = auth;
    this.underscoresInHeaders = underscoresInHeaders;
    this.realIp = realIp;
    this.compression = compression;
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
  void connected(HttpConnection connection, ClientLimits limits) {
    DrainingConnections.install(connection);
    ConnectionGuard guard = new ConnectionGuard(((io.vertx.core.net.impl.ConnectionBase) connection).channel(), limits);
    guards.put(connection, guard);
    connection.closeHandler(v -> {
      guard.closed();
      guards.remove(connection);
    });
  }

  /** Who the client is behind trusted proxies, for the Netty engine's connections of this server. */
  RealIp realIp() {
    return realIp;
  }

  /** The tracing, for the Netty engine's connections of this server; null when off. */
  ProxyTracing tracing() {
    return tracing;
  }

  /** The compression settings, for the Netty engine's connections of this server. */
  Compression compression() {
    return compression;
  }

  /** Whether client request headers with {@code _} in their names go on to backends, for the Netty engine. */
  boolean underscoresInHeaders() {
    return underscoresInHeaders;
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
  ListenerRouter listener() {
    Router frozen = drainingWith;
    Router current = frozen != null ? frozen : router.get();
    return current == null ? null : selector.select(current);
  }

  static ClientLimits limits(ListenerRouter listener) {
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
    RealIp.Client from = ProxyHeaders.client(request, realIp);
    String clientIp = from == null ? null : from.ip();
    String requestId = requestId(request);
    AccessRecord access = accessLog.begin();
    if (access != null) {
      describe(access, request, from, requestId);
    }
    Dispatch dispatch = Dispatch.of(listener, RequestHead.refusal(request), request.uri(), rawPath(request),
        request.query(), AbsoluteForm.hostSent(request), request.authority(), WebSocketProxy.isUpgrade(request),
        request.method() == HttpMethod.OPTIONS, Dispatch.declaredLength(request.getHeader(HttpHeaders.CONTENT_LENGTH)),
        requestValues.of(request, from));
    requestValues.of(null, null); // read during dispatch only
    CompiledRoute route = dispatch.route();
    if (access != null) {
      AccessFacts.routed(access, listener, route);
    }
    long started = System.nanoTime();
    String label = route == null ? ProxyMetrics.NO_ROUTE : route.route().source();
    ConnectionLimitZone.Lease lease = dispatch.lease();
    ProxySpan span = tracing == null || !dispatch.sends() ? null : RequestTracing.start(tracing, request, dispatch, from);
    // Vert.x calls the end handler when the answer ends, and also when the stream is reset or the
    // connection closes before it did: the request's place in its connection limit goes back then;
    // a tunnel's (101) when its connection closes.
    request.response().endHandler(v -> {
      if (guard != null) {
        guard.requestEnded(limits);
      }
      if (lease != null && request.response().getStatusCode() != 101) {
        lease.release();
      }
      long bytesIn = request.bytesRead();
      long bytesOut = request.response().bytesWritten();
      // an answer whose head never went out: the client left (or reset its stream) first, nginx's 499
      int status = request.response().headWritten() ? request.response().getStatusCode() : 499;
      metrics.answered(label, status, System.nanoTime() - started, bytesIn, bytesOut);
      if (access != null) {
        access.received(bytesIn);
        access.sent(bytesOut);
        accessLog.write(access, status);
      }
      if (span != null) {
        span.end(request.response().ended() ? request.response().getStatusCode() : 0);
      }
    });
    if (lease != null && dispatch.action() == Dispatch.Action.UPGRADE) {
      ((io.vertx.core.net.impl.ConnectionBase) request.connection()).channel().closeFuture()
          .addListener(closed -> lease.release());
    }
    if (dispatch.corsOrigin() != null) {
      editAnswer(request, dispatch, null);
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} {} host={} from {} -> {}", request.method(), request.uri(), request.authority(),
          clientIp, route == null ? "no route" : route.key());
    }
    switch (dispatch.action()) {
      case REFUSE -> {
        int status = dispatch.status();
        LOG.debug("refused {} {} from {}: {}", request.method(), request.uri(), clientIp, status);
        if (status == 405) {
          request.response().putHeader("allow", RequestHead.ALLOWED_METHODS);
        }
        Responses.send(request, status, Responses.reason(status));
      }
      case CLIENT_CERTIFICATE -> {
        String page = route.clientCertificates().errorLocation(request.uri());
        if (page != null) {
          redirect(request, 302, page);
        } else {
          Responses.send(request, 400, route.clientCertificates().refusalText(request.isSSL() ? request.sslSession() : null));
        }
      }
      case NOT_FOUND -> Responses.send(request, 404, "Not Found");
      case FORBIDDEN -> Responses.send(request, 403, "Forbidden");
      case LIMITED -> Responses.send(request, dispatch.status(), Responses.reason(dispatch.status()));
      case PREFLIGHT -> Responses.noContent(request);
      case REDIRECT -> redirect(request, route.redirect().statusCode(),
          dispatch.redirectLocation(request.isSSL() ? "https" : "http"));
      case REDIRECT_TO_HTTPS -> redirect(request, 308, httpsLocation(dispatch));
      case NO_ENDPOINT -> Responses.send(request, 503, "Service Unavailable");
      case UPGRADE -> authorized(request, dispatch, () -> webSockets.open(new VertxUpgrade(request,
          guard == null ? () -> { } : () -> {
            // Vert.x tells the tunnel's socket of the close from now on, not the connection's close handler.
            guard.tunnelled();
            guards.remove(request.connection());
          }, dispatch.balanceKey(), from, access,
          io.clbingress.dataplane.accesslog.TunnelLog.webSocket(accessLog, access), underscoresInHeaders),
          route, dispatch.uri()));
      case TOO_LARGE -> Responses.tooLarge(request);
      case FORWARD -> authorized(request, dispatch, () -> forwarder.forward(request, from,
          GzipRequest.of(compression, listener, request), access, route, dispatch.uri(), dispatch.balanceKey()));
    }
  }

  /**
   * The request's {@code X-Request-ID} (ingress-nginx's {@code generate-request-id}): the client's
   * when usable ({@link RequestId}), else a new one set on the request, so that the backend gets it.
   */
  private static String requestId(HttpServerRequest request) {
    String sent = request.getHeader(RequestId.HEADER);
    String id = RequestId.ensure(sent);
    if (id != sent) {
      request.headers().set(RequestId.HEADER, id);
    }
    return id;
  }

  /** What the access log learns from the request head and its connection. */
  private static void describe(AccessRecord access, HttpServerRequest request, RealIp.Client from, String requestId) {
    boolean direct = from != null && from.proto() == null && from.ip().equals(from.forwardedFor());
    access.request(from == null ? null : from.ip(), direct && request.remoteAddress() != null ? request.remoteAddress().port() : -1,
        request.method().name(), AbsoluteForm.hostSent(request), request.uri(), protocol(request.version()),
        request.getHeader("user-agent"), request.getHeader("referer"), requestId);
    if (request.isSSL()) {
      AccessFacts.tls(access, request.sslSession(), request.connection().indicatedServerName());
    }
  }

  /** The request's protocol as nginx's {@code $server_protocol} names it. */
  private static String protocol(HttpVersion version) {
    return switch (version) {
      case HTTP_2 -> "HTTP/2.0";
      case HTTP_1_0 -> "HTTP/1.0";
      case HTTP_1_1 -> "HTTP/1.1";
    };
  }

  /**
   * Runs {@code then} (the request goes on) at once, or, for a route with external authentication,
   * once its service allowed the request, with the service's headers set on it; a refused request
   * gets the verdict's answer instead, and nothing of it reaches the backend.
   */
  private void authorized(HttpServerRequest request, Dispatch dispatch, Runnable then) {
    AuthCall call = dispatch.auth();
    if (call == null) {
      then.run();
      return;
    }
    request.pause(); // its body waits for the verdict
    CompiledRoute route = dispatch.route();
    AuthClient.Abandon check = new AuthClient.Abandon();
    request.response().closeHandler(closed -> check.abandon()); // (the forwarder sets its own later)
    auth.check(call, request.method().name(), request.headers(), route.timeouts(), route.route().source(), check)
        .onComplete(checked -> {
          AuthVerdict verdict = checked.result();
          if (request.response().closed()) {
            return; // the client left while its service was asked
          }
          if (!verdict.allowed()) {
            LOG.debug("{} {}: external auth answered {}", route.key(), request.uri(), verdict.status());
            HttpServerResponse response = request.response();
            verdict.answerHeaders().forEach(header -> response.headers().add(header.getKey(), header.getValue()));
            Responses.send(request, verdict.status(), Responses.reason(verdict.status()));
            return;
          }
          verdict.applyTo(java.util.List.copyOf(request.headers().names()), request.headers()::remove,
              request.headers()::add);
          if (!verdict.setCookies().isEmpty()) {
            editAnswer(request, dispatch, verdict);
          }
          then.run();
        });
  }

  /**
   * The edits of the answer's head as it is written: the route's CORS headers for an allowed
   * origin, and the external authentication's {@code Set-Cookie} for the statuses it covers.
   *
   * @param verdict an allowing verdict with cookies, or null
   */
  private static void editAnswer(HttpServerRequest request, Dispatch dispatch, AuthVerdict verdict) {
    HttpServerResponse response = request.response();
    CompiledRoute route = dispatch.route();
    response.headersEndHandler(v -> {
      if (dispatch.corsOrigin() != null) {
        route.cors().applyTo(name -> String.join(", ", response.headers().getAll(name)), response.headers()::set,
            response.headers()::remove, dispatch.corsOrigin());
      }
      if (verdict != null && route.auth().external().setsCookieOn(response.getStatusCode())) {
        verdict.setCookies().forEach(cookie -> response.headers().add("set-cookie", cookie));
      }
    });
  }

  private static String rawPath(HttpServerRequest request) {
    String path = request.path();
    return path == null || path.isEmpty() ? "/" : path;
  }

  /** Where a request redirected to HTTPS goes: the same authority's host on the HTTPS port, the same target. */
  String httpsLocation(Dispatch dispatch) {
    HostAndPort authority = dispatch.authority();
    return "https://" + (authority == null ? "" : authority.host()) + httpsPortSuffix + dispatch.uri();
  }

  /** Whether this server's port left the routing table: every answer is the last on its connection. */
  boolean draining() {
    return drainingWith != null;
  }

  /** A redirect; to HTTPS it is 308, which keeps the method and body unlike 301/302 (as ingress-nginx answers by default). */
  private static void redirect(HttpServerRequest request, int status, String location) {
    boolean bodyWillNotCome = ExpectContinue.awaited(request);
    if (bodyWillNotCome) {
      Responses.lastOnConnection(request);
    }
    var written = request.response().setStatusCode(status)
        .putHeader("location", location)
        .end();
    if (bodyWillNotCome) {
      Responses.closeWhenWritten(request, written);
    }
  }
}
