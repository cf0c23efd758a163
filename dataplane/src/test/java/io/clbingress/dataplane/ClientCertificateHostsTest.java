package io.clbingress.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Certificate;
import io.clbingress.dataplane.table.ClientCertificateAuth;
import io.clbingress.dataplane.table.ClientCertificateAuth.Verify;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.VirtualHost;
import io.clbingress.dataplane.tls.TlsEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client certificates per host on the default HTTPS listener (ingress-nginx's {@code auth-tls-*}),
 * driven by curl and openssl over HTTP/1.1 and h2, with certificates made by openssl here; once
 * with each TLS engine.
 */
@ParameterizedClass
@EnumSource(TlsEngine.class)
class ClientCertificateHostsTest {

  @Parameter
  TlsEngine engine;

  @TempDir
  static Path dir;
  static DataPlaneHarness harness;
  static TestBackend backend;
  static int port;

  private static final List<String> HOSTS = List.of("mtls.example.com", "opt.example.com", "page.example.com",
      "open.example.com", "deep.example.com", "shallow.example.com", "crl.example.com", "cn.example.com", "noca.example.com");

  @BeforeParameterizedClassInvocation
  static void start(TlsEngine engine) throws Exception {
    assumeTrue(Openssl.available(), "openssl and curl are needed (.ci/run installs them)");
    for (String host : HOSTS) {
      Openssl.certificate(dir, host, host);
    }
    Openssl.caAndClient(dir, "client-ca", "alice");
    Openssl.caAndClient(dir, "other-ca", "mallory");
    Openssl.caIntermediateAndClient(dir, "root-ca", "inter-ca", "carol");
    Openssl.revokedClient(dir, "crl-ca", "revoked");
    Openssl.caAndClient(dir, "crl-ca", "dave", false);
    harness = new DataPlaneHarness(Duration.ofSeconds(1), engine);
    backend = harness.backend("web");
    port = harness.dataPlane.httpsPort();
    harness.apply(table());
    // Certificates and client certificate requests load just after the table is applied.
    await().atMost(Duration.ofSeconds(10)).until(() -> curl("mtls.example.com", "alice", "--http1.1").contains("200"));
  }

  @AfterParameterizedClassInvocation
  static void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void aCertificateFromTheCaPassesWithItsHeadersOverHttp1AndH2() {
    for (String version : List.of("--http1.1", "--http2")) {
      assertThat(curl("mtls.example.com", "alice", version)).as(version)
          .contains(" 200", "x-backend: web", "seen-ssl-client-verify: SUCCESS", "seen-ssl-client-subject-dn: CN=alice",
              "seen-ssl-client-issuer-dn: CN=client-ca", "seen-ssl-client-cert: -----BEGIN%20CERTIFICATE-----%0A");
    }
  }

  @Test
  void noCertificateOrOneFromAnotherCaIs400AndReachesNoBackend() {
    for (String version : List.of("--http1.1", "--http2")) {
      assertThat(curl("mtls.example.com", null, version)).as(version)
          .contains(" 400", "No required SSL certificate was sent").doesNotContain("x-backend");
      assertThat(curl("mtls.example.com", "mallory", version)).as(version)
          .contains(" 400", "The SSL certificate error").doesNotContain("x-backend");
    }
  }

  /** optional_no_ca: a certificate of an unknown CA passes, its failure told to the backend, as nginx. */
  @Test
  void optionalNoCaPassesACertificateOfAnUnknownCa() {
    for (String version : List.of("--http1.1", "--http2")) {
      assertThat(curl("noca.example.com", "mallory", version)).as(version).contains(" 200",
          "seen-ssl-client-verify: FAILED:unable to get local issuer certificate", "seen-ssl-client-subject-dn: CN=mallory");
      assertThat(curl("noca.example.com", null, version)).as(version).contains(" 200", "seen-ssl-client-verify: NONE");
      assertThat(curl("noca.example.com", "alice", version)).as(version).contains(" 200", "seen-ssl-client-verify: SUCCESS");
    }
  }

  /** Plain HTTP has no certificate to show: as a TLS request without one (the translation redirects TLS hosts first). */
  @Test
  void plainHttpForAHostWithCertificatesIsAnsweredAsWithoutOne() throws Exception {
    DataPlaneHarness.Answer on = harness.get("mtls.example.com", "/hello");
    DataPlaneHarness.Answer optional = harness.get("opt.example.com", "/hello");
    assertThat(on.status()).isEqualTo(400);
    assertThat(on.body()).contains("No required SSL certificate was sent");
    assertThat(on.headers()).doesNotContainKey("x-backend");
    assertThat(optional.status()).isEqualTo(200);
    assertThat(optional.headers()).containsEntry("seen-ssl-client-verify", "NONE");
  }

  /** Depth 2 takes a client certificate issued through one intermediate; depth 1 refuses the same chain. */
  @Test
  void chainsLongerThanTheDepthAreRefused() {
    for (String version : List.of("--http1.1", "--http2")) {
      assertThat(curl("deep.example.com", "carol", version, List.of("--cert", "carol-chain.pem"))).as(version)
          .contains(" 200", "seen-ssl-client-verify: SUCCESS", "seen-ssl-client-issuer-dn: CN=inter-ca");
      assertThat(curl("shallow.example.com", "carol", version, List.of("--cert", "carol-chain.pem"))).as(version)
          .contains(" 400", "The SSL certificate error").doesNotContain("x-backend");
    }
  }

  /** auth-tls-match-cn: a valid certificate whose subject the pattern does not find is 403. */
  @Test
  void aSubjectThatMatchCnDoesNotFindIs403() {
    for (String version : List.of("--http1.1", "--http2")) {
      assertThat(curl("cn.example.com", "alice", version)).as(version).contains(" 403").doesNotContain("x-backend");
    }
  }

  @Test
  void aCertificateTheCrlListsIsRefused() {
    for (String version : List.of("--http1.1", "--http2")) {
      assertThat(curl("crl.example.com", "revoked", version)).as(version)
          .contains(" 400", "The SSL certificate error").doesNotContain("x-backend");
      assertThat(curl("crl.example.com", "dave", version)).as(version).contains(" 200", "seen-ssl-client-verify: SUCCESS");
    }
  }

  @Test
  void optionalPassesWithoutACertificateButNotWithAnInvalidOne() {
    for (String version : List.of("--http1.1", "--http2")) {
      assertThat(curl("opt.example.com", null, version)).as(version)
          .contains(" 200", "seen-ssl-client-verify: NONE").doesNotContain("seen-ssl-client-subject-dn");
      assertThat(curl("opt.example.com", "alice", version)).as(version)
          .contains(" 200", "seen-ssl-client-verify: SUCCESS").doesNotContain("seen-ssl-client-cert");
      assertThat(curl("opt.example.com", "mallory", version)).as(version).contains(" 400").doesNotContain("x-backend");
    }
  }

  /** The error page's final $request_uri is the refused request's target, as nginx expands it. */
  @Test
  void aRefusalGoesToTheErrorPageWhenTheHostHasOne() {
    for (String version : List.of("--http1.1", "--http2")) {
      assertThat(curl("page.example.com", null, version)).as(version)
          .contains(" 302", "location: https://errors.example.com/hello").doesNotContain("x-backend");
    }
  }

  @Test
  void clientSentCertificateHeadersAreDroppedOnEveryHost() {
    List<String> spoofed = List.of("-H", "ssl-client-verify: SUCCESS", "-H", "ssl-client-subject-dn: CN=admin",
        "-H", "ssl-client-issuer-dn: CN=client-ca", "-H", "ssl-client-cert: forged");
    for (String version : List.of("--http1.1", "--http2")) {
      assertThat(curl("opt.example.com", null, version, spoofed)).as(version)
          .contains(" 200", "seen-ssl-client-verify: NONE").doesNotContain("CN=admin", "forged", "CN=client-ca");
      assertThat(curl("open.example.com", null, version, spoofed)).as(version)
          .contains(" 200").doesNotContain("seen-ssl-client");
    }
  }

  @Test
  void onlyTheHostsThatAskForCertificatesSendACertificateRequest() {
    for (String tls : List.of("-tls1_2", "-tls1_3")) {
      assertThat(handshake("mtls.example.com", tls)).as(tls).contains("CertificateRequest");
      assertThat(handshake("open.example.com", tls)).as(tls).contains("Certificate").doesNotContain("CertificateRequest");
      assertThat(handshake(null, tls)).as(tls).doesNotContain("CertificateRequest");
    }
  }

  /** Domain fronting: the handshake for one host, the request for another that asks for certificates. */
  @Test
  void aRequestForAHostWithCertificatesOnAnotherHostsConnectionIs421() {
    List<String> fronted = List.of("-H", "Host: mtls.example.com");
    for (String version : List.of("--http1.1", "--http2")) {
      assertThat(curl("open.example.com", "alice", version, fronted)).as(version)
          .contains(" 421").doesNotContain("x-backend");
      assertThat(curl("opt.example.com", "alice", version, fronted)).as(version)
          .contains(" 421").doesNotContain("x-backend");
      // without SNI (curl sends none for an address)
      List<String> command = new ArrayList<>(List.of("curl", "-s", "-k", version, "-D", "-", "--cert", "alice-cert.pem",
          "--key", "alice-key.pem", "-H", "Host: mtls.example.com", "https://127.0.0.1:" + port + "/"));
      assertThat(Openssl.run(dir, command, "").output()).as(version).contains(" 421").doesNotContain("x-backend");
    }
    // the other way round is no fronting: a host without certificates on a verified connection
    assertThat(curl("mtls.example.com", "alice", "--http1.1", List.of("-H", "Host: open.example.com")))
        .contains(" 200", "x-backend: web");
  }

  private static String curl(String host, String client, String version) {
    return curl(host, client, version, List.of());
  }

  private static String curl(String host, String client, String version, List<String> extra) {
    List<String> command = new ArrayList<>(List.of("curl", "-s", "-k", version, "-D", "-",
        "--resolve", host + ":" + port + ":127.0.0.1"));
    if (client != null) {
      command.addAll(List.of("--cert", client + "-cert.pem", "--key", client + "-key.pem"));
    }
    command.addAll(extra);
    command.add("https://" + host + ":" + port + "/hello");
    return Openssl.run(dir, command, "").output();
  }

  /** An openssl handshake's messages ({@code -msg}) for a server name (null: no SNI). */
  private static String handshake(String serverName, String version) {
    return Openssl.handshake(dir, port, serverName, List.of("-msg", version)).output();
  }

  private static RoutingTable table() {
    Cluster cluster = new Cluster("web", BackendProtocol.HTTP, Scheduler.WRR,
        List.of(new Endpoint("127.0.0.1", backend.port())));
    String ca = Openssl.read(dir.resolve("client-ca-cert.pem"));
    String root = Openssl.read(dir.resolve("root-ca-cert.pem"));
    List<VirtualHost> hosts = List.of(
        host("mtls.example.com", new ClientCertificateAuth("t", ca, null, Verify.ON, 1, true, null, null)),
        host("opt.example.com", new ClientCertificateAuth("t", ca, null, Verify.OPTIONAL, 1, false, null, null)),
        host("page.example.com", new ClientCertificateAuth("t", ca, null, Verify.ON, 1, false,
            "https://errors.example.com$request_uri", null)),
        host("open.example.com", null),
        host("deep.example.com", new ClientCertificateAuth("t", root, null, Verify.ON, 2, false, null, null)),
        host("shallow.example.com", new ClientCertificateAuth("t", root, null, Verify.ON, 1, false, null, null)),
        host("crl.example.com", new ClientCertificateAuth("t", Openssl.read(dir.resolve("crl-ca-cert.pem")),
            Openssl.read(dir.resolve("crl-ca.crl")), Verify.ON, 1, false, null, null)),
        host("cn.example.com", new ClientCertificateAuth("t", ca, null, Verify.ON, 1, false, null, "^CN=(bob|carol)$")),
        host("noca.example.com", new ClientCertificateAuth("t", ca, null, Verify.OPTIONAL_NO_CA, 1, false, null, null)));
    List<Listener> listeners = List.of(
        new Listener("default-http", Protocol.HTTP, Listener.PORT_FROM_FLAGS, hosts, null),
        new Listener("default-https", Protocol.HTTPS, Listener.PORT_FROM_FLAGS, hosts, null));
    List<Certificate> certificates = HOSTS.stream().map(h -> new Certificate("test/" + h, List.of(h),
        Openssl.read(dir.resolve(h + "-cert.pem")), Openssl.read(dir.resolve(h + "-key.pem")), "CN=" + h, List.of(h),
        "2030-01-01T00:00:00Z", h)).toList();
    return TableCodec.stamp(RoutingTable.unpublished(listeners, List.of(cluster), certificates), 1);
  }

  private static VirtualHost host(String name, ClientCertificateAuth auth) {
    return new VirtualHost(name, List.of(new Route(new PathMatch.Prefix("/"), "web", Tables.DEFAULT_TIMEOUTS, "t")), auth);
  }
}
