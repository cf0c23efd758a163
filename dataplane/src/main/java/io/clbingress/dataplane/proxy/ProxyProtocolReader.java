package io.clbingress.dataplane.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The PROXY protocol header (HAProxy's "The PROXY protocol", versions 1 and 2,
 * https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt) at the start of a connection
 * accepted by the data plane's own HTTP/1.x acceptor ({@link Http1Acceptor}); listeners that
 * Vert.x accepts (HTTPS, TCP, TCP_SSL) read it with Vert.x's {@code setUseProxyProtocol}, the same
 * Netty decoder, and vet it when Vert.x hands the connection over ({@link ProxyHeaderTrust#vet}).
 *
 * <p>Netty's {@link HAProxyMessageDecoder} reads the header; a connection whose first bytes are no
 * valid header (v1 longer than 107 bytes with its CRLF, an unknown signature or version, a bad
 * address) is closed by it, as the specification asks ("the receiver must ... drop the
 * connection"). A connection whose header is not complete within {@code deadlineMillis} of the
 * accept is closed too: one deadline for the whole header, however the bytes trickle in.
 *
 * <p>The header's addresses are believed only as {@link ProxyHeaderTrust} says (a peer within
 * {@code --trusted-proxies}, or any peer when none is set); otherwise the socket's stay the
 * connection's. From a believed {@code PROXY} command over TCP, the header's source and
 * destination become the connection's addresses ({@link Http1Takeover#proxied}); a {@code LOCAL}
 * command (v2) or {@code UNKNOWN} protocol (v1), which a proxy sends for its own health checks,
 * keeps the socket's. UDP (v2 {@code DGRAM}) is no client of an HTTP listener: closed. Then the
 * HTTP pipeline takes over ({@code then}), and the bytes after the header go to it.
 */
final class ProxyProtocolReader extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LogManager.getLogger(ProxyProtocolReader.class);

  private final long deadlineMillis;
  private final ProxyHeaderTrust trust;
  private final Consumer<Channel> then;
  private ScheduledFuture<?> deadline;

  private ProxyProtocolReader(long deadlineMillis, ProxyHeaderTrust trust, Consumer<Channel> then) {
    this.deadlineMillis = deadlineMillis;
    this.trust = trust;
    this.then = then;
  }

  /**
   * Puts the decoder and the reader first on a new connection's pipeline.
   *
   * @param deadlineMillis how long the whole header may take, from now; at least 1
   * @param then builds the rest of the pipeline once the header is read
   */
  static void install(Channel channel, long deadlineMillis, ProxyHeaderTrust trust, Consumer<Channel> then) {
    channel.pipeline()
        .addLast("proxyProtocolDecoder", new HAProxyMessageDecoder())
        .addLast("proxyProtocolReader", new ProxyProtocolReader(deadlineMillis, trust, then));
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    deadline = ctx.executor().schedule(() -> {
      LOG.debug("{} sent no PROXY protocol header within {} ms: closed", ctx.channel().remoteAddress(), deadlineMillis);
      ctx.close();
    }, Math.max(1, deadlineMillis), TimeUnit.MILLISECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    deadline.cancel(false);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HAProxyMessage header)) {
      ReferenceCountUtil.release(msg); // nothing passes before the header
      return;
    }
    try {
      HAProxyProxiedProtocol protocol = header.proxiedProtocol();
      if (protocol.transportProtocol() == HAProxyProxiedProtocol.TransportProtocol.DGRAM) {
        LOG.debug("{} sent a PROXY header for {}: closed", ctx.channel().remoteAddress(), protocol);
        ctx.close();
        return;
      }
      if (header.command() == HAProxyCommand.PROXY && (protocol == HAProxyProxiedProtocol.TCP4
          || protocol == HAProxyProxiedProtocol.TCP6) && trust.believes(ctx.channel())) {
        Http1Takeover.proxied(ctx.channel(), header.sourceAddress(), header.sourcePort(), header.destinationAddress(),
            header.destinationPort());
      }
    } finally {
      header.release();
    }
    then.accept(ctx.channel());
    ctx.pipeline().remove(this);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // HAProxyMessageDecoder has closed the connection already (an invalid header)
    LOG.debug("{}: invalid PROXY protocol header: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    deadline.cancel(false);
    ctx.fireChannelInactive();
  }
}
