package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.tracing.ProxySpan;
import io.clbingress.dataplane.tracing.ProxyTracing;
import io.clbingress.dataplane.tracing.TraceHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;

/**
 * Where the engines start a request's span ({@link ProxyTracing}) when it is dispatched to a
 * backend (forwarded, or its WebSocket upgrade tunnelled): its context goes into the request's own
 * headers, which the backend receives. Each engine ends the span where its answer ends. With
 * tracing off ({@code --otlp-endpoint} unset) the engines hold no {@link ProxyTracing} and never
 * call here.
 */
final class RequestTracing {

  private RequestTracing() {
  }

  /**
   * The span of a request the Netty engine (HTTP/1.x) dispatches, or null when its route is not traced.
   *
   * @param localPort the listener's port as text, or null
   */
  static ProxySpan start(ProxyTracing tracing, HttpRequest request, Dispatch dispatch, boolean tls, String clientIp,
      String peerIp, String localPort) {
    HttpHeaders headers = request.headers();
    ProxySpan span = tracing.start(dispatch.route().route(), request.method().name(), TraceHeaders.of(headers::get, headers::set, headers::remove));
    if (span != null && span.recording()) {
      String uri = request.uri();
      span.request(tls ? "https" : "http", Dispatch.pathOf(uri), Dispatch.queryOf(uri), host(dispatch),
          port(dispatch, localPort), request.protocolVersion().minorVersion() == 0 ? "1.0" : "1.1", clientIp, peerIp,
          headers.get(HttpHeaderNames.USER_AGENT));
    }
    return span;
  }

  /** The span of a request Vert.x (h2) dispatches, or null when its route is not traced. */
  static ProxySpan start(ProxyTracing tracing, HttpServerRequest request, Dispatch dispatch, RealIp.Client from) {
    MultiMap headers = request.headers();
    ProxySpan span = tracing.start(dispatch.route().route(), request.method().name(), TraceHeaders.of(headers::get, headers::set, headers::remove));
    if (span != null && span.recording()) {
      SocketAddress local = request.localAddress();
      SocketAddress remote = request.remoteAddress();
      span.request(request.isSSL() ? "https" : "http", request.path(), request.query(), host(dispatch),
          port(dispatch, local == null ? null : Integer.toString(local.port())),
          switch (request.version()) {
            case HTTP_1_0 -> "1.0";
            case HTTP_1_1 -> "1.1";
            case HTTP_2 -> "2";
          },
          from == null ? null : from.ip(), remote == null ? null : remote.hostAddress(), headers.get("user-agent"));
    }
    return span;
  }

  private static String host(Dispatch dispatch) {
    HostAndPort named = dispatch.authority();
    return named == null ? null : named.host();
  }

  private static int port(Dispatch dispatch, String localPort) {
    HostAndPort named = dispatch.authority();
    if (named != null && named.port() > 0) {
      return named.port();
    }
    return localPort == null ? 0 : Integer.parseInt(localPort);
  }
}
