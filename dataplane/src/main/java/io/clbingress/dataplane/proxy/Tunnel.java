package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.RouteKey;
import io.clbingress.dataplane.table.Endpoint;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A client connection and a dedicated backend connection spliced as raw bytes: an upgraded
 * WebSocket (so frames, pings and close codes pass unchanged) or a TCP / TCP_SSL listener's
 * connection.
 *
 * <p>Both connections come from Vert.x as sockets, and are then taken over at the Netty level: a
 * {@link ChannelSplice} replaces Vert.x's handler in each channel's pipeline (TLS, if any, stays
 * below it), so a tunnel keeps no Vert.x connection, message queue or HTTP exchange alive for its
 * whole life: an idle tunnel is its two channels, two small handlers and this object. The
 * adapter to Vert.x is {@link NetSocketInternal#channelHandlerContext()}, the handler named
 * {@code handler} that Vert.x documents for inserting handlers.
 *
 * <p>One idle timer, on the client channel's event loop, covers both directions: any bytes read
 * reset it, and when nothing has passed for the route's read timeout both sides are closed.
 */
public final class Tunnel {

  private static final Logger LOG = LogManager.getLogger(Tunnel.class);
  /** How long a closing side may take to flush what it was sent before it is closed regardless. */
  private static final long CLOSE_FLUSH_MILLIS = 10_000;

  /** Vert.x's sockets, held only until the takeover. */
  private NetSocket clientSocket;
  private NetSocket backendSocket;
  private final Channel client;
  private final Channel backend;
  private final long idleNanos;
  private final RouteKey route;
  private final Endpoint endpoint;
  private final Runnable onClose;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean draining = new AtomicBoolean();
  private volatile long lastActivity;
  private volatile ScheduledFuture<?> idleTimer;
  private volatile ScheduledFuture<?> drainTimer;

  /**
   * @param client the client's socket, Vert.x's own (it must be a {@link NetSocketInternal}); what
   *     it has read and not yet delivered is relayed before the takeover
   * @param backend the backend's socket, likewise
   * @param idleMillis the route's read timeout: the tunnel closes after this long without a byte
   * @param onClose run once, when the tunnel closes
   */
  Tunnel(NetSocket client, NetSocket backend, long idleMillis, RouteKey route, Endpoint endpoint, Runnable onClose) {
    this.clientSocket = client;
    this.backendSocket = backend;
    this.client = ((NetSocketInternal) client).channelHandlerContext().channel();
    this.backend = ((NetSocketInternal) backend).channelHandlerContext().channel();
    this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
    this.route = route;
    this.endpoint = endpoint;
    this.onClose = onClose;
  }

  public RouteKey route() {
    return route;
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  /**
   * Starts relaying; call on the client socket's event loop. Bytes that Vert.x has read and holds
   * in a paused socket's queue are relayed through Vert.x first; the takeover follows as the next
   * task on the event loop, after the task that empties those queues, so no byte overtakes another.
   */
  void start() {
    lastActivity = System.nanoTime();
    relayThroughVertx(clientSocket, backend);
    relayThroughVertx(backendSocket, client);
    clientSocket = null;
    backendSocket = null;
    client.eventLoop().execute(this::takeOver);
  }

  private void relayThroughVertx(NetSocket from, Channel to) {
    from.handler((Buffer data) -> {
      touch();
      to.writeAndFlush(Unpooled.wrappedBuffer(data.getBytes()), to.voidPromise());
    });
    from.resume();
  }

  private void takeOver() {
    if (closed.get()) {
      return;
    }
    install(client, backend, "client");
    install(backend, client, "backend");
    if (!client.isActive() || !backend.isActive()) {
      close((client.isActive() ? "backend" : "client") + " closed before the tunnel started");
      return;
    }
    armIdleTimer(idleNanos);
  }

  private void install(Channel channel, Channel peer, String side) {
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.get("idle") != null) {
      pipeline.remove("idle"); // Vert.x's idle handler: the tunnel's timer replaces it
    }
    pipeline.replace("handler", ChannelSplice.NAME, new ChannelSplice(this, peer, side));
    // Vert.x may have stopped reading (a paused socket); setting it again reads at once.
    channel.config().setAutoRead(peer.isWritable());
  }

  /** Bytes passed: the idle timer starts over. */
  void touch() {
    lastActivity = System.nanoTime();
  }

  private void armIdleTimer(long delayNanos) {
    idleTimer = client.eventLoop().schedule(() -> {
      long quiet = System.nanoTime() - lastActivity;
      if (quiet >= idleNanos) {
        close("idle for " + TimeUnit.NANOSECONDS.toMillis(quiet) + " ms");
      } else if (!closed.get()) {
        armIdleTimer(idleNanos - quiet);
      }
    }, Math.max(TimeUnit.MILLISECONDS.toNanos(1), delayNanos), TimeUnit.NANOSECONDS);
  }

  /** Closes the tunnel after the drain period, once: its route or endpoint left the routing table. */
  public void drainAfter(long drainMillis) {
    if (draining.compareAndSet(false, true)) {
      LOG.debug("{} tunnel to {} drains for {} ms", route, endpoint, drainMillis);
      drainTimer = client.eventLoop().schedule(() -> close("route removed, drain period over"),
          Math.max(1, drainMillis), TimeUnit.MILLISECONDS);
    }
  }

  public boolean isDraining() {
    return draining.get();
  }

  /** Closes both sides once each has flushed what it was sent (a close frame, say); runs {@code onClose} once. */
  public void close(String reason) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    cancel(idleTimer);
    cancel(drainTimer);
    LOG.debug("{} tunnel to {} closed: {}", route, endpoint, reason);
    closeAfterFlush(client);
    closeAfterFlush(backend);
    onClose.run();
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private static void closeAfterFlush(Channel channel) {
    ChannelFuture flushed = channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    if (!flushed.isDone()) {
      // A peer that reads nothing must not keep its side open forever.
      ScheduledFuture<?> deadline = channel.eventLoop().schedule(() -> channel.close(), CLOSE_FLUSH_MILLIS,
          TimeUnit.MILLISECONDS);
      channel.closeFuture().addListener(f -> deadline.cancel(false));
    }
  }
}
