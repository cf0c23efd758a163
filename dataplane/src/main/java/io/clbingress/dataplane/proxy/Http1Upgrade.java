package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.table.Endpoint;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.util.function.Consumer;

/**
 * The client's side of a WebSocket upgrade on a connection the Netty engine serves
 * ({@link ClientConnection}): the client's request goes to the backend with its headers edited in
 * place; the backend's 101 goes back as it came, and the client's channel becomes the tunnel's.
 * A failed or refused upgrade is the connection's last answer.
 */
final class Http1Upgrade implements WebSocketProxy.UpgradeClient {

  private final ClientConnection client;
  private final HttpRequest request;
  private final String host;
  /** What the cluster hashes instead of the client's address, or null. */
  private final String balanceKey;
  private String setCookie;
  /** The tunnel's access log line's facts, taken from the upgrade request's; null when the log is off. */
  private final io.clbingress.dataplane.accesslog.TunnelLog tunnelLog;
  /** Told if the client goes before the upgrade is settled; removed once it is, so that the tunnel keeps no reference to it. */
  private GenericFutureListener<Future<? super Void>> onLeft;

  /** @param dispatch the routing decision: the authority the request names, the balance key */
  Http1Upgrade(ClientConnection client, HttpRequest request, Dispatch dispatch) {
    this.client = client;
    this.request = request;
    this.host = dispatch.host();
    this.balanceKey = dispatch.balanceKey();
    this.tunnelLog = io.clbingress.dataplane.accesslog.TunnelLog.webSocket(client.engine().accessLog(), client.access());
  }

  @Override
  public io.clbingress.dataplane.accesslog.AccessRecord access() {
    return client.access();
  }

  @Override
  public io.clbingress.dataplane.accesslog.TunnelLog tunnelLog() {
    return tunnelLog;
  }

  @Override
  public int chooseEndpoint(StickySessions sessions, CompiledRoute route) {
    String hashed = balanceKey != null ? balanceKey : client.clientIp();
    if (route.route().sessionTtlSeconds() == null) {
      return route.cluster().picker().pick(hashed);
    }
    return sessions.choose(route, hashed, StickySessions.cookieIn(request.headers(),
        route.sessionCookie().name()),
        client.tls(), (name, value) -> setCookie = value);
  }

  @Override
  public HttpRequest upgradeRequest(String uri, CompiledRoute route, Endpoint endpoint) {
    HttpHeaders headers = request.headers();
    client.towardsBackend(headers, true, host, route);
    ProxyHeaders.hostIfNone(headers, endpoint);
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, request.method(), uri, Unpooled.EMPTY_BUFFER, headers,
        EmptyHttpHeaders.INSTANCE);
  }

  @Override
  public String clientAddress() {
    return client.clientIp();
  }

  @Override
  public boolean left() {
    return !client.channel().isActive();
  }

  @Override
  public void onLeft(Runnable action) {
    onLeft = closed -> action.run();
    client.channel().closeFuture().addListener(onLeft);
  }

  private void settled() {
    if (onLeft != null) {
      client.channel().closeFuture().removeListener(onLeft);
      onLeft = null;
    }
  }

  @Override
  public void answer(int status, String message) {
    settled();
    client.answer(status, true);
  }

  @Override
  public void refuse(FullHttpResponse refusal) {
    settled();
    client.refuseUpgrade(refusal, setCookie);
  }

  @Override
  public void switchProtocols(FullHttpResponse upgraded, Consumer<Tunnel.End> then) {
    settled();
    if (left()) {
      upgraded.release();
      then.accept(null);
      return;
    }
    HttpResponse switched = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS,
        upgraded.headers());
    if (setCookie != null) {
      switched.headers().add(HttpHeaderNames.SET_COOKIE, setCookie);
    }
    upgraded.release();
    then.accept(Tunnel.End.of(client.channel(), client.switchProtocols(switched)));
  }
}
