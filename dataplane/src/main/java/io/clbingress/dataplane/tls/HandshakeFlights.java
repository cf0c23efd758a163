package io.clbingress.dataplane.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * On io_uring, sends each flight of a TLS handshake as soon as it is flushed, not after the rest of
 * the event loop's batch of completions.
 *
 * <p>Netty's io_uring event loop (4.2.9) handles every completion the kernel has posted, then submits
 * the writes they queued, all at once, at the start of its next turn. A connection's write therefore
 * waits for every completion handled after its own. For most traffic that batching is io_uring's gain
 * (one system call for many answers). For a TLS server it is a loss: a full handshake's first
 * flight costs about a millisecond of CPU (the RSA or ECDSA signature), so with three ClientHellos in
 * one batch the first client gets its answer only after all three signatures, and meanwhile it, its
 * CPU and then the proxy's sit idle by turns. Measured on the project's 2-core machine, four
 * {@code openssl s_time -new -tls1_2} clients: 0.69–0.78× nginx's full handshakes a second on
 * io_uring with 35–39% of the proxy's core idle, 0.92–1.00× on epoll (which writes at once), the
 * same CPU per handshake on both (README, "Socket transport").
 *
 * <p>This handler stands first in an accepted TLS connection's pipeline (nearest the socket) while
 * its handshake runs: after each flush it submits the event loop's queued operations to the kernel
 * (one {@code io_uring_enter}), then leaves the pipeline at the first flush after the handshake is
 * done, so the connection's later traffic is batched as before. The submission queue is a
 * package-private part of Netty's io_uring transport, reached through method handles; if a Netty
 * upgrade moves it, this logs a warning once and the handshakes wait for their batch as before, and
 * {@code HandshakeFlightsTest} fails.
 */
@Sharable
public final class HandshakeFlights extends ChannelOutboundHandlerAdapter {

  private static final Logger LOG = LogManager.getLogger(HandshakeFlights.class);
  private static final HandshakeFlights INSTANCE = new HandshakeFlights();
  /** {@code (EventLoop) -> int}: submits an io_uring event loop's queued operations; null when Netty's internals were not found. */
  private static final MethodHandle SUBMIT = submitHandle();

  private HandshakeFlights() {
  }

  /** Whether Netty's io_uring internals this relies on were found. */
  public static boolean available() {
    return SUBMIT != null;
  }

  /**
   * Puts this handler first in the pipeline of an accepted connection, before it is registered (Vert.x
   * then adds its TLS handlers after it). Does nothing when Netty's internals were not found.
   */
  public static void attach(Channel accepted) {
    if (SUBMIT != null) {
      accepted.pipeline().addFirst(INSTANCE);
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    ctx.flush();
    submit(ctx.channel().eventLoop());
    SslHandler tls = ctx.pipeline().get(SslHandler.class);
    if (tls != null && tls.handshakeFuture().isDone()) {
      ctx.pipeline().remove(this);
    }
  }

  private static void submit(EventLoop loop) {
    try {
      int ignored = (int) SUBMIT.invokeExact(loop);
    } catch (Throwable e) {
      // Not an io_uring loop after all, or the ring is closing: the operations go at the loop's next turn.
      LOG.debug("handshake flight left to the event loop's batch: {}", e.toString());
    }
  }

  /** {@code SingleThreadIoEventLoop.ioHandler → IoUringIoHandler.ringBuffer → RingBuffer.ioUringSubmissionQueue() → SubmissionQueue.submit()}. */
  private static MethodHandle submitHandle() {
    try {
      Class<?> loop = Class.forName("io.netty.channel.SingleThreadIoEventLoop");
      Class<?> handler = Class.forName("io.netty.channel.uring.IoUringIoHandler");
      Class<?> ring = Class.forName("io.netty.channel.uring.RingBuffer");
      Class<?> queue = Class.forName("io.netty.channel.uring.SubmissionQueue");
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      MethodHandle ioHandler = MethodHandles.privateLookupIn(loop, lookup).findGetter(loop, "ioHandler",
          Class.forName("io.netty.channel.IoHandler"));
      MethodHandle ringBuffer = MethodHandles.privateLookupIn(handler, lookup).findGetter(handler, "ringBuffer", ring);
      MethodHandle submissionQueue = MethodHandles.privateLookupIn(ring, lookup).findVirtual(ring,
          "ioUringSubmissionQueue", MethodType.methodType(queue));
      MethodHandle submit = MethodHandles.privateLookupIn(queue, lookup).findVirtual(queue, "submit",
          MethodType.methodType(int.class));
      MethodHandle chain = MethodHandles.filterReturnValue(
          MethodHandles.filterReturnValue(
              MethodHandles.filterReturnValue(ioHandler.asType(MethodType.methodType(Object.class, loop)),
                  ringBuffer.asType(MethodType.methodType(Object.class, Object.class))),
              submissionQueue.asType(MethodType.methodType(Object.class, Object.class))),
          submit.asType(MethodType.methodType(int.class, Object.class)));
      return chain.asType(MethodType.methodType(int.class, EventLoop.class));
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.warn("Netty's io_uring submission queue was not found ({}): a TLS handshake's flights wait for the rest"
          + " of their event loop's batch", e.toString());
      return null;
    }
  }
}
