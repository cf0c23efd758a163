package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.RouteKey;
import io.clbingress.dataplane.table.Endpoint;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A client socket and a dedicated backend socket spliced as raw bytes: an upgraded WebSocket (so
 * frames, pings and close codes pass unchanged) or a TCP / TCP_SSL listener's connection. Each direction pauses its reader while the
 * other side's write queue is full. One idle timer covers both directions: any bytes reset it,
 * and when nothing has passed for the route's read timeout both sides are closed.
 */
public final class Tunnel {

  private static final Logger LOG = LogManager.getLogger(Tunnel.class);

  private final Vertx vertx;
  private final NetSocket client;
  private final NetSocket backend;
  private final long idleNanos;
  private final RouteKey route;
  private final Endpoint endpoint;
  private final Runnable onClose;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean draining = new AtomicBoolean();
  private volatile long lastActivity;
  private volatile long idleTimer = -1;

  Tunnel(Vertx vertx, NetSocket client, NetSocket backend, long idleMillis, RouteKey route,
      Endpoint endpoint, Runnable onClose) {
    this.vertx = vertx;
    this.client = client;
    this.backend = backend;
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

  void start() {
    lastActivity = System.nanoTime();
    splice(client, backend);
    splice(backend, client);
    client.closeHandler(v -> close("client closed"));
    backend.closeHandler(v -> close("backend closed"));
    client.exceptionHandler(e -> close("client error: " + e));
    backend.exceptionHandler(e -> close("backend error: " + e));
    armIdleTimer(idleNanos);
  }

  private void splice(NetSocket from, NetSocket to) {
    from.handler((Buffer data) -> {
      lastActivity = System.nanoTime();
      to.write(data);
      if (to.writeQueueFull()) {
        from.pause();
        to.drainHandler(v -> from.resume());
      }
    });
  }

  private void armIdleTimer(long delayNanos) {
    long delayMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos));
    idleTimer = vertx.setTimer(delayMillis, id -> {
      long quiet = System.nanoTime() - lastActivity;
      if (quiet >= idleNanos) {
        close("idle for " + TimeUnit.NANOSECONDS.toMillis(quiet) + " ms");
      } else if (!closed.get()) {
        armIdleTimer(idleNanos - quiet);
      }
    });
  }

  /** Closes the tunnel after the drain period, once: its route or endpoint left the routing table. */
  public void drainAfter(long drainMillis) {
    if (draining.compareAndSet(false, true)) {
      LOG.debug("{} tunnel to {} drains for {} ms", route, endpoint, drainMillis);
      vertx.setTimer(Math.max(1, drainMillis), id -> close("route removed, drain period over"));
    }
  }

  public boolean isDraining() {
    return draining.get();
  }

  public void close(String reason) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    vertx.cancelTimer(idleTimer);
    LOG.debug("{} tunnel to {} closed: {}", route, endpoint, reason);
    // end() flushes what is queued (a close frame, say) before the TCP close.
    client.end();
    backend.end();
    onClose.run();
  }
}
