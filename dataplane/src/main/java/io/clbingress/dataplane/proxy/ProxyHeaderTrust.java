package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.metrics.ProxyMetrics;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Whose PROXY protocol header names the client: {@link RealIp#believesProxyHeaderFrom} applied to
 * a connection's socket peer, once per connection; a header that is not believed is logged at
 * DEBUG and counted ({@code clb_proxy_headers_untrusted}). The data plane's own acceptor asks
 * {@link ProxyProtocolReader}; the listeners Vert.x accepts ask when Vert.x hands over the
 * connection ({@link #vet}, {@code TcpProxyVerticle}).
 *
 * @param realIp {@code --trusted-proxies}
 * @param metrics where a header not believed is counted
 */
record ProxyHeaderTrust(RealIp realIp, ProxyMetrics metrics) {

  private static final Logger LOG = LogManager.getLogger(ProxyHeaderTrust.class);

  ProxyHeaderTrust {
    java.util.Objects.requireNonNull(realIp, "realIp");
    java.util.Objects.requireNonNull(metrics, "metrics");
  }

  /** Whether the PROXY header that {@code channel}'s socket peer sent names the client. */
  boolean believes(Channel channel) {
    return believes(channel.remoteAddress() instanceof InetSocketAddress remote && remote.getAddress() != null
        ? RealIp.peer(remote.getAddress().getHostAddress()) : null);
  }

  /** Whether the PROXY header that {@code peer} (the socket's address, as text) sent names the client. */
  boolean believes(String peer) {
    if (realIp.believesProxyHeaderFrom(peer)) {
      return true;
    }
    LOG.debug("{} is not a trusted proxy (--trusted-proxies): its PROXY header is not believed, the socket's"
        + " address is the client", peer);
    metrics.untrustedProxyHeader();
    return false;
  }

  /**
   * On a connection whose PROXY header Vert.x read (before anything asked for its addresses): the
   * header's addresses are forgotten unless they are believed, so every reader of the connection's
   * addresses sees the socket's ({@link Http1Takeover#notProxied}).
   */
  void vet(Channel channel) {
    if (Http1Takeover.isProxied(channel) && !believes(channel)) {
      Http1Takeover.notProxied(channel);
    }
  }
}
