package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.routing.ErrorPageRoute;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.upstream.EndpointPicker;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One HTTP/1.x request forwarded to an endpoint of its route's cluster and its answer relayed
 * back, at the Netty level: the client's request object goes on with its headers edited in place
 * ({@link ProxyHeaders}), on a keep-alive connection of the event loop's {@link UpstreamPool};
 * the body streams both ways with back-pressure (a side stops reading while the other's outbound
 * buffer is full). No futures, no copies of headers or bodies. A plain answer head goes back as
 * the bytes it came in ({@link RawHead}, read by {@link RawAnswerReader}) when neither the route
 * ({@link CompiledRoute#headsPassThrough}) nor the request ({@link ClientConnection#takesRawAnswer})
 * needs it decoded; any other head is decoded by Netty and edited as header objects.
 *
 * <p>The same contract as the Vert.x forwarder it replaces for HTTP/1.x ({@link HttpForwarder}):
 * <ul>
 *   <li>A failed try is passed on to the next endpoint as the route's
 *       {@link io.clbingress.dataplane.table.Retry} allows ({@link NextUpstream}; by default a failed
 *       connect, once); then 502 (504 for a timeout), or the last answer relayed.
 *   <li>No answer byte within the route's read timeout: 504 (the timer starts again with every
 *       byte of the answer; silence mid-answer breaks the answer off).
 *   <li>The backend taking no request data for the route's send timeout while data waits: 504.
 *   <li>A chunked body growing past the route's limit: 413, the connection closed.
 *   <li>A bodiless idempotent request lost by a stale pooled connection is sent once more on a
 *       new one ({@link StaleConnections}' rules).
 *   <li>101 to a request that asked for no upgrade: 502, the backend connection closed.
 *   <li>An answer that breaks off (reset, timeout, malformed) closes the client's connection
 *       without the answer's end, so the client cannot take a truncated body for a whole one.
 *   <li>{@code Expect: 100-continue} is met by the proxy ({@link ExpectContinue}).
 * </ul>
 * Passive health: a connect failure, a timeout, a reset or an answer of 500 and above is a
 * failure of the endpoint; the client leaving is nobody's (a DEBUG line).
 */
final class ForwardedExchange implements UpstreamPool.Waiter, UpstreamConnection.Exchange {

  private static final Logger LOG = LogManager.getLogger(ForwardedExchange.class);

  private final ClientConnection client;
  private final HttpRequest request;
  private final CompiledRoute route;
  private final EndpointPicker picker;
  private final String uri;
  private final String clientUri;
  /** The authority the request names, as sent: the Host the backend receives. */
  private final String host;
  /** What the cluster hashes instead of the client's address ({@link Dispatch#balanceKey}), or null. */
  private final String balanceKey;
  /** For an error page's fetch ({@link ErrorPageRoute}): the status it replaces; 0 for a client's request. */
  private final int replacing;
  private boolean bodiless;
  /**
   * The request goes as bytes ({@link UpstreamRequestHead}, its body as the client's bytes): its
   * headers are not edited; null when it goes decoded, edited in place and through Netty's encoder.
   */
  private ProxyHeaders.Forwarded asBytes;
  private int index;
  private String setCookie;
  private UpstreamConnection upstream;
  private boolean reused;
  /** The request's tries beyond the first, made at its first failure. */
  private NextUpstream tries;
  /** The next connect sends the head again with an empty end (a stale replay, a pass-on, an error page's fetch). */
  private boolean resendBodiless;
  /** The one replay after a stale pooled connection ({@link StaleConnections}) was used. */
  private boolean staleReplayed;
  private boolean endpointStarted;
  /** Body pieces read before the backend connection was ready. */
  private ArrayDeque<HttpContent> waiting;
  private boolean requestSent;
  private boolean continued;
  private long bodyBytes;
  private boolean responding;
  private boolean informational;
  private boolean backendKeepAlive;
  private boolean done;
  private ScheduledFuture<?> sendTimer;
  /** What the route's external authentication asks before the request goes on, or null. */
  private final AuthCall auth;
  /** The authentication check under way, given up when the client leaves; null when none began. */
  private AuthClient.Abandon authCheck;
  /** The authentication service's {@code Set-Cookie} lines for the answer, or null. */
  private java.util.List<String> authCookies;

  /** @param dispatch the routing decision: the route, the target to send and the Host */
  ForwardedExchange(ClientConnection client, HttpRequest request, Dispatch dispatch) {
    this(client, request, dispatch, 0);
  }

  private ForwardedExchange(ClientConnection client, HttpRequest request, Dispatch dispatch, int replacing) {
    this.replacing = replacing;
    this.client = client;
    this.request = request;
    this.route = dispatch.route();
    this.picker = route.cluster().picker();
    this.uri = dispatch.uri();
    this.clientUri = request.uri();
    this.host = dispatch.host();
    this.balanceKey = dispatch.balanceKey();
    this.auth = dispatch.auth();
  }

  /**
   * The request goes on: at once, or, on a route with external authentication, once its service
   * allowed it (the body waits, held, meanwhile); a refused request gets the verdict's answer and
   * its body is dropped.
   */
  void start() {
    HttpHeaders headers = request.headers();
    String contentLength = headers.get(HttpHeaderNames.CONTENT_LENGTH);
    boolean chunked = headers.contains(HttpHeaderNames.TRANSFER_ENCODING);
    bodiless = (contentLength == null || contentLength.equals("0")) && !chunked;
    if (auth == null) {
      proceed();
      return;
    }
    if (!bodiless) {
      client.holdBody();
    }
    authCheck = new AuthClient.Abandon();
    client.engine().auth().check(auth, request.method().name(), headers, route.timeouts(), route.route().source(),
            authCheck)
        .onComplete(checked -> client.onLoop(() -> authorized(checked.result())));
  }

  private void authorized(AuthVerdict verdict) {
    if (done || !client.waiting()) {
      end();
      return; // the client left, or the answer broke off, while the service was asked
    }
    if (!verdict.allowed()) {
      LOG.debug("{} {} {}: external auth answered {}", route.key(), request.method(), clientUri, verdict.status());
      end();
      client.refuse(verdict.status(), verdict.answerHeaders());
      return;
    }
    HttpHeaders headers = request.headers();
    verdict.applyTo(headers.names(), headers::remove, headers::add);
    authCookies = verdict.setCookies().isEmpty() ? null : verdict.setCookies();
    proceed();
  }

  private void proceed() {
    HttpHeaders headers = request.headers();
    String hashed = balanceKey != null ? balanceKey : client.clientIp();
    index = route.route().sessionTtlSeconds() == null ? picker.pick(hashed)
        : client.engine().sessions().choose(route, hashed,
            StickySessions.cookieIn(headers, route.sessionCookie().name()), client.tls(),
            this::setCookie);
    if (replacing == 0 && !headers.contains(HttpHeaderNames.TRANSFER_ENCODING) && UpstreamRequestHead.writable(uri, route)) {
      asBytes = client.forwarded(host, route);
    } else {
      editHeaders();
    }
    request.setUri(uri);
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    if (replacing != 0) {
      resendBodiless = true; // the page's request has no body: its head and an empty end
    } else if (!bodiless) {
      client.holdBody(); // until the backend connection is ready
    }
    connect(false);
  }

  /** The request's headers edited in place for the backend, for Netty's encoder. */
  private void editHeaders() {
    HttpHeaders headers = request.headers();
    boolean lengthGiven = headers.contains(HttpHeaderNames.CONTENT_LENGTH);
    client.towardsBackend(headers, false, host, route);
    headers.remove(HttpHeaderNames.EXPECT); // the proxy meets the expectation itself
    if (!bodiless && !lengthGiven) {
      headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED); // framed as the client framed it
    }
  }

  /** The Host for a client that named none (HTTP/1.0): this try's endpoint; null when it named one or the route sets one. */
  private String hostIfNone() {
    return host == null && route.upstreamHost() == null ? picker.endpoint(index).toString() : null;
  }

  private void setCookie(String name, String value) {
    setCookie = value;
  }

  private void connect(boolean fresh) {
    Endpoint endpoint = picker.endpoint(index);
    if (client.access() != null) {
      client.access().upstreamConnecting(endpoint.toString());
    }
    client.engine().pool().acquire(endpoint, route.cluster().isTls(), route.timeouts().connectMillis(), fresh, this);
  }

  @Override
  public void connected(UpstreamConnection connection) {
    if (done) {
      connection.done(true); // the client left meanwhile; the connection carried nothing
      return;
    }
    upstream = connection;
    if (client.access() != null) {
      client.access().upstreamConnected();
    }
    reused = connection.serve(this, request.method() == HttpMethod.HEAD,
        route.headsPassThrough() && client.takesRawAnswer());
    picker.started(index);
    endpointStarted = true;
    Channel channel = connection.channel();
    // the client named no host (HTTP/1.0): the endpoint's address, this try's (not an earlier one's)
    String hostIfNone = hostIfNone();
    if (asBytes != null) {
      connection.writeBytes(UpstreamRequestHead.encode(channel.alloc(), request, uri, asBytes,
          client.engine().front().underscoresInHeaders(), hostIfNone), false);
    } else {
      if (hostIfNone != null) {
        request.headers().set(HttpHeaderNames.HOST, hostIfNone);
      }
      channel.write(request, channel.voidPromise());
    }
    if (resendBodiless) {
      if (asBytes == null) {
        channel.write(LastHttpContent.EMPTY_LAST_CONTENT, channel.voidPromise());
      }
      requestSent = true;
    } else if (waiting != null) {
      HttpContent content;
      while ((content = waiting.poll()) != null) {
        requestSent |= content instanceof LastHttpContent;
        write(content, false);
      }
    }
    channel.flush();
    connection.watchReads(route.timeouts().readMillis());
    if (requestSent) {
      client.resumeBody(); // reading stopped for a body that is now all sent
    } else {
      if (client.expectsContinue()) {
        client.sendContinue();
        continued = true;
      }
      bodyFlows();
    }
  }

  @Override
  public void newConnection(long nanos) {
    client.engine().metrics().route(route.route().source()).upstreamConnected(nanos);
  }

  @Override
  public void connectFailed(Throwable cause) {
    picker.failed(index);
    client.engine().metrics().upstreamError(route.route().source(), "connect");
    int next = client.waiting() && !done ? tries().afterConnectFailure(index, cause) : -1;
    if (next >= 0) {
      LOG.debug("{} connect to {} failed, trying {}: {}", route.key(), picker.endpoint(index), picker.endpoint(next),
          cause.toString());
      index = next;
      connect(false);
      return;
    }
    LOG.warn("{} cannot connect to {}: {}", route.route().source(), picker.endpoint(index), cause.toString());
    if (!done) {
      end();
      answerFailure(502);
    }
  }

  private NextUpstream tries() {
    if (tries == null) {
      tries = new NextUpstream(route.retry(), picker, index, client.requestStartedNanos());
    }
    return tries;
  }

  /**
   * Sends the request to another endpoint after a try that reached its endpoint failed, when the
   * route's {@link io.clbingress.dataplane.table.Retry} allows it; false when it does not (the
   * caller answers with the failure).
   *
   * @param status the answer's status for {@link NextUpstream.Failure#STATUS}
   */
  private boolean passedOn(NextUpstream.Failure failure, int status, Object why) {
    int next = client.waiting() ? tries().next(index, failure, status, !bodiless, request.method().name()) : -1;
    if (next < 0) {
      return false;
    }
    LOG.debug("{} {} {} on {} failed ({}), passed on to {}", route.key(), request.method(), clientUri,
        picker.endpoint(index), why, picker.endpoint(next));
    discardUpstream();
    if (endpointStarted) {
      endpointStarted = false;
      picker.finished(index);
    }
    index = next;
    informational = false;
    requestSent = false;
    resendBodiless = true; // a bodiless request: its head again and an empty end
    if (route.route().sessionTtlSeconds() != null) {
      // the client's session (new, or the one its cookie named) was on the endpoint that failed: a new one here
      setCookie = client.engine().sessions().newSession(route, next, client.tls());
    }
    connect(false);
    return true;
  }

  /** A piece of the client's request body (the last one ends it). */
  void requestContent(HttpContent content, boolean last) {
    if (done || replacing != 0) { // (an error page's fetch sends none of the client's body)
      content.release();
      return;
    }
    bodyBytes += content.content().readableBytes();
    long max = route.maxBodyBytes();
    if (max > 0 && bodyBytes > max) {
      content.release();
      LOG.debug("{}: request body over {} bytes: 413", route.key(), max);
      end();
      discardUpstream();
      client.fail(413, continued);
      return;
    }
    if (last) {
      dropTrailers((LastHttpContent) content);
    }
    if (upstream == null) {
      if (waiting == null) {
        waiting = new ArrayDeque<>(4);
      }
      waiting.add(content);
      return;
    }
    Channel channel = upstream.channel();
    write(content, true);
    if (last) {
      requestSent = true;
    } else if (!channel.isWritable()) {
      client.holdBody();
      armSendTimer();
    }
  }

  /**
   * A piece of the client's body to the backend: as it is when the request goes as bytes (its body
   * is framed by Content-Length), else through Netty's encoder.
   */
  private void write(HttpContent content, boolean flush) {
    if (asBytes != null) {
      upstream.writeBytes(content.content(), flush);
    } else if (flush) {
      upstream.channel().writeAndFlush(content, upstream.channel().voidPromise());
    } else {
      upstream.channel().write(content, upstream.channel().voidPromise());
    }
  }

  /**
   * A chunked body's trailer fields do not go on (nginx and Envoy drop them too): a field there is
   * checked by nothing on the way (a spoofed X-Forwarded-For in a trailer would reach the backend).
   */
  private static void dropTrailers(LastHttpContent last) {
    if (!last.trailingHeaders().isEmpty()) {
      last.trailingHeaders().clear();
    }
  }

  /** The client's body flows again (the backend connection is ready and takes data). */
  private void bodyFlows() {
    if (upstream.channel().isWritable()) {
      client.resumeBody();
    } else {
      armSendTimer();
    }
  }

  @Override
  public void backendWritabilityChanged(boolean writable) {
    if (writable && !requestSent && !done) {
      cancel(sendTimer);
      sendTimer = null;
      client.resumeBody();
    }
  }

  /** The client's outbound buffer filled or drained: the backend's answer waits or flows. */
  void clientWritabilityChanged(boolean writable) {
    if (upstream != null && responding) {
      upstream.channel().config().setAutoRead(writable);
    }
  }

  @Override
  public void backendRead(Object message) {
    if (done) {
      ReferenceCountUtil.release(message);
      return;
    }
    if (message instanceof RawAnswerReader.Piece piece) {
      body(piece, piece.last());
      return;
    }
    if (message instanceof RawHead raw && !rawHead(raw)) {
      raw.release();
      return;
    }
    if (message instanceof HttpResponse response && !head(response)) {
      ReferenceCountUtil.release(message);
      return;
    }
    if (message instanceof HttpContent content) {
      body(content, content instanceof LastHttpContent);
    }
  }

  /** A decoded answer head: false when the exchange ended on it. */
  private boolean head(HttpResponse response) {
    if (response.decoderResult().isFailure()) {
      backendFailed(response.decoderResult().cause(), NextUpstream.Failure.INVALID_HEADER);
      return false;
    }
    int status = response.status().code();
    if (!relayed(status)) {
      return false;
    }
    backendKeepAlive = HttpUtil.isKeepAlive(response);
    java.util.List<String> cookies = authCookies(status);
    if (cookies != null) {
      cookies.forEach(cookie -> response.headers().add(HttpHeaderNames.SET_COOKIE, cookie));
    }
    client.relayHead(response, setCookie);
    return true;
  }

  /** An answer head as bytes ({@link RawHead}): false when the exchange ended on it. */
  private boolean rawHead(RawHead head) {
    if (!relayed(head.status())) {
      return false;
    }
    backendKeepAlive = head.keepAlive();
    client.relayRawHead(head, setCookie, authCookies(head.status()));
    return true;
  }

  /** The external authentication service's Set-Cookie lines for an answer with {@code status}, or null. */
  private java.util.List<String> authCookies(int status) {
    return authCookies != null && route.auth().external().setsCookieOn(status) ? authCookies : null;
  }

  /**
   * What an answer's status decides: whether its head goes to the client (the exchange is then
   * responding); false when it does not: an interim answer, a 101 nobody asked for, an answer
   * passed on to another endpoint or replaced by the route's error page.
   */
  private boolean relayed(int status) {
    if (status == 101) {
      // Switching protocols on a request that asked for no upgrade (upgrades go through
      // WebSocketProxy): the backend is broken; its connection is not reused.
      LOG.warn("{}: {} {} to {} answered 101 without an upgrade asked: 502", route.route().source(), request.method(),
          clientUri, picker.endpoint(index));
      picker.failed(index);
      end();
      discardUpstream();
      answerFailure(502);
      return false;
    }
    if (status < 200) {
      informational = true; // 100 Continue, 103 Early Hints: the proxy sends its own 100
      return false;
    }
    if (status >= 500) {
      picker.failed(index);
    } else {
      picker.succeeded(index);
    }
    if (status >= 400 && route.retry().onStatus(status) && passedOn(NextUpstream.Failure.STATUS, status, status)) {
      return false;
    }
    if (route.replacedByPage(status)) {
      replaceWithErrorPage(status);
      return false;
    }
    responding = true;
    if (client.access() != null) {
      client.access().upstreamHeader();
    }
    return true;
  }

  /**
   * Drops the backend's answer, if any (its connection closed, the rest of its body unread), and
   * hands the client over to the fetch of the route's error page for {@code status}.
   */
  private void replaceWithErrorPage(int status) {
    LOG.debug("{} {} {}: {} from {} replaced by the error backend's page", route.key(), request.method(),
        clientUri, status, picker.endpoint(index));
    end();
    discardUpstream();
    ErrorPageRoute pages = route.errorPages();
    if (!pages.route().cluster().hasEndpoints()) {
      client.fail(status, continued);
      return;
    }
    if (asBytes != null) {
      // the page's request starts from the headers the request went with, edited as they were sent
      asBytes = null;
      editHeaders();
      String hostIfNone = hostIfNone();
      if (hostIfNone != null) {
        request.headers().set(HttpHeaderNames.HOST, hostIfNone);
      }
    }
    HttpRequest page = ErrorPageRequest.netty(request, route, status, clientUri);
    Dispatch fetch = new Dispatch(Dispatch.Action.FORWARD, 0, pages.route(), ErrorPageRequest.PATH, host, null, null, null,
        null, null);
    ForwardedExchange fetching = new ForwardedExchange(client, page, fetch, status);
    fetching.setCookie = setCookie; // a new session stays on the endpoint that answered
    client.handOver(fetching);
  }

  /** A piece of the answer's body: an {@link HttpContent}, or a {@link RawAnswerReader.Piece} after a {@link RawHead}. */
  private void body(io.netty.buffer.ByteBufHolder content, boolean last) {
    if (informational) {
      content.release();
      informational = !last;
      return;
    }
    if (content instanceof HttpContent decoded && decoded.decoderResult().isFailure()) {
      content.release();
      backendFailed(decoded.decoderResult().cause(), NextUpstream.Failure.INVALID_HEADER);
      return;
    }
    if (last) {
      UpstreamConnection connection = upstream;
      boolean reusable = backendKeepAlive && requestSent;
      end();
      upstream = null;
      connection.done(reusable);
      if (client.access() != null) {
        client.access().upstreamEnded();
      }
      relay(content, true);
      return;
    }
    relay(content, false);
    if (!client.writable()) {
      upstream.channel().config().setAutoRead(false);
    }
  }

  private void relay(io.netty.buffer.ByteBufHolder content, boolean last) {
    if (content instanceof HttpContent decoded) {
      client.relayContent(decoded, last);
    } else {
      client.relayRawContent(content.content(), last);
    }
  }

  @Override
  public void backendClosed(Throwable cause) {
    upstream = null;
    if (done) {
      return;
    }
    if (!responding && replayable()) {
      LOG.debug("{} {} {}: reused connection to {} lost it ({}), sending it again on a new one", route.key(),
          request.method(), clientUri, picker.endpoint(index), cause == null ? "closed" : cause.toString());
      resendBodiless = true;
      staleReplayed = true;
      picker.finished(index);
      endpointStarted = false;
      connect(true);
      return;
    }
    backendFailed(cause == null ? new java.io.IOException("the backend closed the connection") : cause,
        NextUpstream.Failure.LOST);
  }

  /**
   * {@link StaleConnections}' rules: a reused connection, no answer, a bodiless idempotent
   * request, not replayed before, the client still waiting.
   */
  private boolean replayable() {
    return reused && !staleReplayed && bodiless && NextUpstream.idempotent(request.method().name()) && client.waiting();
  }

  /**
   * No answer, or part of one: passed on to another endpoint when the route allows it, else 502
   * (504 for {@link NextUpstream.Failure#SILENT}), or the client's connection closed mid-answer.
   */
  private void backendFailed(Throwable cause, NextUpstream.Failure failure) {
    if (done) {
      return;
    }
    picker.failed(index);
    if (!responding && passedOn(failure, 0, cause)) {
      return;
    }
    boolean timedOut = failure == NextUpstream.Failure.SILENT;
    end();
    discardUpstream();
    if (responding) {
      LOG.warn("{}: answer to {} {} from {} broke off ({}): the client's connection is closed",
          route.route().source(), request.method(), clientUri, picker.endpoint(index), cause.toString());
      client.brokeOff();
      return;
    }
    client.engine().metrics().upstreamError(route.route().source(), timedOut ? "timeout" : "reset");
    int status = timedOut ? 504 : 502;
    // One line per failed exchange, as nginx's "upstream prematurely closed connection" error:
    // the route's object, the endpoint, what happened and what the proxy made of it.
    LOG.warn("{}: {} {} to {} failed ({}): {}", route.route().source(), request.method(), clientUri,
        picker.endpoint(index), cause.toString(), status);
    answerFailure(status);
  }

  /**
   * The proxy's own answer to a request no backend answered: for an error page's fetch, the status
   * it replaces; for a route whose error pages replace {@code status}, its page (as nginx's
   * {@code error_page} replaces the 502 and 504 nginx makes itself); else {@code status}.
   */
  private void answerFailure(int status) {
    if (replacing != 0) {
      client.fail(replacing, continued);
    } else if (route.replacedByPage(status)) {
      replaceWithErrorPage(status);
    } else {
      client.fail(status, continued);
    }
  }

  /** The client closed its connection: the backend's side of the exchange goes too. */
  void clientLeft() {
    if (authCheck != null) {
      authCheck.abandon();
    }
    if (done) {
      return;
    }
    LOG.debug("{} {} {}: the client left before {} answered", route.key(), request.method(), clientUri,
        picker.endpoint(index));
    end();
    discardUpstream();
  }

  @Override
  public void backendSilent(long quietMillis) {
    backendFailed(new java.util.concurrent.TimeoutException("no answer for " + quietMillis + " ms"),
        NextUpstream.Failure.SILENT);
  }

  private void armSendTimer() {
    if (sendTimer != null) {
      return;
    }
    long sendMillis = route.timeouts().sendMillis();
    sendTimer = client.channel().eventLoop().schedule(() -> {
      sendTimer = null;
      if (!done && upstream != null && !upstream.channel().isWritable()) {
        backendFailed(new RequestBodyPump.SendTimeoutException(sendMillis), NextUpstream.Failure.SILENT);
      }
    }, sendMillis, TimeUnit.MILLISECONDS);
  }

  /** The exchange is over: timers cancelled, body pieces not sent released, the endpoint's load released. */
  private void end() {
    done = true;
    cancel(sendTimer);
    if (waiting != null) {
      waiting.forEach(ReferenceCountUtil::release);
      waiting.clear();
    }
    if (endpointStarted) {
      endpointStarted = false;
      picker.finished(index);
    }
  }

  private void discardUpstream() {
    if (upstream != null) {
      UpstreamConnection connection = upstream;
      upstream = null;
      connection.discard();
    }
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
