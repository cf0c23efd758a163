package io.clbingress.dataplane.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * nginx's {@code lingering_close on}: closing a connection that the client is still writing to
 * (a 413 for a body not read, a refused head, an answer before its body, a 408) while unread
 * bytes sit in the receive buffer makes the kernel send RST, and an RST can destroy the answer
 * before the client has read it (the client sees "connection reset" instead of the 413). So the
 * answer is written, the write side is shut down (after TLS's {@code close_notify} on a TLS
 * connection; the peer reads the end of the answer and then end of stream), and what the client
 * still sends is read and dropped (never buffered) until it closes, or stays quiet for {@link
 * #TIMEOUT_MILLIS} ({@code lingering_timeout}), or for {@link #TIME_MILLIS} in all ({@code
 * lingering_time}); then the connection closes. Source: nginx's {@code ngx_http_core_module}
 * documentation of {@code lingering_close}, {@code lingering_time} and {@code lingering_timeout}
 * (their defaults: on, 30 s, 5 s).
 *
 * <p>The handler goes first in the pipeline, so that nothing read reaches the TLS or HTTP
 * decoders any more. One timer per lingering connection, re-armed when it fires early (a read
 * only notes the time), and cancelled when the connection closes.
 */
final class LingeringClose extends ChannelInboundHandlerAdapter {

  /** nginx's {@code lingering_time}: at most this long reading after the answer, in milliseconds. */
  static final long TIME_MILLIS = 30_000;
  /** nginx's {@code lingering_timeout}: the connection closes once the client was quiet this long, in milliseconds. */
  static final long TIMEOUT_MILLIS = 5_000;

  private static final String NAME = "lingeringClose";

  private final long timeNanos;
  private final long timeoutNanos;
  private ChannelHandlerContext ctx;
  private long deadline;
  private long lastRead;
  private ScheduledFuture<?> timer;

  /**
   * @param timeMillis the longest reading after the answer, in milliseconds (at least 1)
   * @param timeoutMillis the longest quiet time, in milliseconds (at least 1)
   */
  LingeringClose(long timeMillis, long timeoutMillis) {
    this.timeNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, timeMillis));
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, timeoutMillis));
  }

  /**
   * Closes {@code channel} once {@code written} (its last answer) is written: lingering when
   * {@code linger} (the client may still be sending), at once otherwise or when the write failed.
   */
  static void closeAfter(ChannelFuture written, boolean linger) {
    written.addListener(done -> {
      if (linger && done.isSuccess()) {
        start(written.channel());
      } else {
        written.channel().close();
      }
    });
  }

  /**
   * Starts lingering on {@code channel}, whose last answer is written; a channel that cannot
   * half-close (not a socket) is closed at once. On the channel's event loop.
   */
  static void start(Channel channel) {
    if (!channel.isActive() || !(channel instanceof DuplexChannel duplex)) {
      channel.close();
      return;
    }
    if (channel.pipeline().get(NAME) != null) {
      return;
    }
    channel.pipeline().addFirst(NAME, new LingeringClose(TIME_MILLIS, TIMEOUT_MILLIS));
    SslHandler tls = channel.pipeline().get(SslHandler.class);
    ChannelFuture notified = tls == null ? channel.newSucceededFuture() : tls.closeOutbound();
    notified.addListener(sent -> {
      if (channel.isActive()) {
        duplex.shutdownOutput().addListener(shut -> {
          if (!shut.isSuccess()) {
            channel.close();
          }
        });
      }
    });
    channel.config().setAutoRead(true);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    ctx = context;
    long now = now();
    lastRead = now;
    deadline = now + timeNanos;
    arm(timeoutNanos);
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object msg) {
    ReferenceCountUtil.release(msg);
    lastRead = now();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext context) {
    // nothing read goes on, so neither does the end of a read
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object event) {
    if (event instanceof ChannelInputShutdownEvent || event instanceof ChannelInputShutdownReadComplete) {
      context.close(); // the client closed its side (on a channel that allows half-closure)
    } else {
      context.fireUserEventTriggered(event);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    cancel();
    context.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext context) {
    cancel();
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private long now() {
    return ctx.executor().ticker().nanoTime();
  }

  private void arm(long delayNanos) {
    timer = ctx.executor().schedule(this::fired, Math.max(1, delayNanos), TimeUnit.NANOSECONDS);
  }

  private void fired() {
    timer = null;
    long now = now();
    long quietEnds = lastRead + timeoutNanos;
    if (now - deadline >= 0 || now - quietEnds >= 0) {
      ctx.close();
    } else {
      arm(Math.min(deadline, quietEnds) - now);
    }
  }
}
