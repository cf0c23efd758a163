package io.clbingress.dataplane;

import static io.clbingress.dataplane.ClientAddressTest.connect;
import static io.clbingress.dataplane.ClientAddressTest.echo;
import static io.clbingress.dataplane.ClientAddressTest.http;
import static io.clbingress.dataplane.ClientAddressTest.seen;
import static io.clbingress.dataplane.ClientAddressTest.v1;
import static io.clbingress.dataplane.ClientAddressTest.v2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.proxy.RealIp;
import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.ProxyProtocolVersion;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.VirtualHost;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With no {@code --trusted-proxies}, a listener's PROXY protocol opt-in is the trust: the header
 * of any peer names the client (the trusted-proxy case is {@link ClientAddressTest}'s).
 */
class ProxyHeaderOptInTest {

  private static final String HOST = "a.example.com";
  private static final String PEER = "127.0.0.3";

  static DataPlaneHarness harness;
  static TestBackend backend;
  static ProxyHeaderBackend tcpBackend;
  static int proxyHttpPort;
  static int proxyTcpPort;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(DataPlaneOptions.loopback(Duration.ofSeconds(1)).withClientAddress(RealIp.NOBODY, false));
    backend = harness.backend("b");
    tcpBackend = new ProxyHeaderBackend();
    proxyHttpPort = DataPlaneHarness.freePort();
    proxyTcpPort = DataPlaneHarness.freePort();
    Route toB = new Route(new PathMatch.Prefix("/"), "b", Tables.DEFAULT_TIMEOUTS, "test");
    Route toTcp = new Route(new PathMatch.Prefix("/"), "tcp", Tables.DEFAULT_TIMEOUTS, "test");
    List<Listener> listeners = List.of(
        new Listener("default-http", Protocol.HTTP, Listener.PORT_FROM_FLAGS, List.of(), null),
        new Listener("apps/pp-http", Protocol.HTTP, proxyHttpPort, List.of(new VirtualHost(HOST, List.of(toB))), toB,
            null, null, true, null),
        new Listener("apps/pp-tcp", Protocol.TCP, proxyTcpPort, List.of(), toTcp, null, null, true,
            ProxyProtocolVersion.V1));
    harness.apply(TableCodec.stamp(RoutingTable.unpublished(listeners, List.of(
        new Cluster("b", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", backend.port()))),
        new Cluster("tcp", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", tcpBackend.port())))),
        List.of()), 1));
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.dataPlane.listenerPorts()
        .containsAll(List.of(proxyHttpPort, proxyTcpPort)));
  }

  @AfterAll
  static void stop() throws Exception {
    DataPlaneHarness.closeAll(tcpBackend, harness);
  }

  @Test
  void anyPeersHeaderNamesTheClientOnHttp() throws Exception {
    String v1 = http(PEER, proxyHttpPort, v1("TCP4 192.0.2.80 127.0.0.1 5555 80"), "X-Forwarded-For: 6.6.6.6\r\n");
    assertThat(seen(v1, "x-real-ip")).isEqualTo("192.0.2.80");
    assertThat(seen(v1, "x-forwarded-for")).isEqualTo("192.0.2.80");
    String v2 = http(PEER, proxyHttpPort, v2(0x21, 0x11, "192.0.2.81", "127.0.0.1", 5555, 80), "");
    assertThat(seen(v2, "x-real-ip")).isEqualTo("192.0.2.81");
  }

  @Test
  void anyPeersHeaderNamesTheClientOnTcp() throws Exception {
    try (Socket socket = connect(PEER, proxyTcpPort)) {
      socket.getOutputStream().write(v1("TCP4 192.0.2.82 127.0.0.1 5555 9999"));
      assertThat(echo(socket, "opt-in")).isEqualTo("opt-in");
    }
    assertThat(tcpBackend.nextHeader()).isEqualTo("PROXY TCP4 192.0.2.82 127.0.0.1 5555 9999");
  }
}
