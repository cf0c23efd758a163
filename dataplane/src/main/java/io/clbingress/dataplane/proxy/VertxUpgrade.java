package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.table.Endpoint;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.function.Consumer;

/** The client's side of a WebSocket upgrade on a connection Vert.x's HTTP server serves. */
final class VertxUpgrade implements WebSocketProxy.UpgradeClient {

  private final HttpServerRequest request;
  private final Runnable onTunnel;
  private final String balanceKey;
  private final RealIp.Client from;
  private final io.clbingress.dataplane.accesslog.AccessRecord access;
  private final io.clbingress.dataplane.accesslog.TunnelLog tunnelLog;
  private final boolean underscores;

  /**
   * @param onTunnel told when the client's connection has become a tunnel
   * @param balanceKey what the cluster hashes instead of the client's address ({@link Dispatch#balanceKey}), or null
   * @param from the client ({@link RealIp}), found once for the request
   * @param access the upgrade request's access log facts, or null (the log is off)
   * @param tunnelLog the tunnel's access log line's facts, or null (the log is off)
   * @param underscores headers with {@code _} in their names go on ({@code --enable-underscores-in-headers})
   */
  VertxUpgrade(HttpServerRequest request, Runnable onTunnel, String balanceKey, RealIp.Client from,
      io.clbingress.dataplane.accesslog.AccessRecord access, io.clbingress.dataplane.accesslog.TunnelLog tunnelLog,
      boolean underscores) {
    this.access = access;
    this.tunnelLog = tunnelLog;
    this.request = request;
    this.underscores = underscores;
    this.from = from;
    this.onTunnel = onTunnel;
    this.balanceKey = balanceKey;
    request.pause();
  }

  @Override
  public io.clbingress.dataplane.accesslog.AccessRecord access() {
    return access;
  }

  @Override
  public io.clbingress.dataplane.accesslog.TunnelLog tunnelLog() {
    return tunnelLog;
  }

  @Override
  public int chooseEndpoint(StickySessions sessions, CompiledRoute route) {
    return sessions.choose(request, from.ip(), route, balanceKey);
  }

  @Override
  public HttpRequest upgradeRequest(String uri, CompiledRoute route, Endpoint endpoint) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    ProxyHeaders.copyRequest(request, from, headers, true, route, underscores);
    HttpHeaders netty = new DefaultHttpHeaders(false);
    headers.forEach(header -> netty.add(header.getKey(), header.getValue()));
    ProxyHeaders.hostIfNone(netty, endpoint);
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.GET, uri,
        Unpooled.EMPTY_BUFFER, netty, EmptyHttpHeaders.INSTANCE);
  }

  @Override
  public String clientAddress() {
    return from == null ? null : from.ip();
  }

  @Override
  public boolean left() {
    return request.response().closed();
  }

  @Override
  public void onLeft(Runnable action) {
    request.response().closeHandler(v -> action.run());
  }

  @Override
  public void answer(int status, String message) {
    Responses.send(request, status, message);
  }

  @Override
  public void refuse(FullHttpResponse refusal) {
    HttpServerResponse response = request.response();
    response.setStatusCode(refusal.status().code());
    response.setStatusMessage(refusal.status().reasonPhrase());
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    refusal.headers().forEach(header -> headers.add(header.getKey(), header.getValue()));
    ProxyHeaders.copyEndToEnd(headers, response.headers(), false);
    Buffer body = Buffer.buffer(ByteBufUtil.getBytes(refusal.content()));
    refusal.release();
    response.end(body);
  }

  @Override
  public void switchProtocols(FullHttpResponse upgraded, Consumer<Tunnel.End> then) {
    HttpServerResponse response = request.response();
    response.setStatusCode(101);
    upgraded.headers().forEach(header -> response.headers().add(header.getKey(), header.getValue()));
    upgraded.release();
    request.toNetSocket().onComplete(switched -> {
      if (switched.failed()) {
        then.accept(null);
        return;
      }
      onTunnel.run();
      then.accept(Tunnel.End.of(switched.result()));
    });
  }
}
