package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.table.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.resolver.AddressResolverGroup;
import java.net.InetSocketAddress;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * One event loop's keep-alive connections to backends (the Netty engine's upstream side): an
 * exchange and its backend connection run on the client connection's event loop, so nothing here
 * is shared between threads. Idle connections are kept per endpoint and TLS mode, last in first
 * out (the warmest connection first, the rest age out), at most {@value #MAX_IDLE_PER_ENDPOINT}
 * per endpoint; one idle longer than {@value #KEEPALIVE_SECONDS} s is closed by a sweep every
 * second (as Vert.x's client keep-alive timeout that this engine replaces). The number of
 * connections in use is not capped: as nginx, a slow backend gets as many connections as it
 * has requests.
 *
 * <p>Backend TLS is not verified, as ingress-nginx's {@code proxy_ssl_verify off} (backends
 * behind an ingress are rarely verifiable by name); verification comes with backend CA support.
 *
 * <p>Memory: the map holds only endpoints with idle connections (an empty queue is removed), and
 * every entry is an open channel; a closed idle connection leaves its queue at once.
 */
final class UpstreamPool {

  /** The name of the request encoder in a backend connection's pipeline. */
  static final String ENCODER = "encoder";

  static final int MAX_IDLE_PER_ENDPOINT = 512;
  static final int KEEPALIVE_SECONDS = 30;

  /** Told when a connection for an exchange is ready, or could not be made. */
  interface Waiter {
    void connected(UpstreamConnection connection);

    /** A new connection was made for this waiter in {@code nanos} (told before {@link #connected}; not for pooled ones). */
    default void newConnection(long nanos) {
    }

    void connectFailed(Throwable cause);
  }

  private final EventLoop loop;
  private final ChannelFactory<? extends Channel> channels;
  private final AddressResolverGroup<InetSocketAddress> resolver;
  private final SslContext tlsContext;
  /** Idle connections by endpoint: plain ones, and TLS ones. */
  private final Map<Endpoint, ArrayDeque<UpstreamConnection>> idlePlain = new HashMap<>();
  private final Map<Endpoint, ArrayDeque<UpstreamConnection>> idleTls = new HashMap<>();
  private final ScheduledFuture<?> sweeper;

  /**
   * @param channels makes socket channels of the event loop's transport
   * @param resolver resolves backends named by host name, without blocking the event loop
   */
  UpstreamPool(EventLoop loop, ChannelFactory<? extends Channel> channels, AddressResolverGroup<InetSocketAddress> resolver) {
    this.loop = loop;
    this.channels = channels;
    this.resolver = resolver;
    try {
      this.tlsContext = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the backend TLS context", e);
    }
    this.sweeper = loop.scheduleWithFixedDelay(this::closeExpired, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * A connection to {@code endpoint}: an idle one of the pool unless {@code fresh}, else a new
   * one made within {@code connectMillis}. The waiter is told on this event loop, possibly before
   * this returns.
   */
  void acquire(Endpoint endpoint, boolean tls, long connectMillis, boolean fresh, Waiter waiter) {
    if (!fresh) {
      UpstreamConnection pooled = pollIdle(endpoint, tls);
      if (pooled != null) {
        waiter.connected(pooled);
        return;
      }
    }
    connect(endpoint, tls, connectMillis, waiter);
  }

  private Map<Endpoint, ArrayDeque<UpstreamConnection>> idle(boolean tls) {
    return tls ? idleTls : idlePlain;
  }

  private UpstreamConnection pollIdle(Endpoint endpoint, boolean tls) {
    Map<Endpoint, ArrayDeque<UpstreamConnection>> idle = idle(tls);
    ArrayDeque<UpstreamConnection> queue = idle.isEmpty() ? null : idle.get(endpoint);
    if (queue == null) {
      return null;
    }
    UpstreamConnection connection;
    while ((connection = queue.pollLast()) != null && !connection.reusable()) {
      connection.channel().close(); // closed while idle, or sent bytes nobody asked for
    }
    if (queue.isEmpty()) {
      idle.remove(endpoint);
    }
    return connection;
  }

  private void connect(Endpoint endpoint, boolean tls, long connectMillis, Waiter waiter) {
    UpstreamConnection connection = new UpstreamConnection(this, endpoint, tls);
    Bootstrap bootstrap = new Bootstrap().group(loop).channelFactory(channels).resolver(resolver)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectMillis))
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel channel) {
            if (tls) {
              channel.pipeline().addLast("tls", tlsContext.newHandler(channel.alloc(), endpoint.address(), endpoint.port()));
            }
            channel.pipeline().addLast("raw", connection.rawReader());
            channel.pipeline().addLast("decoder", connection.decoder());
            channel.pipeline().addLast(ENCODER, new HttpRequestEncoder());
            channel.pipeline().addLast("handler", connection);
          }
        });
    long started = System.nanoTime();
    ChannelFuture connected = bootstrap.connect(endpoint.address(), endpoint.port());
    connected.addListener(done -> {
      if (done.isSuccess()) {
        waiter.newConnection(System.nanoTime() - started);
        waiter.connected(connection);
      } else {
        waiter.connectFailed(done.cause());
      }
    });
  }

  /**
   * A connection whose exchange ended cleanly goes back to the pool; false when it was closed
   * instead. It reads again, whatever its exchange left: an answer relayed to a slow client pauses
   * the backend's reads ({@code setAutoRead(false)}), and the piece that ends the answer can come
   * in the same read as one that found the client full, so the exchange ends with reads paused. Left
   * so, the connection would not see the backend close it while idle, and the next exchange on it
   * would never read its answer.
   */
  boolean release(UpstreamConnection connection) {
    if (!connection.reusable() || sweeper.isCancelled()) {
      connection.channel().close();
      return false;
    }
    ChannelConfig config = connection.channel().config();
    if (!config.isAutoRead()) { // a read, not Netty's atomic swap, on every exchange's way back
      config.setAutoRead(true);
    }
    ArrayDeque<UpstreamConnection> queue = idle(connection.tls()).computeIfAbsent(connection.endpoint(),
        k -> new ArrayDeque<>());
    if (queue.size() >= MAX_IDLE_PER_ENDPOINT) {
      connection.channel().close();
      return false;
    }
    connection.idleSince(System.nanoTime());
    queue.addLast(connection);
    return true;
  }

  /** An idle connection closed (the backend's keep-alive timeout, say): it leaves its queue. */
  void closedWhileIdle(UpstreamConnection connection) {
    Map<Endpoint, ArrayDeque<UpstreamConnection>> idle = idle(connection.tls());
    ArrayDeque<UpstreamConnection> queue = idle.get(connection.endpoint());
    if (queue != null && queue.remove(connection) && queue.isEmpty()) {
      idle.remove(connection.endpoint());
    }
  }

  private void closeExpired() {
    closeExpired(idlePlain);
    closeExpired(idleTls);
  }

  private static void closeExpired(Map<Endpoint, ArrayDeque<UpstreamConnection>> idle) {
    if (idle.isEmpty()) {
      return;
    }
    long oldest = System.nanoTime() - TimeUnit.SECONDS.toNanos(KEEPALIVE_SECONDS);
    for (ArrayDeque<UpstreamConnection> queue : idle.values()) {
      // the oldest are at the head (last in, first out)
      while (!queue.isEmpty() && queue.peekFirst().idleSince() - oldest < 0) {
        queue.pollFirst().channel().close();
      }
    }
    idle.values().removeIf(ArrayDeque::isEmpty);
  }

  EventLoop loop() {
    return loop;
  }

  /** Closes every idle connection and stops keeping any; on the pool's event loop. */
  void close() {
    sweeper.cancel(false);
    java.util.List<UpstreamConnection> open = new java.util.ArrayList<>();
    idlePlain.values().forEach(open::addAll);
    idleTls.values().forEach(open::addAll);
    idlePlain.clear();
    idleTls.clear();
    open.forEach(connection -> connection.channel().close());
  }
}
