package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.table.ClientLimits;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The client-side timers of one connection, on its event loop: a new connection must send its
 * first request head within the listener's header timeout (else 408 and close, as nginx's
 * client_header_timeout), and an idle connection between requests is closed after the keep-alive
 * timeout. A connection that became a WebSocket tunnel is left to the tunnel's own idle timer.
 */
final class ConnectionGuard {

  private static final Logger LOG = LogManager.getLogger(ConnectionGuard.class);

  private final Channel channel;
  private int inFlight;
  private boolean tunnelled;
  private ScheduledFuture<?> headerTimer;
  /**
   * The keep-alive timeout, watched only while no request is in flight; made when the connection
   * first idles after an answer (a connection whose first answer is its last never needs one).
   */
  private QuietTimer keepalive;

  /**
   * Starts watching a new connection: its first request head is due within {@code limits}'
   * header timeout. The owner calls {@link #closed} when the connection closes.
   *
   * @param channel the client connection's channel; the timers run on its event loop
   */
  ConnectionGuard(Channel channel, ClientLimits limits) {
    this.channel = channel;
    long headerMillis = limits.headerMillis();
    this.headerTimer = channel.eventLoop().schedule(() -> headerTimedOut(headerMillis), headerMillis,
        TimeUnit.MILLISECONDS);
  }

  void requestStarted() {
    if (headerTimer != null) {
      headerTimer.cancel(false);
      headerTimer = null;
    }
    inFlight++;
    if (keepalive != null) {
      keepalive.pause();
    }
  }

  /** A response ended; with nothing else in flight the connection is idle from now. */
  void requestEnded(ClientLimits limits) {
    inFlight = Math.max(0, inFlight - 1);
    if (inFlight > 0 || tunnelled) {
      return;
    }
    if (limits.keepaliveMillis() == 0) {
      channel.close();
      return;
    }
    if (keepalive == null) {
      keepalive = new QuietTimer(channel.eventLoop(), this::keepaliveTimedOut);
    }
    keepalive.watch(limits.keepaliveMillis());
  }

  private void keepaliveTimedOut(long idleMillis) {
    LOG.debug("closing {} after {} ms idle (keep-alive timeout)", Http1Takeover.remoteAddress(channel), idleMillis);
    channel.close();
  }

  /**
   * The connection now carries a WebSocket tunnel: no keep-alive timer any more, and the tunnel
   * (with its idle timer) owns the connection from now on.
   */
  void tunnelled() {
    tunnelled = true;
    closed();
  }

  /** The connection closed (or became a tunnel): the timers go. */
  void closed() {
    if (headerTimer != null) {
      headerTimer.cancel(false);
      headerTimer = null;
    }
    if (keepalive != null) {
      keepalive.cancel();
    }
  }

  /**
   * No request head arrived in time: 408 written to the channel, where an HTTP/1.x response
   * encoder is; an HTTP/2 connection, or one where that fails, is just closed.
   */
  private void headerTimedOut(long millis) {
    headerTimer = null;
    LOG.debug("{} sent no complete request head in {} ms: 408", Http1Takeover.remoteAddress(channel), millis);
    if (channel.pipeline().get(HttpResponseEncoder.class) != null) {
      DefaultFullHttpResponse timeout = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.EMPTY_BUFFER);
      timeout.headers().set(HttpHeaderNames.CONNECTION, "close").set(HttpHeaderNames.CONTENT_LENGTH, 0);
      LingeringClose.closeAfter(channel.writeAndFlush(timeout), true); // the client may be mid-head
      return;
    }
    channel.close();
  }
}
