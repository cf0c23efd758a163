package io.clbingress.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import static io.clbingress.dataplane.Tables.table;

import io.clbingress.dataplane.tls.SniTimerRelease;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SniTimerRelease}: TLS clients that close before their ClientHello is complete leave nothing
 * on the data plane's heap once their connections are closed, well before the TLS handshake timeout
 * (10 s) whose timer Netty's SNI handler would otherwise keep queued with each closed connection.
 * Clients are plain {@code java.net} sockets, so the SNI handlers and channels on the heap are the
 * data plane's. Both kinds of TLS server are covered: the HTTPS listener (Vert.x's HTTP server) and
 * a TCP_SSL listener (Vert.x's TCP server).
 */
class SniTimerReleaseTest {

  static final int CONNECTIONS = 2_000;
  static final String SNI_HANDLER = "io.vertx.core.internal.net.VertxSniHandler";
  /** The TLS handshake timeout: Vert.x's default, which the data plane keeps. */
  static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  /** The first bytes of a TLS record holding a ClientHello: a record header and the handshake type. */
  static final byte[] CLIENT_HELLO_START = {0x16, 0x03, 0x01, 0x00, (byte) 0xc8, 0x01};

  DataPlaneHarness harness;
  int tcpSslPort;
  @TempDir
  Path dir;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(Openssl.available(), "openssl is needed for the TCP_SSL listener's certificate (.ci/run installs it)");
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    tcpSslPort = DataPlaneHarness.freePort();
    harness.apply(Tables.withTcpSslListener(table(1).cluster("app", 9).defaultRoute("app").build(), dir, "sni.test",
        tcpSslPort, "app"));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> harness.dataPlane.listenerPorts().contains(tcpSslPort));
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
  }

  @Test
  void httpsClientsClosingMidClientHelloLeaveNoSniHandlerOrChannelBehind() throws Exception {
    closeMidClientHello(harness.dataPlane.httpsPort());
  }

  @Test
  void tcpSslClientsClosingMidClientHelloLeaveNoSniHandlerOrChannelBehind() throws Exception {
    closeMidClientHello(tcpSslPort);
  }

  private void closeMidClientHello(int port) throws Exception {
    LiveObjects before = LiveObjects.now();
    long began = System.nanoTime();
    for (int i = 0; i < CONNECTIONS; i++) {
      try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
        OutputStream out = client.getOutputStream();
        out.write(CLIENT_HELLO_START);
        out.flush();
      }
    }
    Duration opening = Duration.ofNanos(System.nanoTime() - began);
    Duration wait = HANDSHAKE_TIMEOUT.minus(opening).minusSeconds(1);
    // The first timers would run by themselves after 10 s: past that, the test could not tell.
    assumeTrue(wait.compareTo(Duration.ofSeconds(2)) >= 0,
        "opening " + CONNECTIONS + " connections took " + opening + ", too close to the 10 s handshake timeout");
    long[] last = new long[2];
    Awaitility.await().atMost(wait).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      LiveObjects live = LiveObjects.now();
      last[0] = live.instances(SNI_HANDLER);
      last[1] = live.socketChannels();
      assertThat(last[0]).as("SNI handlers live after %d connections closed mid-ClientHello", CONNECTIONS)
          .isLessThanOrEqualTo(before.instances(SNI_HANDLER) + 20);
      assertThat(last[1]).as("socket channels live after %d connections closed mid-ClientHello", CONNECTIONS)
          .isLessThanOrEqualTo(before.socketChannels() + 20);
    });
    System.out.printf("%d connections closed mid-ClientHello in %d ms: SNI handlers %d -> %d, channels %d -> %d%n",
        CONNECTIONS, opening.toMillis(), before.instances(SNI_HANDLER), last[0], before.socketChannels(), last[1]);
  }
}
