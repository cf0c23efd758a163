package io.clbingress.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clbingress.dataplane.proxy.RealIp;
import io.clbingress.dataplane.tls.TlsEngine;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A data plane listening on {@code ::1} whose trusted proxy is {@code ::1}: an IPv6 peer is matched
 * against IPv6 blocks and named in RFC 5952 form ({@code ::1}, not the JDK's {@code 0:0:0:0:0:0:0:1}).
 * Skipped where the machine has no IPv6 loopback.
 */
class ClientAddressIpv6Test {

  static DataPlaneHarness harness;
  static TestBackend backend;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(hasIpv6Loopback(), "no IPv6 loopback (::1) on this machine");
    DataPlaneOptions loopback = DataPlaneOptions.loopback(Duration.ofSeconds(1));
    harness = new DataPlaneHarness(new DataPlaneOptions("::1", 0, 0, "127.0.0.1", 0, loopback.drain(), 2,
        TlsEngine.OPENSSL, loopback.headLimits()).withClientAddress(RealIp.parse("::1/128", null), false));
    backend = harness.backend("b");
    harness.apply(Tables.table(1).defaultRoute("b").cluster("b", backend.port()).build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void trustedIpv6PeerNamesTheClient() throws Exception {
    String answer = get("X-Forwarded-For: 6.6.6.6, 2001:db8::7, ::1\r\n");
    assertThat(answer).contains("\r\nseen-x-real-ip: 2001:db8::7\r\n")
        .contains("\r\nseen-x-forwarded-for: 2001:db8::7, ::1, ::1\r\n");
  }

  @Test
  void ipv6PeerWithoutHeaderIsNamedInShortForm() throws Exception {
    String answer = get("");
    assertThat(answer).contains("\r\nseen-x-real-ip: ::1\r\n").contains("\r\nseen-x-forwarded-for: ::1\r\n");
  }

  private static String get(String headers) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("::1", harness.dataPlane.httpPort()), 5000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: a.example.com\r\n" + headers
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static boolean hasIpv6Loopback() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
