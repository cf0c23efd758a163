package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.RequestValues;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.net.SslHandshakeCompletionHandler;
import javax.net.ssl.SSLSession;

/** A request's {@link RequestValues} from either engine, read only when a route's rules ask for them. */
final class RequestValueReaders {

  private RequestValueReaders() {
  }

  /** The SNI name of a TLS connection's handshake, as Vert.x keeps it on the channel; null for none. */
  static String serverNameOf(io.netty.channel.Channel channel) {
    AttributeKey<String> key = SslHandshakeCompletionHandler.SERVER_NAME_ATTR;
    return channel.hasAttr(key) ? channel.attr(key).get() : null;
  }

  /**
   * The requests of one HTTP/1 connection read by the Netty engine, one at a time: {@link #of}
   * points it at the request in hand, so that the hot path allocates nothing for it. Confined to
   * the connection's event loop.
   */
  static final class NettyRequests implements RequestValues {

    private HttpHeaders headers;
    private String clientAddress;
    private String proto;
    private final String scheme;
    private io.netty.channel.Channel channel;

    /** These values, of requests on {@code channel} (for its TLS session and SNI name). */
    NettyRequests on(io.netty.channel.Channel connection) {
      this.channel = connection;
      return this;
    }

    /** @param tls the connection is over TLS */
    NettyRequests(boolean tls) {
      this.scheme = tls ? "https" : "http";
    }

    @Override
    public String scheme() {
      return proto != null ? proto : scheme;
    }

    /** These values, now of the request with {@code headers} from {@code client} (nulls to let go of the last one). */
    RequestValues of(HttpHeaders headers, RealIp.Client client) {
      this.headers = headers;
      this.clientAddress = client == null ? null : client.ip();
      this.proto = client == null ? null : client.proto();
      return this;
    }

    @Override
    public String clientAddress() {
      return clientAddress;
    }

    @Override
    public String header(String name) {
      return headers.get(name);
    }

    @Override
    public String cookie(String name) {
      return StickySessions.cookieIn(headers, name);
    }

    @Override
    public SSLSession tlsSession() {
      SslHandler ssl = channel == null ? null : channel.pipeline().get(SslHandler.class);
      return ssl == null ? null : ssl.engine().getSession();
    }

    @Override
    public String serverName() {
      return channel == null ? null : serverNameOf(channel);
    }
  }

  /**
   * The requests of one {@link ProxyRequestHandler} read by Vert.x (HTTPS, h2), one at a time, as
   * {@link NettyRequests}: the handler belongs to one verticle, on one event loop.
   */
  static final class VertxRequests implements RequestValues {

    private HttpServerRequest request;
    private String clientIp;
    private String proto;

    /** These values, now of {@code request} from {@code client} (nulls to let go of the last one). */
    RequestValues of(HttpServerRequest request, RealIp.Client client) {
      this.request = request;
      this.clientIp = client == null ? null : client.ip();
      this.proto = client == null ? null : client.proto();
      return this;
    }

    @Override
    public String clientAddress() {
      return clientIp;
    }

    @Override
    public String scheme() {
      return proto != null ? proto : request.isSSL() ? "https" : "http";
    }

    @Override
    public String header(String name) {
      // HTTP/2 names the host in :authority, not a Host header (nginx's $http_host sees it either way)
      return name.equalsIgnoreCase("host") ? AbsoluteForm.hostSent(request) : request.getHeader(name);
    }

    @Override
    public String cookie(String name) {
      return StickySessions.cookieIn(request.headers(), name);
    }

    @Override
    public SSLSession tlsSession() {
      return request.isSSL() ? request.sslSession() : null;
    }

    @Override
    public String serverName() {
      return request.connection().indicatedServerName();
    }
  }
}
