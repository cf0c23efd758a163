package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.metrics.ListenerMeters;
import io.clbingress.dataplane.routing.Router;
import io.clbingress.dataplane.table.ClientLimits;
import io.clbingress.dataplane.table.HeadLimits;
import io.clbingress.dataplane.tls.ServerTls;
import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One event loop's share of a listener: a server instance on the shared port and this loop's own
 * backend client, so that a request and its upstream connection stay on one thread.
 */
public final class ProxyVerticle extends VerticleBase implements PortServer {

  private static final Logger LOG = LogManager.getLogger(ProxyVerticle.class);

  /** Per endpoint and event loop; generous because a slow backend must not starve a route. */
  private static final int POOL_SIZE_PER_ENDPOINT = 512;

  private final String host;
  private final int port;
  private final ListenerSelector selector;
  private final ProxyServices services;
  private final ServerTls tls;
  private final int httpsRedirectPort;
  private final boolean proxyProtocol;
  /** The listener's connection and handshake meters. */
  private final ListenerMeters connections;
  private HttpServer server;
  private ProxyRequestHandler handler;
  private UpstreamPool pool;
  /** This loop's own listening socket for plain HTTP/1.x (the Netty engine on io_uring or epoll), or null. */
  private Http1Acceptor acceptor;

  /** A plain HTTP listener instance. */
  public ProxyVerticle(String host, int port, ListenerSelector selector, String name, ProxyServices services,
      int httpsRedirectPort, boolean proxyProtocol) {
    this(host, port, selector, name, services, null, httpsRedirectPort, proxyProtocol);
  }

  /**
   * @param name the listener's name, the {@code listener} label of its connection metrics
   * @param tls server TLS settings for an HTTPS listener, null for plain HTTP
   * @param httpsRedirectPort the HTTPS port that redirects to HTTPS point at
   * @param proxyProtocol every connection starts with a PROXY protocol header (v1 or v2), whose
   *     source is the client; a connection without a valid one is closed
   */
  public ProxyVerticle(String host, int port, ListenerSelector selector, String name, ProxyServices services,
      ServerTls tls, int httpsRedirectPort, boolean proxyProtocol) {
    this.proxyProtocol = proxyProtocol;
    this.connections = services.metrics().listener(name);
    this.host = host;
    this.port = port;
    this.selector = selector;
    this.services = services;
    this.tls = tls;
    this.httpsRedirectPort = httpsRedirectPort;
  }

  @Override
  public Future<?> start() {
    HttpClientAgent client = vertx.httpClientBuilder().with(
        new HttpClientOptions()
            .setKeepAlive(true)
            .setKeepAliveTimeout(30)
            .setTcpNoDelay(true)
            .setConnectTimeout(120_000)
            .setDecompressionSupported(false)
            // Backends behind an ingress are usually not verifiable by name (as ingress-nginx's
            // proxy_ssl_verify off); verification comes with backend CA support.
            .setTrustAll(true)
            .setVerifyHost(false))
        .with(new PoolOptions().setHttp1MaxSize(POOL_SIZE_PER_ENDPOINT))
        // A backend connection's failure reaches the exchange on it, which logs it with its route
        // (HttpForwarder, WebSocketProxy); without a handler Vert.x logs an ERROR naming nothing.
        .withConnectHandler(connection -> connection.exceptionHandler(e ->
            LOG.debug("backend connection {}: {}", connection.remoteAddress(), e.toString())))
        .build();
    StickySessions sessions = new StickySessions(java.time.Clock.systemUTC());
    WebSocketProxy webSockets = new WebSocketProxy(vertx, BackendConnections.client(vertx), services.tunnels(), sessions);
    AuthClient auth = new AuthClient(vertx, services.authAnswers());
    handler = new ProxyRequestHandler(services.router(), selector,
        new HttpForwarder(vertx, client, sessions, services.metrics(), services.underscoresInHeaders()), webSockets,
        services.metrics(), httpsRedirectPort, services.realIp(), auth, services.compression(), services.accessLog(),
        services.tracing(), services.underscoresInHeaders());
    EventLoop loop = Http1Takeover.eventLoop(context);
    pool = new UpstreamPool(loop, Http1Takeover.channels(vertx), Http1Takeover.resolver(vertx));
    Http1Engine engine = new Http1Engine(handler, pool, sessions, services.metrics(), webSockets, auth, services.accessLog());
    HttpServerOptions options = new HttpServerOptions()
        .setHost(host)
        .setPort(port)
        .setTcpNoDelay(true)
        .setCompressionSupported(false)
        .setDecompressionSupported(false)
        // WebSockets pass through as bytes: the proxy negotiates no extension of its own (and
        // Vert.x then puts no extension handler in every HTTP/1.x pipeline).
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false)
        // HTTP/2 only over TLS (ALPN), as ingress-nginx. Detecting cleartext h2 would also hold back
        // the connection handler until the first request head is in, and the head timer with it.
        .setHttp2ClearTextEnabled(false);
    if (tls != null) {
      tls.applyTo(options)
          .setUseAlpn(tls.options().isUseAlpn())
          .setAlpnVersions(tls.options().getApplicationLayerProtocols().contains("h2")
              ? List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1) : List.of(HttpVersion.HTTP_1_1));
    }
    HeadLimits atStart = handler.currentLimits().headLimits(services.headLimits());
    options.setMaxInitialLineLength(atStart.requestLineBytes()).setMaxHeaderSize(atStart.headerBytes());
    // h2 has no request line: its limit on the header list is fixed when the server starts.
    Http2Limits.applyTo(options, atStart);
    DecoderOptions decoderOptions = new DecoderOptions(options);
    if (tls == null && Http1Takeover.NETTY && Http1Takeover.reusePort(vertx)) {
      return Http1Acceptor.listen(loop, Http1Takeover.serverChannels(vertx), host, port,
          () -> RequestFraming.decoder(decoderOptions.with(handler.currentLimits().headLimits(services.headLimits()))),
          () -> new ClientConnection(engine), proxyProtocol ? proxyHeaderTrust() : null,
          () -> handler.currentLimits().headerMillis(), connections::track)
          .onSuccess(bound -> acceptor = bound);
    }
    if (proxyProtocol) {
      // Vert.x reads the header (the same Netty decoder) before TLS. Its timeout is the listener's
      // client header timeout when the server starts, and though it is an idle timeout, it is one
      // deadline for the whole header: its IdleStateHandler stands after the decoder, which passes
      // no read on until the header is complete, so a trickle of bytes never restarts it
      // (ClientAddressTest.headerTrickledByteByByteIsClosedAtTheWholeHeaderDeadline).
      options.setUseProxyProtocol(true).setProxyProtocolTimeout(handler.currentLimits().headerMillis())
          .setProxyProtocolTimeoutUnit(TimeUnit.MILLISECONDS);
    }
    server = vertx.createHttpServer(options);
    ProxyHeaderTrust proxyHeaders = proxyHeaderTrust();
    // Failures before the HTTP connection exists: the TLS handshake's (a failed PROXY header's are not counted).
    server.exceptionHandler(connections::handshakeFailed);
    return server.connectionHandler(connection -> {
      connections.track(Http1Takeover.channel(connection));
      if (proxyProtocol) {
        proxyHeaders.vet(Http1Takeover.channel(connection)); // before anything reads its addresses
      }
      // A client that resets or sends garbage is no server error: a DEBUG line, not Vert.x's ERROR.
      connection.exceptionHandler(e -> LOG.debug("client connection {}: {}", connection.remoteAddress(), e.toString()));
      ClientLimits limits = handler.currentLimits();
      RequestFraming.install(connection, decoderOptions.with(limits.headLimits(services.headLimits())));
      if (!Http1Takeover.NETTY || !Http1Takeover.takeOver(connection, loop, new ClientConnection(engine))) {
        handler.connected(connection, limits);
      }
    }).invalidRequestHandler(RequestFraming::answerInvalid).requestHandler(handler).listen();
  }

  private ProxyHeaderTrust proxyHeaderTrust() {
    return new ProxyHeaderTrust(services.realIp(), services.metrics());
  }

  @Override
  public Future<?> stop() throws Exception {
    pool.close();
    if (acceptor != null) {
      return acceptor.close();
    }
    return super.stop();
  }

  @Override
  public Future<Boolean> updateTls(ServerSSLOptions options) {
    if (server == null) {
      return Future.succeededFuture(false); // a plain HTTP listener has no TLS to update
    }
    return server.updateSSLOptions(options);
  }

  /** This instance's own listening socket (the per-event-loop accept) is closed; with Vert.x's shared socket, at once. */
  @Override
  public Future<Void> released() {
    return acceptor == null ? Future.succeededFuture() : acceptor.released();
  }

  @Override
  public Future<Void> drain(Router last, long drainMillis) {
    handler.drain(last);
    if (acceptor != null) {
      return acceptor.drain(drainMillis);
    }
    return server.shutdown(drainMillis, TimeUnit.MILLISECONDS);
  }

}
