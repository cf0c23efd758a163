package io.clbingress.dataplane.tls;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.net.NetServerOptions;

/**
 * The handler of a TLS server's listening channel: sees each accepted connection before Vert.x sets
 * it up (registers it and adds its TLS handlers), and prepares it: with SNI, {@link SniTimerRelease}
 * watches its close; on io_uring, {@link HandshakeFlights} goes first in its pipeline.
 */
@Sharable
public final class TlsAccept extends ChannelInboundHandlerAdapter {

  /** Whether {@link SniTimerRelease} watches each connection's close. */
  private final boolean sni;
  /** Whether {@link HandshakeFlights} goes first in each connection's pipeline. */
  private final boolean handshakeFlights;

  private TlsAccept(boolean sni, boolean handshakeFlights) {
    this.sni = sni;
    this.handshakeFlights = handshakeFlights;
  }

  /**
   * Puts this handler on the listening channel of a TLS server ({@code options} with TLS on); other
   * servers, and TLS servers with nothing to prepare, are left as they are. Called by Vert.x's transport
   * when it sets up a server ({@code io.vertx.core.spi.transport.Transport#configure}), after Vert.x
   * has set the accepted connections' handler.
   *
   * @param ioUring whether the server's event loops run on io_uring
   * @throws IllegalStateException if the server already has a handler of its listening channel
   */
  public static void install(NetServerOptions options, ServerBootstrap bootstrap, boolean ioUring) {
    boolean sni = options.isSsl() && options.isSni() && SniTimerRelease.available();
    boolean flights = options.isSsl() && ioUring && HandshakeFlights.available();
    if (!sni && !flights) {
      return;
    }
    if (bootstrap.config().handler() != null) {
      throw new IllegalStateException("the listening channel already has a handler: " + bootstrap.config().handler());
    }
    bootstrap.handler(new TlsAccept(sni, flights));
  }

  /** An accepted connection (a {@link Channel}, not yet registered). */
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object accepted) {
    if (accepted instanceof Channel child) {
      if (sni) {
        SniTimerRelease.watch(child);
      }
      if (handshakeFlights) {
        HandshakeFlights.attach(child);
      }
    }
    ctx.fireChannelRead(accepted);
  }
}
