package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.accesslog.AccessRecord;
import io.clbingress.dataplane.accesslog.RequestId;
import io.clbingress.dataplane.metrics.ProxyMetrics;
import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.routing.ConnectionLimitZone;
import io.clbingress.dataplane.routing.CorsPolicy;
import io.clbingress.dataplane.routing.ListenerRouter;
import io.clbingress.dataplane.table.ClientLimits;
import io.clbingress.dataplane.tracing.ProxySpan;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.impl.ShutdownEvent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One HTTP/1.x client connection, served at the Netty level: the handler that takes the place of
 * Vert.x's HTTP server connection in the channel's pipeline ({@link Http1Takeover}), after the
 * request decoder ({@link RequestFraming}) and the response encoder. It reads request heads,
 * decides what to do with each ({@link Dispatch}), answers itself or hands the request to a
 * {@link ForwardedExchange}, and writes the answers in order.
 *
 * <p>One request at a time (RFC 9112 §9.3.2: answers go in the order of the requests): what
 * arrives after a request while its answer is still being written (pipelining) waits in a queue,
 * and reading stops until that answer is done. The queue holds at most what one read brought.
 *
 * <p>Per connection, and gone with it: this handler, its {@link ConnectionGuard} timers, the
 * exchange in progress. Nothing is kept in a map.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LogManager.getLogger(ClientConnection.class);

  /** Vert.x's names for the HTTP/1.x codec in the pipeline (Vert.x internals, as {@link RequestFraming}). */
  private static final String HTTP_DECODER = "httpDecoder";
  private static final String HTTP_ENCODER = "httpEncoder";

  private final Http1Engine engine;
  private Channel channel;
  /**
   * Where answer heads passed as bytes ({@link RawHead}) and their bodies are written: the
   * response encoder's context, so that they pass it by; null when a handler between the encoder
   * and this one (a chunked writer, a compressor) must see every write, and answers go decoded.
   */
  private ChannelHandlerContext rawOut;
  private ConnectionGuard guard;
  /**
   * The peer: the socket's remote address, or the source of the PROXY protocol header on a
   * listener that reads one ({@link ProxyProtocolReader}); once per connection.
   */
  private String peerIp;
  /** The peer's port (the PROXY protocol header's source port where one was read), or -1. */
  private int peerPort;
  /** The peer as its own client: what every request gets unless the peer is a trusted proxy. */
  private RealIp.Client peer;
  private boolean peerTrusted;
  /** The current request's client ({@link RealIp}), found once per request; later policies read it here. */
  private RealIp.Client client;
  /** Its address, for logs. */
  private String clientIp;
  /** The request in hand's values, for a route's canary or hash key (one object per connection). */
  private RequestValueReaders.NettyRequests requestValues;
  private boolean tls;
  /** The listener's port as X-Forwarded-Port gives it, or null. */
  private String localPort;

  /** Messages read while an answer was in progress, and the reads held back for them. */
  private ArrayDeque<Object> queued;
  /** The current request's body is still arriving. */
  private boolean inRequest;
  /** The current request's answer is still being written. */
  private boolean inAnswer;
  /** The exchange that streams the current request's body, or null (its body is dropped). */
  private ForwardedExchange exchange;
  /** Reading stopped because the backend takes the request body slower than it comes. */
  private boolean backpressured;
  /** The connection closes once the current answer is written: no request is read after it. */
  private boolean closing;
  /** A WebSocket upgrade is under way: what follows its request is no HTTP any more. */
  private boolean upgrading;
  /** The authentication check of the upgrade under way, given up when the connection closes; or null. */
  private AuthClient.Abandon upgradeCheck;

  private HttpVersion version;
  private boolean head;
  private boolean keepAlive;
  /**
   * The client asked for its request to be the connection's last (and its head was read whole):
   * once its body is in, it sends nothing more, so a close after the answer need not linger.
   */
  private boolean clientCloses;
  private boolean expectsContinue;
  private ClientLimits limits;
  private String label;
  private long started;
  private int status;
  /** Body bytes of the current request read so far, and of its answer written so far (the route's metrics, the access log). */
  private long bodyIn;
  private long bodyOut;
  /** The request's route's CORS and the Access-Control-Allow-Origin of its answers, or null. */
  private CorsPolicy cors;
  private String corsOrigin;
  /**
   * The current request's place in its route's connection limit: given back when its answer is
   * done or the connection closes (a tunnel's close included), whichever comes first. The
   * channel's close future holds this small holder, not the handler: a listener on the handler
   * kept the whole handler (its request's values, the removed codec's contexts, its guard: about
   * 0.8 KiB per idle WebSocket) for the tunnel's life.
   */
  private final LeaseHolder lease = new LeaseHolder();
  /** The current request's compression ({@link GzipRequest}); null on a listener that compresses nothing. */
  private GzipRequest gzip;
  /** The current answer's body compressor, or null (not compressed); closed when the answer ends or breaks off. */
  private ContentEncoder encoder;
  /** The current request's span ({@code --otlp-endpoint}), or null: ended with its answer, its 101, or the connection. */
  private ProxySpan span;
  /** The last Host header seen and its parse: a keep-alive client sends the same one every time. */
  private String lastHost;
  private HostAndPort lastHostParsed;
  /** The current request's access log facts, or null (the log is off, or the request's line is written). */
  private AccessRecord access;

  ClientConnection(Http1Engine engine) {
    this.engine = engine;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    tls = channel.pipeline().get(SslHandler.class) != null;
    requestValues = new RequestValueReaders.NettyRequests(tls).on(channel);
    peerIp = Http1Takeover.peerIp(channel);
    peerPort = Http1Takeover.remotePort(channel);
    peer = peerIp == null ? null : RealIp.Client.direct(peerIp);
    peerTrusted = engine.front().realIp().trusts(peerIp);
    client = peer;
    clientIp = peerIp;
    if (channel.localAddress() instanceof InetSocketAddress local) {
      localPort = Integer.toString(local.getPort());
    }
    rawOut = rawWriter(channel.pipeline(), ctx.name());
    guard = new ConnectionGuard(channel, engine.front().currentLimits());
    // however the connection ends (the client gone, a reset, a tunnel closed), the request in progress ends with it
    channel.closeFuture().addListener(lease);
  }

  /**
   * The response encoder's context when this handler ({@code self}) comes right after it, so that
   * bytes written there reach the socket in the order of every other write; else null.
   */
  private static ChannelHandlerContext rawWriter(ChannelPipeline pipeline, String self) {
    java.util.List<String> names = pipeline.names();
    int encoder = names.indexOf(HTTP_ENCODER);
    return encoder >= 0 && encoder + 1 < names.size() && names.get(encoder + 1).equals(self)
        ? pipeline.context(HTTP_ENCODER) : null;
  }

  /** A lease, given back once (if one is held): when its request ends, or when the connection (or its tunnel) closes. */
  private static final class LeaseHolder implements io.netty.channel.ChannelFutureListener {
    private ConnectionLimitZone.Lease held;

    void hold(ConnectionLimitZone.Lease lease) {
      held = lease;
    }

    void release() {
      if (held != null) {
        held.release();
        held = null;
      }
    }

    @Override
    public void operationComplete(io.netty.channel.ChannelFuture closed) {
      release();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing || (inAnswer && !inRequest)) {
      if (closing) {
        ReferenceCountUtil.release(msg); // nothing after a refused head or a last answer is read
      } else {
        hold(msg);
      }
      return;
    }
    if (msg instanceof HttpRequest request) {
      inRequest = true;
      begin(request);
    } else if (!(msg instanceof HttpContent)) {
      ReferenceCountUtil.release(msg); // bytes after a held upgrade whose request was not upgraded
      return;
    }
    if (msg instanceof HttpContent content) {
      if (content.decoderResult().isFailure()) {
        malformedBody(content);
        return;
      }
      boolean last = content instanceof LastHttpContent;
      bodyIn += content.content().readableBytes();
      if (last) {
        inRequest = false;
        if (upgrading && channel.pipeline().get(HTTP_DECODER) != null) {
          // Bytes after the upgrade request are the client's first frames: they come on as bytes
          // (the decoder hands on what it holds) and wait in the queue for the tunnel.
          channel.pipeline().remove(HTTP_DECODER);
        }
      }
      if (exchange != null) {
        exchange.requestContent(content, last);
      } else {
        content.release();
      }
      if (last && !inAnswer && !closing) {
        next();
      }
    }
  }

  /**
   * A body that turns out malformed after its head was routed (an invalid chunk size, a trailer
   * over the limit): the connection closes without an answer, and the backend's request is
   * reset, so the backend never takes a truncated body for a whole one.
   */
  private void malformedBody(HttpContent content) {
    LOG.debug("malformed request body from {}: {}", clientIp, content.decoderResult().cause().toString());
    content.release();
    closing = true;
    if (exchange != null) {
      exchange.clientLeft();
    }
    channel.close();
  }

  private void hold(Object msg) {
    if (queued == null) {
      queued = new ArrayDeque<>(4);
    }
    queued.add(msg);
    channel.config().setAutoRead(false);
    if (msg instanceof LastHttpContent && heldUpgrade() && channel.pipeline().get(HTTP_DECODER) != null) {
      // What follows a held upgrade request may be its first frames, not HTTP: it is held as bytes.
      channel.pipeline().remove(HTTP_DECODER);
    }
  }

  /** Whether the last request head held back asks for a WebSocket upgrade. */
  private boolean heldUpgrade() {
    for (java.util.Iterator<Object> it = queued.descendingIterator(); it.hasNext(); ) {
      if (it.next() instanceof HttpRequest request) {
        return isUpgrade(request);
      }
    }
    return false;
  }

  /** A WebSocket upgrade, by the rule {@link WebSocketProxy} keeps for both engines. */
  private static boolean isUpgrade(HttpRequest request) {
    HttpHeaders headers = request.headers();
    String upgrade = headers.get(HttpHeaderNames.UPGRADE);
    return upgrade != null && request.method() == HttpMethod.GET && WebSocketProxy.isUpgrade(upgrade,
        headers.getAll(HttpHeaderNames.CONNECTION), headers.get(HttpHeaderNames.TRANSFER_ENCODING),
        headers.get(HttpHeaderNames.CONTENT_LENGTH));
  }

  private HostAndPort parsedHost(String host) {
    if (host != null && !host.equals(lastHost)) {
      lastHost = host;
      lastHostParsed = AbsoluteForm.parse(host);
    }
    return host == null ? null : lastHostParsed;
  }

  private void begin(HttpRequest request) {
    guard.requestStarted();
    started = System.nanoTime();
    bodyIn = 0;
    bodyOut = 0;
    version = request.protocolVersion();
    head = request.method() == HttpMethod.HEAD;
    status = 0;
    label = ProxyMetrics.NO_ROUTE;
    exchange = null;
    cors = null;
    corsOrigin = null;
    gzip = null;
    clientCloses = false;
    inAnswer = true;
    HttpHeaders headers = request.headers();
    client = peerTrusted ? engine.front().realIp().behind(peerIp, headers.getAll(engine.front().realIp().header()),
        headers.get("x-forwarded-proto")) : peer;
    clientIp = client == null ? null : client.ip();
    // ingress-nginx's generate-request-id: the client's id when usable, else a new one, sent to the backend
    String sentId = headers.get(RequestId.HEADER);
    String requestId = RequestId.ensure(sentId);
    if (requestId != sentId) {
      headers.set(RequestId.HEADER, requestId);
    }
    access = engine.accessLog().begin();
    if (access != null) {
      access.request(clientIp, client == peer ? peerPort : -1, request.method().name(), headers.get(HttpHeaderNames.HOST),
          request.uri(), request.protocolVersion().text(), headers.get(HttpHeaderNames.USER_AGENT),
          headers.get(HttpHeaderNames.REFERER), requestId);
      if (tls) {
        AccessFacts.tls(access, sslSession(), RequestValueReaders.serverNameOf(channel));
      }
    }
    if (request.decoderResult().isFailure()) {
      int refused = RequestFraming.invalidStatus(request.decoderResult().cause());
      LOG.debug("invalid request from {}: {} ({})", clientIp, refused, request.decoderResult().cause().toString());
      keepAlive = false;
      answer(refused, true);
      return;
    }
    ListenerRouter listener = engine.front().listener();
    limits = ProxyRequestHandler.limits(listener);
    gzip = GzipRequest.of(engine.front().compression(), listener, headers);
    boolean upgrade = isUpgrade(request);
    boolean lastOnConnection = engine.front().draining() ? !upgrade : limits.keepaliveMillis() == 0;
    // Without its decoder (it left after a held upgrade request), nothing more is read as HTTP.
    clientCloses = !HttpUtil.isKeepAlive(request);
    keepAlive = !clientCloses && !lastOnConnection && channel.pipeline().get(HTTP_DECODER) != null;
    String contentLength = headers.get(HttpHeaderNames.CONTENT_LENGTH);
    expectsContinue = ExpectContinue.awaited(version == HttpVersion.HTTP_1_0, false, false,
        headers.get(HttpHeaderNames.EXPECT), contentLength, headers.contains(HttpHeaderNames.TRANSFER_ENCODING));
    String uri = request.uri();
    String host = headers.get(HttpHeaderNames.HOST);
    Dispatch dispatch = Dispatch.of(listener, RequestHead.refusal(request), uri, Dispatch.pathOf(uri),
        Dispatch.queryOf(uri), host, parsedHost(host), upgrade, request.method() == HttpMethod.OPTIONS,
        Dispatch.declaredLength(contentLength), requestValues.of(headers, client));
    requestValues.of(null, null); // read during dispatch only: the headers are not kept past it
    lease.release(); // the previous request's, in case its end was not seen as an answer
    lease.hold(dispatch.lease());
    endSpan(0); // the previous request's, as its lease
    span = engine.front().tracing() == null || !dispatch.sends() ? null
        : RequestTracing.start(engine.front().tracing(), request, dispatch, tls, clientIp, peerIp, localPort);
    CompiledRoute route = dispatch.route();
    if (access != null) {
      AccessFacts.routed(access, listener, route);
    }
    if (route != null) {
      label = route.route().source();
    }
    if (dispatch.corsOrigin() != null) {
      cors = route.cors();
      corsOrigin = dispatch.corsOrigin();
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} {} host={} from {} -> {}", request.method(), uri, headers.get(HttpHeaderNames.HOST), clientIp,
          route == null ? "no route" : route.key());
    }
    switch (dispatch.action()) {
      case REFUSE -> {
        LOG.debug("refused {} {} from {}: {}", request.method(), uri, clientIp, dispatch.status());
        FullHttpResponse refusal = text(dispatch.status());
        if (dispatch.status() == 405) {
          refusal.headers().set(HttpHeaderNames.ALLOW, RequestHead.ALLOWED_METHODS);
        }
        send(refusal, expectsContinue);
      }
      case CLIENT_CERTIFICATE -> {
        String page = route.clientCertificates().errorLocation(uri);
        if (page != null) {
          redirect(302, page);
        } else {
          send(text(400, route.clientCertificates().refusalText(sslSession())), expectsContinue);
        }
      }
      case NOT_FOUND -> answer(404, expectsContinue);
      case FORBIDDEN -> answer(403, expectsContinue);
      case LIMITED -> answer(dispatch.status(), expectsContinue);
      case PREFLIGHT -> send(new DefaultFullHttpResponse(version, HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER),
          expectsContinue);
      case NO_ENDPOINT -> answer(503, expectsContinue);
      case TOO_LARGE -> answer(413, true);
      case REDIRECT -> redirect(route.redirect().statusCode(), dispatch.redirectLocation(tls ? "https" : "http"));
      // 308 keeps the method and body, unlike 301/302 (as ingress-nginx answers by default)
      case REDIRECT_TO_HTTPS -> redirect(308, engine.front().httpsLocation(dispatch));
      case UPGRADE -> {
        upgrading = true;
        holdBody();
        if (dispatch.auth() == null) {
          engine.webSockets().open(new Http1Upgrade(this, request, dispatch), route, dispatch.uri());
        } else {
          upgradeCheck = new AuthClient.Abandon();
          engine.auth().check(dispatch.auth(), request.method().name(), headers, route.timeouts(), label, upgradeCheck)
              .onComplete(checked -> onLoop(() -> upgradeAuthorized(request, dispatch, checked.result())));
        }
      }
      case FORWARD -> {
        exchange = new ForwardedExchange(this, request, dispatch);
        exchange.start();
      }
    }
  }

  /**
   * A WebSocket upgrade after its route's external authentication: tunnelled with the service's
   * headers when allowed; else the verdict's answer, the connection's last (what follows an
   * upgrade request is no HTTP to read).
   */
  private void upgradeAuthorized(HttpRequest request, Dispatch dispatch, AuthVerdict verdict) {
    if (!waiting() || closing) {
      return; // the client left while the service was asked
    }
    if (!verdict.allowed()) {
      refuse(verdict.status(), verdict.answerHeaders());
      return;
    }
    HttpHeaders headers = request.headers();
    verdict.applyTo(headers.names(), headers::remove, headers::add);
    engine.webSockets().open(new Http1Upgrade(this, request, dispatch), dispatch.route(), dispatch.uri());
  }

  // ---- what exchanges ask of the client side ----

  /** Runs {@code task} on this connection's event loop: now when called there, else soon. */
  void onLoop(Runnable task) {
    if (channel.eventLoop().inEventLoop()) {
      task.run();
    } else {
      channel.eventLoop().execute(task);
    }
  }

  /**
   * The proxy's answer instead of the backend's to a request its route's external authentication
   * refused (401, 403, a 302 to the sign-in page, 500), with {@code headers}; the connection's
   * last when the client awaits a 100 Continue or asked for an upgrade.
   */
  void refuse(int status, java.util.List<java.util.Map.Entry<String, String>> headers) {
    FullHttpResponse refusal = text(status);
    headers.forEach(header -> refusal.headers().add(header.getKey(), header.getValue()));
    send(refusal, expectsContinue || upgrading);
  }

  Channel channel() {
    return channel;
  }

  Http1Engine engine() {
    return engine;
  }

  String clientIp() {
    return clientIp;
  }

  /** The current request's access log facts, or null when the log is off. */
  AccessRecord access() {
    return access;
  }

  /**
   * Edits a request's headers in place for its backend: hop-by-hop headers and those the proxy
   * sets go, as do names with {@code _} unless the data plane lets them through ({@link
   * ProxyHeaders}); then what the backend learns of the client is set.
   *
   * @param keepUpgrade a WebSocket upgrade: Upgrade stays, Connection becomes {@code Upgrade}
   * @param host the authority the request names
   */
  void towardsBackend(HttpHeaders headers, boolean keepUpgrade, String host, CompiledRoute route) {
    ProxyHeaders.towardsBackend(headers, keepUpgrade, forwarded(host, route), engine.front().underscoresInHeaders());
  }

  /** What the backend learns of this client and request ({@code host}: the authority the request names). */
  ProxyHeaders.Forwarded forwarded(String host, CompiledRoute route) {
    return new ProxyHeaders.Forwarded(host, client, tls, localPort,
        route.clientCertificates() == null ? null : route.clientCertificates().verify(sslSession()), route);
  }

  /** The connection's TLS session, or null for a plain one. */
  private javax.net.ssl.SSLSession sslSession() {
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    return ssl == null ? null : ssl.engine().getSession();
  }

  boolean tls() {
    return tls;
  }

  boolean expectsContinue() {
    return expectsContinue;
  }

  /** The request's answer comes from {@code next} now (an error page's fetch): its body goes there, and is dropped. */
  void handOver(ForwardedExchange next) {
    exchange = next;
    next.start();
  }

  /** When the request in progress came ({@link System#nanoTime}). */
  long requestStartedNanos() {
    return started;
  }

  /** The client still waits for the answer. */
  boolean waiting() {
    return inAnswer && channel.isActive();
  }

  /** The body waits for a backend connection, or the backend takes it slower than it comes: reading stops. */
  void holdBody() {
    backpressured = true;
    channel.config().setAutoRead(false);
  }

  void resumeBody() {
    backpressured = false;
    if (queued == null || queued.isEmpty()) {
      channel.config().setAutoRead(true);
    }
  }

  /** {@code 100 Continue}: the client may send the body it announced (RFC 9110 §10.1.1). */
  void sendContinue() {
    channel.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
        Unpooled.EMPTY_BUFFER), channel.voidPromise());
  }

  /**
   * The backend's answer head, edited in place for this hop and written (not yet flushed): its
   * hop-by-hop headers go; it is framed for this client (chunked to an HTTP/1.1 client when the
   * backend sent no length, closed after the body to an HTTP/1.0 one).
   *
   * @param setCookie a new sticky session's {@code Set-Cookie}, or null
   */
  void relayHead(HttpResponse response, String setCookie) {
    status = response.status().code();
    HttpHeaders headers = response.headers();
    ProxyHeaders.dropHopByHop(headers, false, false);
    if (gzip != null) {
      encoder = gzip.answer(head, status, headers::getAll, headers::set, headers::remove);
    }
    boolean bodyAllowed = !head && status >= 200 && status != 204 && status != 304;
    if (bodyAllowed && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      if (version == HttpVersion.HTTP_1_0) {
        keepAlive = false; // the body ends when the connection does
      } else {
        headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      }
    }
    frame(headers);
    if (setCookie != null) {
      headers.add(HttpHeaderNames.SET_COOKIE, setCookie);
    }
    addCors(headers);
    response.setProtocolVersion(version);
    channel.write(response, channel.voidPromise());
  }

  /**
   * Whether the current request's answer may be relayed as bytes ({@link #relayRawHead}): nothing
   * of this connection or request needs it decoded (no compression of the answer, no CORS
   * headers to set, the writes' path allows it). The route's own part is {@link
   * CompiledRoute#headsPassThrough}.
   */
  boolean takesRawAnswer() {
    return rawOut != null && gzip == null && cors == null && !rawOut.isRemoved();
  }

  /**
   * The backend's answer head as bytes, written (not yet flushed) with this client's version and
   * this hop's lines: its own hop-by-hop lines are gone ({@link RawHeadScanner}); the framing is
   * the backend's Content-Length (or none, by rule); {@code Connection: close} on the
   * connection's last answer, {@code Connection: keep-alive} to an HTTP/1.0 client that keeps it
   * ({@link #frame}); then the Set-Cookie lines. The head is released.
   *
   * @param setCookie a new sticky session's {@code Set-Cookie}, or null
   * @param authCookies the external authentication service's {@code Set-Cookie} values, or null
   */
  void relayRawHead(RawHead raw, String setCookie, java.util.List<String> authCookies) {
    status = raw.status();
    ByteBuf out = channel.alloc().buffer(raw.length() + 32);
    try {
      raw.writeTo(out, version == HttpVersion.HTTP_1_0);
    } finally {
      raw.release();
    }
    if (authCookies != null) {
      authCookies.forEach(cookie -> line(out, "Set-Cookie", cookie));
    }
    if (!keepAlive) {
      line(out, "Connection", "close");
    } else if (version == HttpVersion.HTTP_1_0) {
      line(out, "Connection", "keep-alive");
    }
    if (setCookie != null) {
      line(out, "Set-Cookie", setCookie);
    }
    out.writeShort(CRLF);
    rawOut.write(out, channel.voidPromise());
  }

  private static final int CRLF = ('\r' << 8) | '\n';

  /** A header line {@code name: value CRLF}, as Netty's encoder writes one (a character beyond ASCII as {@code ?}). */
  private static void line(ByteBuf out, String name, String value) {
    out.writeCharSequence(name, StandardCharsets.US_ASCII);
    out.writeShort((':' << 8) | ' ');
    out.writeCharSequence(value, StandardCharsets.US_ASCII);
    out.writeShort(CRLF);
  }

  /** A piece of an answer's body after {@link #relayRawHead}; the last one ends the answer. */
  void relayRawContent(ByteBuf content, boolean last) {
    if (last) {
      end(content, content.readableBytes(), rawOut);
    } else {
      bodyOut += content.readableBytes();
      rawOut.writeAndFlush(content, channel.voidPromise());
    }
  }

  /** A piece of the backend's answer body; the last one ends the answer. */
  void relayContent(HttpContent content, boolean last) {
    if (encoder != null) {
      content = compressed(content, last);
    }
    if (last) {
      end(content);
    } else {
      bodyOut += content.content().readableBytes();
      channel.writeAndFlush(content, channel.voidPromise());
    }
  }

  /**
   * A piece of the body compressed; the last one with the gzip trailer (its trailer fields kept),
   * after which the encoder is closed. The piece given is released.
   */
  private HttpContent compressed(HttpContent content, boolean last) {
    try {
      if (!last) {
        return new DefaultHttpContent(encoder.encode(content.content(), channel.alloc()));
      }
      ByteBuf rest = encoder.finish(content.content(), channel.alloc());
      encoder = null;
      DefaultLastHttpContent end = new DefaultLastHttpContent(rest);
      end.trailingHeaders().set(((LastHttpContent) content).trailingHeaders());
      return end;
    } finally {
      content.release();
    }
  }

  /** The answer's compressor, if any, freed (the answer broke off or the client left). */
  private void closeEncoder() {
    if (encoder != null) {
      encoder.close();
      encoder = null;
    }
  }

  boolean writable() {
    return channel.isWritable();
  }

  /**
   * The answer broke off after its head was written (the backend failed mid-answer): the client
   * must not take a truncated body for a whole one, so its connection is closed without the end.
   */
  void brokeOff() {
    closeEncoder();
    closing = true;
    channel.flush(); // what was relayed goes out; the end never comes
    channel.close();
  }

  /**
   * The proxy's own answer instead of the backend's ({@code status} 502, 504, 413...), or the
   * connection closed when part of an answer was written already.
   *
   * @param continued the client was sent 100 Continue and sends its body: it is read and dropped
   */
  void fail(int status, boolean continued) {
    if (this.status != 0) {
      brokeOff();
      return;
    }
    answer(status, status == 413 || (!continued && expectsContinue));
  }

  /** The proxy's own answer: short plain text; {@code close}: the connection's last. */
  /** A redirect with an empty body, closing the connection when the client awaits a 100 for a body that will not come. */
  private void redirect(int status, String location) {
    FullHttpResponse redirect = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(status), Unpooled.EMPTY_BUFFER);
    redirect.headers().set(HttpHeaderNames.LOCATION, location);
    send(redirect, expectsContinue);
  }

  void answer(int status, boolean close) {
    send(text(status), close);
  }

  private FullHttpResponse text(int status) {
    return text(status, HttpResponseStatus.valueOf(status).reasonPhrase());
  }

  /** An answer of the proxy's own, its body {@code "STATUS message"}. */
  private FullHttpResponse text(int status, String message) {
    HttpResponseStatus answer = HttpResponseStatus.valueOf(status);
    ByteBuf body = Unpooled.copiedBuffer(status + " " + message + "\n", StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(version == null ? HttpVersion.HTTP_1_1 : version, answer,
        body);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    return response;
  }

  /**
   * Writes a whole answer of the proxy's own. {@code close}: a client that waits for a 100
   * Continue it will not get never sends its body (RFC 9110 §10.1.1), and a refused or too
   * large body is not read: the connection closes after this answer.
   */
  private void send(FullHttpResponse response, boolean close) {
    status = response.status().code();
    if (close) {
      keepAlive = false;
      closing = true;
    }
    if (status != 204) { // RFC 9110 §8.6: no Content-Length in a 204
      HttpUtil.setContentLength(response, response.content().readableBytes());
    }
    frame(response.headers());
    addCors(response.headers());
    if (head && response.content().isReadable()) {
      FullHttpResponse bodiless = response.replace(Unpooled.EMPTY_BUFFER); // RFC 9110 §9.3.2: the length, no body
      response.release();
      response = bodiless;
    }
    end(response);
  }

  /** The route's CORS headers, on every answer of a request whose origin it allows. */
  private void addCors(HttpHeaders headers) {
    if (cors != null) {
      cors.applyTo(name -> String.join(", ", headers.getAll(name)), headers::set, headers::remove, corsOrigin);
    }
  }

  /** Connection header of an answer: {@code close} for the last, {@code keep-alive} to an HTTP/1.0 client that keeps it. */
  private void frame(HttpHeaders headers) {
    if (!keepAlive) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (version == HttpVersion.HTTP_1_0) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
  }

  /**
   * Writes the answer's last part. On a connection's last answer the connection closes once it is
   * written, {@link LingeringClose lingering} when the client may still be sending; the answer
   * counts as done before that write, so that a close that follows at once is not taken for the
   * client leaving mid-answer.
   */
  private void end(io.netty.buffer.ByteBufHolder last) {
    end(last, last.content().readableBytes(), channel);
  }

  /** @param out where {@code last} ({@code bytes} of body) is written: the channel, or {@link #rawOut} */
  private void end(Object last, int bytes, io.netty.channel.ChannelOutboundInvoker out) {
    bodyOut += bytes;
    if (keepAlive) {
      out.writeAndFlush(last, channel.voidPromise());
      answered();
    } else {
      boolean mayBeSending = inRequest || !clientCloses || (queued != null && !queued.isEmpty());
      answered();
      LingeringClose.closeAfter(out.writeAndFlush(last), mayBeSending);
    }
  }

  /** The answer is done: counted, and the next request read once this one's body is in. */
  private void answered() {
    inAnswer = false;
    lease.release();
    countAnswer(status);
    logAccess(status);
    endSpan(status);
    if (!keepAlive) {
      closing = true;
      return;
    }
    if (!inRequest) {
      next();
    } else if (backpressured) {
      resumeBody(); // what is left of the body is read and dropped (the exchange let go of it)
    }
  }

  /** The current request counted in the route's metrics with {@code status}, its time and body bytes. */
  private void countAnswer(int status) {
    engine.metrics().answered(label, status, System.nanoTime() - started, bodyIn, bodyOut);
  }

  /** The current request's line goes to the access log (when on), once. */
  private void logAccess(int status) {
    if (access != null) {
      access.received(bodyIn);
      access.sent(bodyOut);
      engine.accessLog().write(access, status);
      access = null;
    }
  }

  /** The current request's span ends, if it has one still open. */
  private void endSpan(int status) {
    if (span != null) {
      span.end(status);
      span = null;
    }
  }

  /** The request and its answer are done: the connection idles, or serves what was held back. */
  private void next() {
    exchange = null;
    backpressured = false;
    guard.requestEnded(limits == null ? engine.front().currentLimits() : limits);
    readOn();
  }

  /**
   * Serves what was held back, then reads again; but only while the client takes what it is sent:
   * a client that pipelines requests and never reads their answers gets no more than its
   * connection's outbound buffer (Netty's high-water mark) until it reads.
   */
  private void readOn() {
    while (queued != null && !queued.isEmpty() && !closing && channel.isActive() && channel.isWritable()
        && !(inAnswer && !inRequest)) {
      channelRead(null, queued.poll()); // a request and its body; the one after waits for its answer
    }
    if (!inAnswer && !closing && !backpressured && channel.isWritable()
        && (queued == null || queued.isEmpty())) {
      channel.config().setAutoRead(true);
    } else if (!channel.isWritable()) {
      channel.config().setAutoRead(false);
    }
  }

  /**
   * The backend refused the upgrade: its answer goes to the client as it is (hop-by-hop headers
   * aside), and the connection closes after it, since its decoder has left.
   */
  void refuseUpgrade(FullHttpResponse refusal, String setCookie) {
    keepAlive = false;
    closing = true;
    HttpHeaders headers = refusal.headers();
    ProxyHeaders.dropHopByHop(headers, false, false);
    if (setCookie != null) {
      headers.add(HttpHeaderNames.SET_COOKIE, setCookie);
    }
    refusal.setProtocolVersion(version);
    send(refusal, true);
  }

  /**
   * The backend switched protocols: its 101 goes to the client, the HTTP/1.x codec leaves the
   * pipeline, and this connection becomes a tunnel (which replaces this handler).
   *
   * @return what the client sent after its upgrade request, for the tunnel to relay first
   */
  java.util.List<ByteBuf> switchProtocols(HttpResponse switched) {
    status = 101;
    channel.writeAndFlush(switched, channel.voidPromise());
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.get(HTTP_DECODER) != null) {
      pipeline.remove(HTTP_DECODER);
    }
    pipeline.remove(HTTP_ENCODER);
    guard.tunnelled();
    inAnswer = false;
    // The upgrade is a request answered 101 (as the HTTP/2 engine and ingress-nginx's request
    // metrics count it); the tunnel after it has its own gauge, histogram and access log line.
    countAnswer(101);
    logAccess(101);
    endSpan(101);
    java.util.List<ByteBuf> early = new java.util.ArrayList<>();
    if (queued != null) {
      for (Object held : queued) {
        if (held instanceof ByteBuf bytes) {
          early.add(bytes);
        } else {
          ReferenceCountUtil.release(held);
        }
      }
      queued = null;
    }
    return early;
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.clientWritabilityChanged(ctx.channel().isWritable());
    } else if (ctx.channel().isWritable() && !inAnswer && !upgrading) {
      readOn();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    guard.closed();
    endSpan(0); // the answer in progress, if any, never ended
    if (upgradeCheck != null) {
      upgradeCheck.abandon();
    }
    closeEncoder();
    if (exchange != null && inAnswer) {
      exchange.clientLeft();
    }
    // an answer that never ended: broken off (its status), or the client left before one (nginx's 499)
    if (inAnswer) {
      inAnswer = false;
      countAnswer(status == 0 ? 499 : status);
    }
    logAccess(status == 0 ? 499 : status);
    if (queued != null) {
      queued.forEach(ReferenceCountUtil::release);
      queued.clear();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A client that resets or sends garbage is no server error: a DEBUG line.
    LOG.debug("client connection {}: {}", clientIp, cause.toString(), cause);
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    // A draining server's shutdown event: open HTTP/1.x connections are answered on, each answer
    // the last on its connection (ProxyRequestHandler#drain), until the drain period closes them.
    if (!(event instanceof ShutdownEvent)) {
      ReferenceCountUtil.release(event);
    }
  }
}
