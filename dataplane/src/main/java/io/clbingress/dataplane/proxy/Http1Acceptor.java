package io.clbingress.dataplane.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.ServerChannel;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.impl.VertxHttpResponseEncoder;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A plain HTTP/1.x listener's accepting socket on one event loop, for the Netty engine: each
 * event loop's instance of the listener has its own listening socket on the shared port
 * ({@code SO_REUSEPORT}, Linux's io_uring or epoll transport), so a connection is accepted, set up and served
 * on one thread, with no hand-over from an acceptor thread and no Vert.x connection object. Each
 * accepted connection gets the pipeline the engine would otherwise take over from Vert.x: the
 * request decoder with the framing check ({@link RequestFraming}), the response encoder, and a
 * {@link ClientConnection}.
 *
 * <p>Per instance: the listening socket and the group of open connections (a connection leaves it
 * when it closes), which {@link #drain} closes once the drain period is over.
 */
final class Http1Acceptor {

  private static final Logger LOG = LogManager.getLogger(Http1Acceptor.class);

  private final EventLoop loop;
  private final ChannelGroup open;
  private final Promise<Void> released = Promise.promise();
  private Channel listening;

  private Http1Acceptor(EventLoop loop) {
    this.loop = loop;
    this.open = new DefaultChannelGroup(loop);
  }

  /**
   * Listens on {@code host:port} from {@code loop}.
   *
   * @param decoder the request decoder for a new connection (its head limits are those in force
   *     when it opens)
   * @param connection the engine's handler for a new connection (a {@link ClientConnection})
   * @param proxyProtocol whose PROXY protocol header is believed, when every connection starts with one
   *     ({@link ProxyProtocolReader}); null when none does
   * @param proxyHeaderMillis how long a new connection may take to send that header (the listener's
   *     client header timeout when it opens)
   * @param accepted told of each accepted connection (its metrics), before anything is read from it
   * @return the acceptor once listening; failed when the port cannot be bound (in use by a socket
   *     without {@code SO_REUSEPORT}, or not allowed)
   */
  static Future<Http1Acceptor> listen(EventLoop loop, ChannelFactory<? extends ServerChannel> channels, String host,
      int port, Supplier<? extends ChannelHandler> decoder, Supplier<? extends ChannelHandler> connection,
      ProxyHeaderTrust proxyProtocol, LongSupplier proxyHeaderMillis, Consumer<Channel> accepted) {
    Http1Acceptor acceptor = new Http1Acceptor(loop);
    Promise<Http1Acceptor> bound = Promise.promise();
    new ServerBootstrap()
        .group(loop, loop)
        .channelFactory(channels)
        .option(UnixChannelOption.SO_REUSEPORT, true)
        .option(ChannelOption.SO_REUSEADDR, true)
        // No childOption(TCP_NODELAY): Netty's socket channel config turns Nagle off itself when an
        // accepted channel is made (PlatformDependent.canEnableTcpNoDelayByDefault, all but Android);
        // setting it again cost every accepted connection a second setsockopt.
        .childHandler(new Accepted(acceptor.open, decoder, connection, proxyProtocol, proxyHeaderMillis, accepted))
        .bind(new InetSocketAddress(host, port))
        .addListener((ChannelFutureListener) future -> {
          if (future.isSuccess()) {
            acceptor.listening = future.channel();
            acceptor.listening.closeFuture().addListener(closed -> acceptor.released.tryComplete());
            bound.complete(acceptor);
          } else {
            bound.fail(future.cause());
          }
        });
    return bound.future();
  }

  /**
   * Sets up each accepted connection's pipeline (one instance for all of them): the connection's
   * first handler, which gives its place to the HTTP/1.x codec and the engine's handler, or the
   * PROXY protocol reader, once the connection is registered with its event loop. Netty's {@code
   * ChannelInitializer} does the same with a concurrent set of the channels being set up, which
   * costs every new connection an insertion and a removal; here the event loop is the only thread.
   */
  @ChannelHandler.Sharable
  private static final class Accepted extends ChannelInboundHandlerAdapter {

    private final ChannelGroup open;
    private final Supplier<? extends ChannelHandler> decoder;
    private final Supplier<? extends ChannelHandler> connection;
    private final ProxyHeaderTrust proxyProtocol;
    private final LongSupplier proxyHeaderMillis;
    private final Consumer<Channel> accepted;

    Accepted(ChannelGroup open, Supplier<? extends ChannelHandler> decoder, Supplier<? extends ChannelHandler> connection,
        ProxyHeaderTrust proxyProtocol, LongSupplier proxyHeaderMillis, Consumer<Channel> accepted) {
      this.open = open;
      this.decoder = decoder;
      this.connection = connection;
      this.proxyProtocol = proxyProtocol;
      this.proxyHeaderMillis = proxyHeaderMillis;
      this.accepted = accepted;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      Channel channel = ctx.channel();
      try {
        ctx.pipeline().remove(this);
        open.add(channel);
        accepted.accept(channel);
        if (proxyProtocol != null) {
          ProxyProtocolReader.install(channel, proxyHeaderMillis.getAsLong(), proxyProtocol, this::http);
        } else {
          http(channel);
        }
      } catch (RuntimeException e) {
        LOG.warn("cannot set up connection {}: {}", channel, e.toString(), e);
        channel.close();
      }
    }

    private void http(Channel channel) {
      channel.pipeline()
          .addLast("httpDecoder", decoder.get())
          .addLast("httpEncoder", new VertxHttpResponseEncoder())
          .addLast("handler", connection.get());
    }
  }

  /**
   * Stops accepting at once; the open connections go on for {@code drainMillis}, then those left
   * are closed.
   *
   * @return completed once every connection of this instance is closed
   */
  Future<Void> drain(long drainMillis) {
    Promise<Void> drained = Promise.promise();
    loop.execute(() -> {
      listening.close();
      if (open.isEmpty()) {
        drained.complete();
        return;
      }
      ScheduledFuture<?> deadline = loop.schedule(() -> open.close(), drainMillis, TimeUnit.MILLISECONDS);
      open.newCloseFuture().addListener(done -> {
        deadline.cancel(false); // all closed before the period ended: the timer goes with them
        drained.complete();
      });
    });
    return drained.future();
  }

  /** Completed once the listening socket is closed (after {@link #drain} or {@link #close}). */
  Future<Void> released() {
    return released.future();
  }

  /** Stops accepting and closes every open connection now. */
  Future<Void> close() {
    Promise<Void> closed = Promise.promise();
    loop.execute(() -> {
      listening.close();
      open.close().addListener(done -> closed.complete());
    });
    return closed.future();
  }
}
