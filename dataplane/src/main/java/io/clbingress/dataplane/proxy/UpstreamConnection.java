package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.table.Endpoint;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One keep-alive connection to a backend, the last handler of its pipeline (after TLS, if any,
 * the {@link RawAnswerReader} and Netty's HTTP/1.1 client codec): what it reads goes to the
 * exchange it serves. Idle in its
 * {@link UpstreamPool}, it serves none; a backend that sends anything then, or closes, loses it.
 */
final class UpstreamConnection extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LogManager.getLogger(UpstreamConnection.class);

  /** What a backend connection reports to the exchange it serves; on the event loop. */
  interface Exchange {
    void backendRead(Object message);

    /** The connection closed or failed ({@code cause} null for a plain close). */
    void backendClosed(Throwable cause);

    void backendWritabilityChanged(boolean writable);

    /** The backend sent nothing for the read timeout given to {@link #watchReads}. */
    void backendSilent(long quietMillis);
  }

  private final UpstreamPool pool;
  private final RawAnswerReader rawReader = new RawAnswerReader();
  private final BackendResponseDecoder decoder = new BackendResponseDecoder(this);
  /** The exchange served asked with HEAD: its answer has no body. */
  private boolean head;
  /**
   * The exchange is over and the connection goes back to the pool once the read in progress is
   * done: an answer that came with more bytes than it framed must not reach the next exchange.
   */
  private boolean releaseAfterRead;
  private boolean reading;
  private final Endpoint endpoint;
  private final boolean tls;
  private Channel channel;
  /** The request encoder's context: bytes written there pass it by ({@link #writeBytes}). */
  private ChannelHandlerContext bytesOut;
  private Exchange exchange;
  private boolean carriedRequest;
  private long idleSince;
  private Throwable failure;
  /** The read timeout of the exchange served: one timer per connection, not one per request. */
  private QuietTimer reads;

  UpstreamConnection(UpstreamPool pool, Endpoint endpoint, boolean tls) {
    this.pool = pool;
    this.endpoint = endpoint;
    this.tls = tls;
  }

  Channel channel() {
    return channel;
  }

  Endpoint endpoint() {
    return endpoint;
  }

  boolean tls() {
    return tls;
  }

  long idleSince() {
    return idleSince;
  }

  void idleSince(long nanos) {
    idleSince = nanos;
  }

  /**
   * The connection serves {@code exchange} from now on.
   *
   * @param head the request is HEAD: its answer has no body
   * @param rawAnswer the exchange takes a plain answer as bytes ({@link RawHead} and {@link
   *     RawAnswerReader.Piece}s) rather than decoded
   * @return whether it carried a request before (a stale keep-alive connection may have been
   *     closed by the backend just now: {@link StaleConnections})
   */
  boolean serve(Exchange exchange, boolean head, boolean rawAnswer) {
    this.exchange = exchange;
    this.head = head;
    rawReader.expect(rawAnswer, head);
    boolean reused = carriedRequest;
    carriedRequest = true;
    return reused;
  }

  /**
   * From now until the exchange is over, the backend must send something at least every
   * {@code millis} (the route's read timeout), else the exchange is told.
   */
  void watchReads(long millis) {
    reads.watch(millis);
  }

  private void readsTimedOut(long quietMillis) {
    if (exchange != null) {
      exchange.backendSilent(quietMillis);
    }
  }

  BackendResponseDecoder decoder() {
    return decoder;
  }

  RawAnswerReader rawReader() {
    return rawReader;
  }

  boolean answeringHead() {
    return head;
  }

  /** Open, and holding no bytes beyond the answers it framed. */
  boolean reusable() {
    return channel.isActive() && !rawReader.holdsBytes() && !decoder.holdsBytes();
  }

  /**
   * The exchange is over: back to the pool when {@code reusable} (once the read in progress is
   * done, if any), else closed.
   */
  void done(boolean reusable) {
    exchange = null;
    reads.pause();
    if (!reusable) {
      channel.close();
    } else if (reading) {
      releaseAfterRead = true;
    } else if (!pool.release(this)) {
      channel.close();
    }
  }

  /** The exchange is over and the connection must not be reused. */
  void discard() {
    exchange = null;
    reads.pause();
    channel.close();
  }

  /**
   * Writes bytes of a request that goes as bytes ({@link UpstreamRequestHead} and its body) past
   * the request encoder, which sees none of that request; {@code flush} sends them and all before.
   */
  void writeBytes(ByteBuf bytes, boolean flush) {
    if (flush) {
      bytesOut.writeAndFlush(bytes, bytesOut.voidPromise());
    } else {
      bytesOut.write(bytes, bytesOut.voidPromise());
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    bytesOut = ctx.pipeline().context(UpstreamPool.ENCODER);
    reads = new QuietTimer(channel.eventLoop(), this::readsTimedOut);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    reads.touch();
    reading = true;
    if (exchange != null) {
      exchange.backendRead(msg);
    } else {
      ReferenceCountUtil.release(msg);
      LOG.debug("backend {} sent an answer nobody asked for: its connection is closed", endpoint);
      releaseAfterRead = false;
      ctx.close();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    reading = false;
    if (releaseAfterRead) {
      releaseAfterRead = false;
      if (!pool.release(this)) {
        ctx.close();
      }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    reads.cancel();
    Exchange serving = exchange;
    exchange = null;
    if (serving != null) {
      serving.backendClosed(failure);
    } else {
      pool.closedWhileIdle(this);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.backendWritabilityChanged(ctx.channel().isWritable());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("backend connection {}: {}", endpoint, cause.toString());
    failure = cause;
    ctx.close();
  }
}
