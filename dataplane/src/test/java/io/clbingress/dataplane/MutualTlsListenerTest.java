package io.clbingress.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Certificate;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.ListenerTls;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.VirtualHost;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An HTTPS listener on its own port (a CLBListener) with mode MUTUAL, driven by curl. */
class MutualTlsListenerTest {

  @TempDir
  static Path dir;
  static DataPlaneHarness harness;
  static TestBackend backend;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Openssl.available(), "openssl and curl are needed (.ci/run installs them)");
    Openssl.certificate(dir, "server", "chat.example.com");
    Openssl.caAndClient(dir, "client-ca", "alice");
    Openssl.caAndClient(dir, "other-ca", "mallory");
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    backend = harness.backend("chat");
    port = DataPlaneHarness.freePort();
    harness.apply(table());
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.dataPlane.listenerPorts().contains(port)
        && curl("alice").output().contains("HTTP/"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void clientCertificateFromTheCaIsAcceptedAndItsSubjectReachesTheBackend() {
    Openssl.Result alice = curl("alice");
    assertThat(alice.exitCode()).as(alice.output()).isZero();
    assertThat(alice.output()).contains("HTTP/1.1 200", "x-backend: chat", "seen-ssl-client-subject-dn: CN=alice",
        "seen-ssl-client-verify: SUCCESS");
  }

  @Test
  void noClientCertificateOrOneFromAnotherCaFailsTheHandshake() {
    Openssl.Result none = curl(null);
    Openssl.Result mallory = curl("mallory");
    assertThat(none.exitCode()).as(none.output()).isNotZero();
    assertThat(none.output()).doesNotContain("HTTP/1.1 200");
    assertThat(mallory.exitCode()).as(mallory.output()).isNotZero();
    assertThat(mallory.output()).doesNotContain("HTTP/1.1 200");
  }

  /**
   * A client without a certificate fails its handshake for a known reason, counted on the
   * listener; the listener's certificate's expiry is a gauge (the table's notAfter).
   */
  @Test
  void aMissingClientCertificateIsCountedAsSuchAndTheCertificateExpiryIsExported() throws Exception {
    String series = "clb_tls_handshake_errors_total{listener=\"apps/chat-wss\",reason=\"client_certificate\"}";
    double before = DataPlaneHarness.sample(harness.metrics(), series);
    assertThat(curl(null).exitCode()).isNotZero();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(DataPlaneHarness.sample(harness.metrics(), series)).isEqualTo(before + 1));
    assertThat(DataPlaneHarness.sample(harness.metrics(),
        "clb_certificate_expiry_timestamp_seconds{certificate=\"apps/chat-tls\"}"))
        .isEqualTo(java.time.Instant.parse("2030-01-01T00:00:00Z").getEpochSecond());
  }

  private static Openssl.Result curl(String client) {
    List<String> command = new ArrayList<>(List.of("curl", "-s", "-S", "--http1.1", "-D", "-", "-o", "/dev/null",
        "--cacert", "server-cert.pem", "--resolve", "chat.example.com:" + port + ":127.0.0.1"));
    if (client != null) {
      command.addAll(List.of("--cert", client + "-cert.pem", "--key", client + "-key.pem"));
    }
    command.add("https://chat.example.com:" + port + "/ws");
    return Openssl.run(dir, command, "");
  }

  private static RoutingTable table() {
    Cluster cluster = new Cluster("chat", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", backend.port())));
    Certificate server = new Certificate("apps/chat-tls", List.of(), Openssl.read(dir.resolve("server-cert.pem")),
        Openssl.read(dir.resolve("server-key.pem")), "CN=chat.example.com", List.of("chat.example.com"),
        "2030-01-01T00:00:00Z", "test");
    ListenerTls tls = new ListenerTls(List.of(server.name()), Openssl.read(dir.resolve("client-ca-cert.pem")), false,
        List.of());
    Listener listener = new Listener("apps/chat-wss", Protocol.HTTPS, port, List.of(new VirtualHost("chat.example.com",
        List.of(new Route(new PathMatch.Prefix("/"), "chat", Tables.DEFAULT_TIMEOUTS, "test")))), null, tls);
    Listener http = new Listener("default-http", Protocol.HTTP, Listener.PORT_FROM_FLAGS, List.of(), null);
    return TableCodec.stamp(RoutingTable.unpublished(List.of(http, listener), List.of(cluster), List.of(server)), 1);
  }
}
