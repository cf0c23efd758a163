package io.clbingress.dataplane.tls;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.net.NetServerOptions;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Lets a TLS connection that closes before its ClientHello is complete go at once.
 *
 * <p>A TLS server with SNI reads the ClientHello with Netty's SNI handler ({@link AbstractSniHandler},
 * Vert.x's {@code VertxSniHandler}) before it knows which certificate to answer with. That handler
 * starts a timer for the TLS handshake timeout (Vert.x's default: 10 s) when the connection opens and
 * cancels it only when the ClientHello has been read (Netty 4.2.9 to 4.2.20 at least): a client that
 * closes before then leaves the timer queued on its event loop, and with it the closed channel, its
 * pipeline and buffers (about 1.5 KiB), until the timer runs. A flood of such connections (open,
 * send part of a ClientHello, close; a cheap attack) held the rate times 10 s of them: 100,000 in
 * 7 s left 170 MB on the heap (docs/request-handling.md, "Connections: nothing outlives its
 * connection").
 *
 * <p>This handler stands on a listening channel, sees each accepted connection before Vert.x sets it
 * up, and puts a listener on its close: if the SNI handler is still in the pipeline then, its timer is
 * cancelled. The timer is a private field of Netty's ({@value #TIMER_FIELD}), read through a
 * {@link VarHandle}; if a Netty upgrade renames it, this logs a warning once and does nothing, and
 * {@code SniTimerReleaseTest} fails.
 */
@Sharable
public final class SniTimerRelease extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LogManager.getLogger(SniTimerRelease.class);
  static final String TIMER_FIELD = "timeoutFuture";
  private static final VarHandle TIMER = timerField();
  private static final SniTimerRelease INSTANCE = new SniTimerRelease();
  private static final ChannelFutureListener CANCEL_ON_CLOSE = closed -> cancelTimer(closed.channel());

  private SniTimerRelease() {
  }

  /**
   * Puts this handler on the listening channel of a server that reads SNI ({@code options} with TLS
   * and SNI on); other servers are left as they are. Called by Vert.x's transport when it sets up a
   * server ({@code io.vertx.core.spi.transport.Transport#configure}), after Vert.x has set the
   * accepted connections' handler.
   *
   * @throws IllegalStateException if the server already has a handler of its listening channel
   */
  public static void install(NetServerOptions options, ServerBootstrap bootstrap) {
    if (TIMER == null || !options.isSsl() || !options.isSni()) {
      return;
    }
    if (bootstrap.config().handler() != null) {
      throw new IllegalStateException("the listening channel already has a handler: " + bootstrap.config().handler());
    }
    bootstrap.handler(INSTANCE);
  }

  /** An accepted connection (a {@link Channel}, not yet registered): its close cancels the SNI timer. */
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object accepted) {
    if (accepted instanceof Channel child) {
      child.closeFuture().addListener(CANCEL_ON_CLOSE);
    }
    ctx.fireChannelRead(accepted);
  }

  private static void cancelTimer(Channel closed) {
    AbstractSniHandler<?> sni = closed.pipeline().get(AbstractSniHandler.class);
    if (sni != null && TIMER.get(sni) instanceof ScheduledFuture<?> timer) {
      timer.cancel(false);
    }
  }

  private static VarHandle timerField() {
    try {
      return MethodHandles.privateLookupIn(AbstractSniHandler.class, MethodHandles.lookup())
          .findVarHandle(AbstractSniHandler.class, TIMER_FIELD, ScheduledFuture.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("Netty's SNI handler has no field {} ({}): a TLS connection closed before its ClientHello was"
          + " complete stays on the heap until the TLS handshake timeout", TIMER_FIELD, e.toString());
      return null;
    }
  }
}
