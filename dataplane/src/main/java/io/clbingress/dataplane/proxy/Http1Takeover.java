package io.clbingress.dataplane.proxy;

import io.netty.channel.Channel;
import io.netty.resolver.AddressResolverGroup;
import java.net.InetSocketAddress;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

/**
 * The one adapter between Vert.x's HTTP server and the Netty engine ({@link ClientConnection}):
 * Vert.x accepts the connection, does TLS and ALPN, and builds the HTTP/1.x pipeline (request
 * decoder {@code httpDecoder}, response encoder {@code httpEncoder}, its connection handler
 * {@code handler}); the connection handler then puts the engine's handler in place of Vert.x's,
 * before any request is read. HTTP/2 connections stay with Vert.x.
 *
 * <p>Vert.x internals used here, and nowhere else for the HTTP/1.x engine: the connection is a
 * {@code ConnectionBase} with its channel; the pipeline's handler names; the context's Netty event
 * loop; the transport's channel factory. {@code Http1EngineAdapterTest} covers them, so a Vert.x
 * upgrade that moves them fails a test rather than traffic.
 */
final class Http1Takeover {

  /**
   * The engine for HTTP/1.x connections: {@code netty} (the default) or {@code vertx} (Vert.x's
   * own HTTP server and client, as before the Netty engine; for comparison and as a fallback),
   * from the system property {@code clb.http1.engine}.
   */
  static final boolean NETTY = !"vertx".equalsIgnoreCase(System.getProperty("clb.http1.engine", "netty"));

  private Http1Takeover() {
  }

  /**
   * The peer of a client connection as text: the source address of its PROXY protocol header
   * where one was read (Vert.x's server with {@code setUseProxyProtocol}, or {@link
   * ProxyProtocolReader}, both keep it in Vert.x's {@code REMOTE_ADDRESS_OVERRIDE} channel
   * attribute, which Vert.x's own {@code remoteAddress()} reads too), else the socket's.
   */
  static String remoteAddress(Channel channel) {
    io.vertx.core.net.SocketAddress proxied = proxiedAddress(channel);
    if (proxied != null) {
      return proxied.hostAddress(); // not a Unix socket's path (a v2 AF_UNIX header): then the socket's
    }
    if (channel.remoteAddress() instanceof InetSocketAddress remote) {
      return remote.getAddress() == null ? remote.getHostString() : remote.getAddress().getHostAddress();
    }
    return null;
  }

  /**
   * {@link #remoteAddress} in the form {@link RealIp#peer} gives it (an IPv4-mapped IPv6 address
   * as IPv4, IPv6 in RFC 5952's form). A socket's IPv4 peer is taken as {@link
   * java.net.Inet4Address#getHostAddress} writes it (already that form) without a parse and a
   * format on every connection.
   */
  static String peerIp(Channel channel) {
    if (proxiedAddress(channel) == null && channel.remoteAddress() instanceof InetSocketAddress remote
        && remote.getAddress() instanceof java.net.Inet4Address v4) {
      return v4.getHostAddress();
    }
    return RealIp.peer(remoteAddress(channel));
  }

  /** The port of the peer {@link #remoteAddress} names, or -1. */
  static int remotePort(Channel channel) {
    io.vertx.core.net.SocketAddress proxied = proxiedAddress(channel);
    if (proxied != null) {
      return proxied.port();
    }
    return channel.remoteAddress() instanceof InetSocketAddress remote ? remote.getPort() : -1;
  }

  /** The PROXY protocol header's source address, or null (none, or a Unix socket's). */
  private static io.vertx.core.net.SocketAddress proxiedAddress(Channel channel) {
    // hasAttr first: attr() would add an empty attribute to every connection that has none
    if (!channel.hasAttr(io.vertx.core.net.impl.ConnectionBase.REMOTE_ADDRESS_OVERRIDE)) {
      return null;
    }
    io.vertx.core.net.SocketAddress proxied = channel.attr(io.vertx.core.net.impl.ConnectionBase.REMOTE_ADDRESS_OVERRIDE).get();
    return proxied != null && proxied.hostAddress() != null ? proxied : null;
  }

  /**
   * Records the addresses of a PROXY protocol header where Vert.x records them ({@link
   * #remoteAddress}), so that every reader of the connection's addresses sees the client's.
   */
  static void proxied(Channel channel, String sourceAddress, int sourcePort, String destinationAddress,
      int destinationPort) {
    channel.attr(io.vertx.core.net.impl.ConnectionBase.REMOTE_ADDRESS_OVERRIDE)
        .set(io.vertx.core.net.SocketAddress.inetSocketAddress(sourcePort, sourceAddress));
    channel.attr(io.vertx.core.net.impl.ConnectionBase.LOCAL_ADDRESS_OVERRIDE)
        .set(io.vertx.core.net.SocketAddress.inetSocketAddress(destinationPort, destinationAddress));
  }

  /**
   * Forgets the addresses of a PROXY protocol header that is not believed ({@link ProxyHeaderTrust}),
   * so that every reader of the connection's addresses sees the socket's. Vert.x reads them once,
   * when first asked: this must come before (as it does in the connection handler).
   */
  static void notProxied(Channel channel) {
    channel.attr(io.vertx.core.net.impl.ConnectionBase.REMOTE_ADDRESS_OVERRIDE).set(null);
    channel.attr(io.vertx.core.net.impl.ConnectionBase.LOCAL_ADDRESS_OVERRIDE).set(null);
  }

  /** Whether a connection's addresses are those of a PROXY protocol header ({@link #proxied}, or Vert.x's reading). */
  static boolean isProxied(Channel channel) {
    return channel.hasAttr(io.vertx.core.net.impl.ConnectionBase.REMOTE_ADDRESS_OVERRIDE)
        && channel.attr(io.vertx.core.net.impl.ConnectionBase.REMOTE_ADDRESS_OVERRIDE).get() != null;
  }

  /** The channel of a Vert.x connection. */
  static Channel channel(HttpConnection connection) {
    return ((io.vertx.core.net.impl.ConnectionBase) connection).channel();
  }

  /**
   * Runs {@code action} now, on this thread, with {@code context} current (as Vert.x dispatches an
   * event), unless it is current already. For code run by a Netty handler on the context's event
   * loop that calls Vert.x: with no context current, Vert.x makes a new one for each call that needs
   * one. What {@code action} throws reaches the caller (Vert.x's own dispatch would log it instead).
   */
  static void dispatch(Context context, Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
      return;
    }
    ContextInternal internal = (ContextInternal) context;
    ContextInternal previous = internal.beginDispatch();
    try {
      action.run();
    } finally {
      internal.endDispatch(previous);
    }
  }

  /** The event loop of a verticle's context. */
  static EventLoop eventLoop(Context context) {
    return ((ContextInternal) context).nettyEventLoop();
  }

  /** Makes client socket channels of the transport Vert.x runs on (NIO, epoll...). */
  static ChannelFactory<? extends Channel> channels(Vertx vertx) {
    return ((VertxInternal) vertx).transport().channelFactory(false);
  }

  /** Makes listening socket channels of the transport Vert.x runs on. */
  static ChannelFactory<? extends io.netty.channel.ServerChannel> serverChannels(Vertx vertx) {
    return ((VertxInternal) vertx).transport().serverChannelFactory(false);
  }

  /**
   * Whether Vert.x runs on one of Linux's native transports (io_uring or epoll), whose listening
   * sockets take {@code SO_REUSEPORT} (several sockets, one per event loop, on one port).
   */
  static boolean reusePort(Vertx vertx) {
    io.vertx.core.spi.transport.Transport transport = ((VertxInternal) vertx).transport();
    return vertx.isNativeTransportEnabled()
        && (transport instanceof io.vertx.core.impl.transports.EpollTransport
            || transport instanceof io.vertx.core.impl.transports.IoUringTransport);
  }

  /**
   * The name resolver Vert.x's own clients use (Netty's asynchronous DNS resolver, reading
   * /etc/hosts and resolv.conf): a backend named by host name is resolved without blocking the
   * event loop, as Netty's default resolver ({@code InetAddress}) would.
   */
  static AddressResolverGroup<InetSocketAddress> resolver(Vertx vertx) {
    return ((VertxInternal) vertx).nameResolver().nettyAddressResolverGroup();
  }

  /**
   * Puts {@code handler} (a {@link ClientConnection}) in place of Vert.x's on an HTTP/1.x
   * connection of {@code loop}.
   *
   * @return false (and nothing changed) for an HTTP/2 connection, or one on another event loop
   */
  static boolean takeOver(HttpConnection connection, EventLoop loop, ChannelHandler handler) {
    Channel channel = channel(connection);
    ChannelPipeline pipeline = channel.pipeline();
    if (channel.eventLoop() != loop || pipeline.get("httpDecoder") == null || pipeline.get("httpEncoder") == null
        || pipeline.get("handler") == null) {
      return false;
    }
    pipeline.replace("handler", "handler", handler);
    return true;
  }
}
