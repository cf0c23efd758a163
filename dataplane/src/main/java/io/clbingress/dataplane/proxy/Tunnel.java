package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.accesslog.TunnelLog;
import io.clbingress.dataplane.metrics.RouteMeters;
import io.clbingress.dataplane.routing.RouteKey;
import io.clbingress.dataplane.table.Endpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.stream.ChunkedWriteHandler;
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
 *
 * <p>When it closes, its line goes to the access log ({@link TunnelLog}, when on): bytes each way
 * (the payload relayed: TLS records and the PROXY header excluded; WebSocket frames are not
 * parsed, so their count is not known) and who closed it ({@link TunnelLog#CLIENT} ...).
 */
public final class Tunnel {

  private static final Logger LOG = LogManager.getLogger(Tunnel.class);
  /** How long a closing side may take to flush what it was sent before it is closed regardless. */
  private static final long CLOSE_FLUSH_MILLIS = 10_000;

  /**
   * One side of a tunnel before it starts: its channel, and what was read on it before the
   * takeover, which is relayed first.
   */
  static final class End {
    private final Channel channel;
    private final java.util.function.BiConsumer<Tunnel, Channel> early;

    private End(Channel channel, java.util.function.BiConsumer<Tunnel, Channel> early) {
      this.channel = channel;
      this.early = early;
    }

    Channel channel() {
      return channel;
    }

    /** Sends what this side read before the takeover on to {@code peer}, telling {@code tunnel} of it. */
    void relayEarly(Tunnel tunnel, Channel peer) {
      early.accept(tunnel, peer);
    }

    /**
     * A Vert.x socket (it must be a {@link NetSocketInternal}): what Vert.x has read and holds in
     * the paused socket's queue is relayed through Vert.x, ahead of the takeover.
     */
    static End of(NetSocket socket) {
      Channel channel = ((NetSocketInternal) socket).channelHandlerContext().channel();
      return new End(channel, (tunnel, peer) -> {
        socket.handler((Buffer data) -> {
          tunnel.passed(channel, data.length());
          peer.writeAndFlush(Unpooled.wrappedBuffer(data.getBytes()), peer.voidPromise());
        });
        socket.resume();
      });
    }

    /** A channel served at the Netty level, and the bytes it read before the takeover (released by the tunnel). */
    static End of(Channel channel, java.util.List<ByteBuf> read) {
      return new End(channel, (tunnel, peer) -> {
        if (!read.isEmpty()) {
          read.forEach(bytes -> {
            tunnel.passed(channel, bytes.readableBytes());
            peer.write(bytes, peer.voidPromise());
          });
          peer.flush();
        }
      });
    }
  }

  /** The two sides, held only until the takeover. */
  private End clientEnd;
  private End backendEnd;
  private final Channel client;
  private final Channel backend;
  private final long idleMillis;
  private final RouteKey route;
  private final Endpoint endpoint;
  private final RouteMeters meters;
  private final RouteMeters.TunnelKind kind;
  private final long openedNanos = System.nanoTime();
  private final Runnable onClose;
  /** Its access log line's facts, or null (the log is off). */
  private final TunnelLog line;
  /** Bytes relayed each way; each written on its reading side's event loop only. */
  private volatile long fromClient;
  private volatile long toClient;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final QuietTimer idle;
  private volatile ScheduledFuture<?> drainTimer;

  /**
   * @param client the client's side; what it has read and not yet delivered is relayed before the takeover
   * @param backend the backend's side, likewise
   * @param idleMillis the route's read timeout: the tunnel closes after this long without a byte
   * @param meters the route's meters: the bytes each way as they pass, the tunnel's lifetime when it closes
   * @param kind WebSocket or TCP, for the lifetime histogram
   * @param line its access log line's facts, or null (the log is off)
   * @param onClose run once, when the tunnel closes
   */
  Tunnel(End client, End backend, long idleMillis, RouteKey route, Endpoint endpoint, RouteMeters meters,
      RouteMeters.TunnelKind kind, TunnelLog line, Runnable onClose) {
    this.line = line;
    this.clientEnd = client;
    this.backendEnd = backend;
    this.client = client.channel();
    this.backend = backend.channel();
    this.idleMillis = idleMillis;
    this.idle = new QuietTimer(this.client.eventLoop(), quiet -> close(TunnelLog.IDLE_TIMEOUT, "idle for " + quiet + " ms"));
    this.route = route;
    this.endpoint = endpoint;
    this.meters = meters;
    this.kind = kind;
    this.onClose = onClose;
  }

  public RouteKey route() {
    return route;
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  /**
   * Starts relaying; call on the client channel's event loop. Bytes read before the takeover are
   * relayed first (those Vert.x holds in a paused socket's queue, through Vert.x); the takeover
   * follows as the next task on the event loop, after the task that empties those queues, so no
   * byte overtakes another.
   */
  void start() {
    idle.watch(idleMillis);
    clientEnd.relayEarly(this, backend);
    backendEnd.relayEarly(this, client);
    clientEnd = null;
    backendEnd = null;
    client.eventLoop().execute(this::takeOver);
  }

  private void takeOver() {
    if (closed.get()) {
      return;
    }
    install(client, backend, TunnelLog.CLIENT);
    install(backend, client, TunnelLog.BACKEND);
    if (!client.isActive() || !backend.isActive()) {
      String side = client.isActive() ? TunnelLog.BACKEND : TunnelLog.CLIENT;
      close(side, side + " closed before the tunnel started");
      return;
    }
  }

  private void install(Channel channel, Channel peer, String side) {
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.get("idle") != null) {
      pipeline.remove("idle"); // Vert.x's idle handler: the tunnel's timer replaces it
    }
    if (pipeline.get(ChunkedWriteHandler.class) != null) {
      pipeline.remove(ChunkedWriteHandler.class); // Vert.x's, for its sockets' sendFile: a tunnel writes buffers
    }
    pipeline.replace("handler", ChannelSplice.NAME, new ChannelSplice(this, peer, side));
    // Vert.x may have stopped reading (a paused socket); setting it again reads at once.
    channel.config().setAutoRead(peer.isWritable());
  }

  /**
   * {@code bytes} were read on {@code from} (either side) and relayed: counted for the route's
   * meters and the access log, and the idle timer starts over.
   */
  void passed(Channel from, int bytes) {
    idle.touch();
    if (from == client) {
      fromClient += bytes;
      meters.received(bytes);
    } else {
      toClient += bytes;
      meters.sent(bytes);
    }
  }

  /** Closes the tunnel after the drain period, once: its route or endpoint left the routing table. */
  public void drainAfter(long drainMillis) {
    if (draining.compareAndSet(false, true)) {
      LOG.debug("{} tunnel to {} drains for {} ms", route, endpoint, drainMillis);
      drainTimer = client.eventLoop().schedule(() -> close(TunnelLog.DRAIN, "route removed, drain period over"),
          Math.max(1, drainMillis), TimeUnit.MILLISECONDS);
    }
  }

  public boolean isDraining() {
    return draining.get();
  }

  /** Closes the tunnel because the data plane stops ({@link TunnelLog#SHUTDOWN}). */
  public void shutdown() {
    close(TunnelLog.SHUTDOWN, "data plane stopping");
  }

  /**
   * Closes both sides once each has flushed what it was sent (a close frame, say); runs {@code onClose}
   * once, and writes the tunnel's access log line.
   *
   * @param closedBy who or what closed it, as the access log names it ({@link TunnelLog#CLIENT} ...)
   * @param reason the details, for the DEBUG line
   */
  void close(String closedBy, String reason) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    idle.cancel();
    cancel(drainTimer);
    LOG.debug("{} tunnel to {} closed: {}", route, endpoint, reason);
    closeAfterFlush(client);
    closeAfterFlush(backend);
    meters.tunnelClosed(kind, System.nanoTime() - openedNanos);
    onClose.run();
    if (line != null) {
      line.closed(endpoint.toString(), System.nanoTime() - openedNanos, fromClient, toClient, closedBy, idleMillis);
    }
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
