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
import io.clbingress.dataplane.tls.Libcrypto;
import io.clbingress.dataplane.tls.TlsEngine;
import io.clbingress.dataplane.tls.TlsMaterial;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Handshakes whose private-key operation the system's OpenSSL 3 does (Libcrypto): openssl
 * s_client verifies each server signature, and the data plane's count of libcrypto operations
 * says who made it.
 */
class LibcryptoHandshakeTest {

  @TempDir
  static Path dir;
  static DataPlaneHarness harness;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Openssl.available(), "openssl and curl are needed (.ci/run installs them)");
    assumeTrue(Libcrypto.built(), "this build has no libclbcrypto (gcc was missing when it was built; .ci/run installs it)");
    assertThat(Libcrypto.version()).as("libcrypto.so.3 (libssl3) through the build's libclbcrypto").isPresent();
    Openssl.certificate(dir, "rsa", "rsa.example.com");
    Openssl.ecdsaCertificate(dir, "ec", "ec.example.com");
    harness = new DataPlaneHarness(Duration.ofSeconds(1), TlsEngine.OPENSSL);
    TestBackend backend = harness.backend("web");
    Cluster cluster = new Cluster("web", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", backend.port())));
    List<VirtualHost> hosts = new ArrayList<>();
    for (String host : List.of("rsa.example.com", "ec.example.com")) {
      hosts.add(new VirtualHost(host, List.of(new Route(new PathMatch.Prefix("/"), "web", Tables.DEFAULT_TIMEOUTS, "t"))));
    }
    List<Certificate> certificates = List.of(Openssl.tableCertificate(dir, "rsa", "rsa.example.com"),
        Openssl.tableCertificate(dir, "ec", "ec.example.com"));
    harness.apply(TableCodec.stamp(RoutingTable.unpublished(
        List.of(new Listener("default-https", Protocol.HTTPS, Listener.PORT_FROM_FLAGS, hosts, null)),
        List.of(cluster), certificates), 1));
    // Certificates load asynchronously, just after the table is applied.
    await().atMost(Duration.ofSeconds(10)).until(() -> handshake("rsa.example.com", "-tls1_3").contains("CN = rsa.example.com"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void fullHandshakesAreSignedByLibcryptoAndVerifyAtTheClient() {
    for (String host : List.of("rsa.example.com", "ec.example.com")) {
      for (String version : List.of("-tls1_3", "-tls1_2")) {
        long before = Libcrypto.operations();
        String output = handshake(host, version, "-verify_return_error", "-CAfile",
            dir.resolve(host.substring(0, host.indexOf('.')) + "-cert.pem").toString());
        assertThat(output).as(host + " " + version).contains("Verify return code: 0 (ok)", "CN = " + host)
            .doesNotContain("Cipher is (NONE)");
        assertThat(Libcrypto.operations()).as(host + " " + version).isEqualTo(before + 1);
      }
    }
  }

  @Test
  void eachRsaSignatureSchemeAClientMayInsistOnIsSigned() {
    for (String sigalgs : List.of("rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha512",
        "RSA+SHA256", "RSA+SHA384", "RSA+SHA512")) {
      long before = Libcrypto.operations();
      String output = handshake("rsa.example.com", "-tls1_2", "-sigalgs", sigalgs);
      assertThat(output).as(sigalgs).contains("Peer signing digest").doesNotContain("Cipher is (NONE)");
      assertThat(Libcrypto.operations()).as(sigalgs).isEqualTo(before + 1);
    }
  }

  @Test
  void rsaKeyExchangeIsDecryptedByLibcrypto() {
    long before = Libcrypto.operations();
    String output = handshake("rsa.example.com", "-tls1_2", "-cipher", "AES128-GCM-SHA256");
    assertThat(output).contains("Cipher is AES128-GCM-SHA256");
    assertThat(Libcrypto.operations()).isEqualTo(before + 1);
  }

  @Test
  void aHandshakeWithoutSniGetsTheDefaultCertificateSignedByLibcrypto() {
    long before = Libcrypto.operations();
    String output = Openssl.handshake(dir, harness.dataPlane.httpsPort(), null, List.of("-tls1_3")).output();
    assertThat(output).contains("CN = " + TlsMaterial.DEFAULT_NAME).doesNotContain("Cipher is (NONE)");
    assertThat(Libcrypto.operations()).isEqualTo(before + 1);
  }

  private static String handshake(String host, String... options) {
    return Openssl.handshake(dir, harness.dataPlane.httpsPort(), host, List.of(options)).output();
  }

}
