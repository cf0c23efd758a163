package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.table.Endpoint;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One keep-alive connection to a backend, the last handler of its pipeline (after TLS, if any,
 * and Netty's HTTP/1.1 client codec): what it reads goes to the exchange it serves. Idle in its
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
  }

  private final UpstreamPool pool;
  private final Endpoint endpoint;
  private final boolean tls;
  private Channel channel;
  private Exchange exchange;
  private boolean carriedRequest;
  private long idleSince;
  private Throwable failure;

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
   * @return whether it carried a request before (a stale keep-alive connection may have been
   *     closed by the backend just now: {@link StaleConnections})
   */
  boolean serve(Exchange exchange) {
    this.exchange = exchange;
    boolean reused = carriedRequest;
    carriedRequest = true;
    return reused;
  }

  /** The exchange is over: back to the pool when {@code reusable}, else closed. */
  void done(boolean reusable) {
    exchange = null;
    if (!reusable || !pool.release(this)) {
      channel.close();
    }
  }

  /** The exchange is over and the connection must not be reused. */
  void discard() {
    exchange = null;
    channel.close();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (exchange != null) {
      exchange.backendRead(msg);
    } else {
      ReferenceCountUtil.release(msg);
      LOG.debug("backend {} sent data on an idle connection: closed", endpoint);
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
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
