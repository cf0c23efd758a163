package io.clbingress.dataplane.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;

/**
 * {@link ListenerPorts#listening}: the kernel's answer to "does a socket still listen on this
 * port", which a re-added port waits on (on io_uring a closed channel's socket is closed a moment
 * later, by the ring).
 */
class ListenerPortsListeningTest {

  @Test
  void aListeningSocketHoldsThePortUntilItIsClosed() throws Exception {
    int port;
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      port = server.socket().getLocalPort();
      assertThat(ListenerPorts.listening("127.0.0.1", port)).isTrue();
    }
    assertThat(ListenerPorts.listening("127.0.0.1", port)).isFalse();
  }

  /** The per-loop sockets of a plain HTTP port take {@code SO_REUSEPORT}; the probe must not join them. */
  @Test
  void aReusePortListeningSocketHoldsThePort() throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      assertThat(ListenerPorts.listening("127.0.0.1", server.socket().getLocalPort())).isTrue();
    }
  }

  /** A removed port's connections drain for a while; they do not keep a new server from binding. */
  @Test
  void connectionsStillOpenOnAClosedListenerDoNotHoldThePort() throws Exception {
    int port;
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      port = server.socket().getLocalPort();
      try (Socket client = new Socket("127.0.0.1", port); SocketChannel accepted = server.accept()) {
        server.close();
        assertThat(accepted.isConnected()).isTrue();
        assertThat(ListenerPorts.listening("127.0.0.1", port)).isFalse();
        // and a new listener binds there while they are open, as the probe said
        try (ServerSocketChannel again = ServerSocketChannel.open()) {
          again.setOption(StandardSocketOptions.SO_REUSEADDR, true);
          again.bind(new InetSocketAddress("127.0.0.1", port));
          assertThat(ListenerPorts.listening("127.0.0.1", port)).isTrue();
        }
      }
    }
  }
}
