package io.clbingress.dataplane.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ShutdownEvent;

/**
 * Keeps open HTTP/1.x connections of a draining server open until the drain period ends.
 *
 * <p>Vert.x's {@code HttpServer.shutdown(timeout)} closes the listening socket at once (new
 * connections are refused) and then fires a {@link ShutdownEvent} down every connection the
 * server accepted; when the timeout has passed it closes those still open. On that event an
 * HTTP/1.x connection closes as soon as no response is in progress: an idle keep-alive client
 * would find its connection closed (or reset, if its next request crossed the close). A
 * draining listener instead answers what comes on its open connections, with {@code Connection:
 * close} so that the client goes elsewhere afterwards (nginx's old workers after a reload and
 * Envoy's draining listeners do the same). So this handler, before Vert.x's own on each HTTP/1.x
 * connection, drops the event. It stays in the pipeline of a connection that becomes a
 * WebSocket tunnel: tunnels are closed by the data plane's own drain timers
 * ({@link TunnelRegistry}), never by this event. HTTP/2 connections get the event: Vert.x sends
 * GOAWAY and lets the open streams finish, as HTTP/2 drains.
 *
 * <p>Vert.x internals: the connection's handler in the pipeline is named {@code handler}, and an
 * HTTP/1.x pipeline has an {@code httpDecoder} (as {@link RequestFraming} relies on).
 */
@ChannelHandler.Sharable
final class DrainingConnections extends ChannelInboundHandlerAdapter {

  private static final DrainingConnections INSTANCE = new DrainingConnections();
  private static final String NAME = "clb-drain";

  private DrainingConnections() {
  }

  /** Puts the filter on a new client connection when it speaks HTTP/1.x. */
  static void install(HttpConnection connection) {
    ChannelPipeline pipeline = ((io.vertx.core.net.impl.ConnectionBase) connection).channel().pipeline();
    if (pipeline.get("httpDecoder") != null && pipeline.get(NAME) == null && pipeline.get("handler") != null) {
      pipeline.addBefore("handler", NAME, INSTANCE);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object event) {
    if (!(event instanceof ShutdownEvent)) {
      context.fireUserEventTriggered(event);
    }
  }
}
