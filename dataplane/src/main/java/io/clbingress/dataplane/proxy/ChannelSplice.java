package io.clbingress.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * One side of a {@link Tunnel} in its channel's pipeline, where Vert.x's handler was: the bytes
 * read here are written to the peer channel as they are (no copy, no queue of our own), flushed
 * once per read batch. Back-pressure is Netty's: while the peer's outbound buffer is above its
 * high-water mark this side stops reading, and reads again once the peer has drained below its
 * low-water mark (the peer's handler tells it). A close or an error on either side closes the tunnel.
 */
final class ChannelSplice extends ChannelInboundHandlerAdapter {

  /** The name this handler takes in the pipeline. */
  static final String NAME = "clb-tunnel";

  private final Tunnel tunnel;
  private final Channel peer;
  private final String side;

  /** @param side {@link io.clbingress.dataplane.accesslog.TunnelLog#CLIENT} or {@code BACKEND}: what this channel is, for the close reason */
  ChannelSplice(Tunnel tunnel, Channel peer, String side) {
    this.tunnel = tunnel;
    this.peer = peer;
    this.side = side;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf bytes) {
      tunnel.passed(ctx.channel(), bytes.readableBytes());
      peer.write(bytes, peer.voidPromise());
      if (!peer.isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    } else {
      ReferenceCountUtil.release(msg); // nothing but bytes is left in a tunnel's pipeline
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    peer.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      peer.config().setAutoRead(true);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    tunnel.close(side, side + " closed");
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    tunnel.close(side, side + " error: " + cause);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    // Vert.x's shutdown and idle events were meant for its handler, which left: the tunnel has
    // its own idle timer, and a stopping data plane closes its tunnels itself.
    ReferenceCountUtil.release(event);
  }
}
