package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.table.IpAddress;
import io.clbingress.dataplane.table.ProxyProtocolVersion;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;

/**
 * The PROXY protocol header a TCP or TCP_SSL listener writes to its backend before any data
 * (CLBListener {@code spec.backendProxyProtocol}; HAProxy's {@code send-proxy} and {@code
 * send-proxy-v2}): the client's address and port as source, the address and port the client
 * connected to as destination. Encoded by Netty's {@link HAProxyMessageEncoder}, by the
 * specification (https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt): v1 {@code PROXY
 * TCP4|TCP6 src dst sport dport\r\n}, v2 the binary form with command {@code PROXY}.
 *
 * <p>Both addresses of one header are of one family: when the client's and the listener's differ
 * (a dual-stack socket), the IPv4 one is written in its IPv4-mapped IPv6 form (RFC 4291
 * §2.5.5.2). A connection with no IP addresses (a Unix socket) gets {@code PROXY UNKNOWN} (v1) or
 * the {@code LOCAL} command (v2), which tell the backend to use the connection's own addresses.
 */
final class BackendProxyHeader {

  private BackendProxyHeader() {
  }

  /** Once per backend connection; {@code client} and {@code local} as Vert.x reports them (after a PROXY header of their own). */
  static Buffer of(ProxyProtocolVersion version, SocketAddress client, SocketAddress local) {
    HAProxyProtocolVersion wire = version == ProxyProtocolVersion.V1 ? HAProxyProtocolVersion.V1 : HAProxyProtocolVersion.V2;
    byte[] source = client == null || client.hostAddress() == null ? null : IpAddress.parse(client.hostAddress());
    byte[] destination = local == null || local.hostAddress() == null ? null : IpAddress.parse(local.hostAddress());
    HAProxyMessage message;
    if (source == null || destination == null) {
      message = new HAProxyMessage(wire, wire == HAProxyProtocolVersion.V1 ? HAProxyCommand.PROXY : HAProxyCommand.LOCAL,
          HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0);
    } else {
      source = IpAddress.unmapped(source);
      destination = IpAddress.unmapped(destination);
      if (source.length != destination.length) {
        source = mapped(source);
        destination = mapped(destination);
      }
      message = new HAProxyMessage(wire, HAProxyCommand.PROXY,
          source.length == 4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
          IpAddress.format(source), IpAddress.format(destination), client.port(), local.port());
    }
    EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
    encoder.writeOutbound(message);
    ByteBuf encoded = encoder.readOutbound();
    try {
      return Buffer.buffer(io.netty.buffer.ByteBufUtil.getBytes(encoded));
    } finally {
      encoded.release();
      encoder.finishAndReleaseAll();
    }
  }

  /** An address as IPv6: IPv4 in its mapped form. */
  private static byte[] mapped(byte[] address) {
    if (address.length == 16) {
      return address;
    }
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(address, 0, mapped, 12, 4);
    return mapped;
  }
}
