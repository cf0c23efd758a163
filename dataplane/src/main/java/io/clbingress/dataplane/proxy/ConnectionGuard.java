package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.table.ClientLimits;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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

  private final Vertx vertx;
  private final HttpConnection connection;
  private int inFlight;
  private boolean tunnelled;
  private long headerTimer;
  /**
   * The keep-alive timer is armed once and re-armed for the rest of the idle time when it fires
   * early, rather than cancelled and set again on every request: a busy connection costs no timer work.
   */
  private long keepaliveTimer = -1;
  private long idleSince;
  private long keepaliveMillis;

  private final Consumer<HttpConnection> release;

  private ConnectionGuard(Vertx vertx, HttpConnection connection, ClientLimits limits,
      Consumer<HttpConnection> release) {
    this.vertx = vertx;
    this.connection = connection;
    this.release = release;
    this.headerTimer = vertx.setTimer(limits.headerMillis(), id -> headerTimedOut(limits.headerMillis()));
    connection.closeHandler(v -> {
      cancelTimers();
      release.accept(connection);
    });
  }

  /**
   * Starts watching a new connection.
   *
   * @param release told once the guard is done with the connection: when it has closed, or
   *     when it became a tunnel (Vert.x then tells the tunnel's socket of the close, not the
   *     connection's close handler); where the caller forgets the guard
   */
  static ConnectionGuard watch(Vertx vertx, HttpConnection connection, ClientLimits limits,
      Consumer<HttpConnection> release) {
    return new ConnectionGuard(vertx, connection, limits, release);
  }

  void requestStarted() {
    if (headerTimer >= 0) {
      vertx.cancelTimer(headerTimer);
      headerTimer = -1;
    }
    inFlight++;
  }

  /** A response ended; with nothing else in flight the connection is idle from now. */
  void requestEnded(ClientLimits limits) {
    inFlight = Math.max(0, inFlight - 1);
    if (inFlight > 0 || tunnelled) {
      return;
    }
    if (limits.keepaliveMillis() == 0) {
      connection.close();
      return;
    }
    idleSince = System.nanoTime();
    keepaliveMillis = limits.keepaliveMillis();
    if (keepaliveTimer < 0) {
      armKeepalive(keepaliveMillis);
    }
  }

  private void armKeepalive(long delayMillis) {
    keepaliveTimer = vertx.setTimer(Math.max(1, delayMillis), id -> {
      keepaliveTimer = -1;
      if (tunnelled || inFlight > 0) {
        return; // busy again: the next response end re-arms it
      }
      long idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - idleSince);
      if (idleMillis >= keepaliveMillis) {
        LOG.debug("closing {} after {} ms idle (keep-alive timeout)", connection.remoteAddress(), idleMillis);
        connection.close();
      } else {
        armKeepalive(keepaliveMillis - idleMillis);
      }
    });
  }

  /**
   * The connection now carries a WebSocket tunnel: no keep-alive timer any more, and the tunnel
   * (with its idle timer) owns the connection from now on.
   */
  void tunnelled() {
    tunnelled = true;
    cancelTimers();
    release.accept(connection);
  }

  private void cancelTimers() {
    if (headerTimer >= 0) {
      vertx.cancelTimer(headerTimer);
      headerTimer = -1;
    }
    if (keepaliveTimer >= 0) {
      vertx.cancelTimer(keepaliveTimer);
      keepaliveTimer = -1;
    }
  }

  /**
   * No request head arrived in time. Vert.x offers no hook before a head is parsed, so the 408 is
   * written to the Netty channel directly (Vert.x internals: ConnectionBase#channel); an HTTP/2
   * connection, or one where that fails, is just closed.
   */
  private void headerTimedOut(long millis) {
    headerTimer = -1;
    LOG.debug("{} sent no complete request head in {} ms: 408", connection.remoteAddress(), millis);
    try {
      Channel channel = ((io.vertx.core.net.impl.ConnectionBase) connection).channel();
      if (channel.pipeline().get(HttpResponseEncoder.class) != null) {
        DefaultFullHttpResponse timeout = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.EMPTY_BUFFER);
        timeout.headers().set(HttpHeaderNames.CONNECTION, "close").set(HttpHeaderNames.CONTENT_LENGTH, 0);
        channel.writeAndFlush(timeout).addListener(ChannelFutureListener.CLOSE);
        return;
      }
    } catch (RuntimeException e) {
      LOG.debug("cannot write 408 to {}: {}", connection.remoteAddress(), e.toString());
    }
    connection.close();
  }
}
