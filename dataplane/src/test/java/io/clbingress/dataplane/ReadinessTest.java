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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /readyz turns 200 only once the first table's certificates answer handshakes: a load balancer
 * that takes the replica into rotation at that moment must not hand the first clients the default
 * certificate (seen once on a loaded machine).
 */
class ReadinessTest {

  @TempDir
  Path dir;

  @Test
  void notReadyUntilTheFirstTablesCertificatesAreLoaded() throws Exception {
    assumeTrue(Openssl.available(), "openssl and curl are needed (.ci/run installs them)");
    Openssl.certificate(dir, "a", "a.example.com");
    try (DataPlaneHarness harness = new DataPlaneHarness(Duration.ofSeconds(1))) {
      TestBackend backend = harness.backend("web");
      // Many certificates, so that loading them takes the event loops a while after apply() returns.
      List<Certificate> certificates = new ArrayList<>();
      certificates.add(Openssl.tableCertificate(dir, "a", "a.example.com"));
      for (int i = 0; i < 100; i++) {
        certificates.add(new Certificate("test/copy-" + i, List.of("copy" + i + ".example.com"),
            Openssl.read(dir.resolve("a-cert.pem")), Openssl.read(dir.resolve("a-key.pem")), "CN=a.example.com",
            List.of("a.example.com"), "2030-01-01T00:00:00Z", "copy-" + i));
      }
      assertThat(harness.dataPlane.isReady()).isFalse();
      // When the first table is applied
      harness.dataPlane.apply(table(backend.port(), certificates));
      // Then the replica is not ready before its certificates are in force, and once ready they are
      assertThat(harness.dataPlane.isReady()).as("ready right after apply(), certificates still loading").isFalse();
      await().atMost(Duration.ofSeconds(30)).until(harness.dataPlane::isReady);
      Openssl.Result handshake = Openssl.run(dir, List.of("openssl", "s_client", "-connect",
          "127.0.0.1:" + harness.dataPlane.httpsPort(), "-servername", "a.example.com"), "");
      assertThat(handshake.output()).contains("CN = a.example.com");
    }
  }


  private static RoutingTable table(int backendPort, List<Certificate> certificates) {
    Cluster cluster = new Cluster("web", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", backendPort)));
    List<VirtualHost> hosts = List.of(new VirtualHost("a.example.com",
        List.of(new Route(new PathMatch.Prefix("/"), "web", Tables.DEFAULT_TIMEOUTS, "t"))));
    return TableCodec.stamp(RoutingTable.unpublished(List.of(
        new Listener("default-http", Protocol.HTTP, Listener.PORT_FROM_FLAGS, hosts, null),
        new Listener("default-https", Protocol.HTTPS, Listener.PORT_FROM_FLAGS, hosts, null)),
        List.of(cluster), certificates), 1);
  }
}
