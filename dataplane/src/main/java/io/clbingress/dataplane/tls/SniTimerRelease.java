package io.clbingress.dataplane.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.util.concurrent.ScheduledFuture;
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
 * <p>{@link TlsAccept}, on the listening channel, hands each accepted connection to
 * {@link #watch} before Vert.x sets it up, which puts a listener on its close: if the SNI handler is
 * still in the pipeline then, its timer is cancelled. The timer is a private field of Netty's
 * ({@value #TIMER_FIELD}), read through a {@link VarHandle}; if a Netty upgrade renames it, this logs
 * a warning once and does nothing, and {@code SniTimerReleaseTest} fails.
 */
public final class SniTimerRelease {

  private static final Logger LOG = LogManager.getLogger(SniTimerRelease.class);
  static final String TIMER_FIELD = "timeoutFuture";
  private static final VarHandle TIMER = timerField();
  private static final ChannelFutureListener CANCEL_ON_CLOSE = closed -> cancelTimer(closed.channel());

  private SniTimerRelease() {
  }

  /** Whether Netty's timer field was found (else {@link #watch} does nothing). */
  static boolean available() {
    return TIMER != null;
  }

  /** An accepted connection (a {@link Channel}, not yet registered): its close cancels the SNI timer. */
  static void watch(Channel accepted) {
    if (TIMER != null) {
      accepted.closeFuture().addListener(CANCEL_ON_CLOSE);
    }
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
