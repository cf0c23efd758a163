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
import io.clbingress.dataplane.table.RequestRedirect;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.VirtualHost;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import io.clbingress.dataplane.tls.TlsEngine;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default HTTPS listener: SNI, default certificate, TLS versions, h2, WSS, redirects, rotation;
 * once with each TLS engine (BoringSSL, the default, and the JDK's, the fallback).
 */
@ParameterizedClass
@EnumSource(TlsEngine.class)
class HttpsProxyTest {

  /** The class's argument; the data plane of each invocation is started with it, below. */
  @Parameter
  TlsEngine engine;

  @TempDir
  static Path dir;
  static DataPlaneHarness harness;
  static TestBackend backend;

  @BeforeParameterizedClassInvocation
  static void start(TlsEngine engine) throws Exception {
    assumeTrue(Openssl.available(), "openssl and curl are needed (.ci/run installs them)");
    Openssl.certificate(dir, "a", "a.example.com");
    Openssl.ecdsaCertificate(dir, "b", "b.example.com");
    Openssl.certificate(dir, "a2", "a.example.com");
    harness = new DataPlaneHarness(Duration.ofSeconds(1), engine);
    backend = harness.backend("secure-backend");
    harness.apply(table(1, "a"));
    // Certificates load asynchronously, just after the table is applied.
    await().atMost(Duration.ofSeconds(10)).until(() -> subject("a.example.com").contains("CN = a.example.com"));
  }

  @AfterParameterizedClassInvocation
  static void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void eachHostGetsItsCertificateBySniAndNoSniGetsTheDefault() {
    assertThat(subject("a.example.com")).contains("CN = a.example.com");
    assertThat(subject("b.example.com")).contains("CN = b.example.com");
    assertThat(subject(null)).contains("CN = clb-ingress.invalid");
    assertThat(subject("unknown.example.com")).contains("CN = clb-ingress.invalid");
  }

  /**
   * Issue: once one tenant had an ECDSA certificate, handshakes without SNI or for names no
   * certificate covers got that tenant's certificate, and an RSA-only client failed the handshake.
   * Every such handshake must get the default certificate, from clients preferring either key type.
   */
  @Test
  void strangersGetTheDefaultCertificateWhenATenantHasAnEcdsaOne() {
    for (String name : new String[] {null, "unknown.example.com", "c.b.example.com"}) {
      for (List<String> client : List.of(
          List.of("-tls1_2", "-sigalgs", "ECDSA+SHA256:RSA+SHA256"),
          List.of("-tls1_3", "-sigalgs", "ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256"))) {
        assertThat(subject(name, client)).as("%s %s", name, client).contains("CN = clb-ingress.invalid");
      }
    }
    // The ECDSA certificate still answers its own name.
    assertThat(subject("b.example.com", List.of("-sigalgs", "ECDSA+SHA256:RSA+SHA256"))).contains("CN = b.example.com");
  }

  /** An RSA-only client (old Java, embedded TLS stacks) asking for an unknown name completes its handshake. */
  @Test
  void rsaOnlyClientWithAnUnknownNameCompletesItsHandshake() {
    String port = String.valueOf(harness.dataPlane.httpsPort());
    Openssl.Result rsaOnly = Openssl.run(dir, List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
        "-servername", "unknown.example.com", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256",
        "-sigalgs", "RSA+SHA256"), "");
    assertThat(rsaOnly.output()).contains("CN = clb-ingress.invalid").doesNotContain("Cipher is (NONE)");
  }

  @Test
  void tls11IsRefusedAndTls12Accepted() {
    String port = String.valueOf(harness.dataPlane.httpsPort());
    Openssl.Result tls11 = Openssl.run(dir, List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
        "-servername", "a.example.com", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"), "");
    Openssl.Result tls12 = Openssl.run(dir, List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
        "-servername", "a.example.com", "-tls1_2", "-cipher", "DEFAULT:@SECLEVEL=0"), "");
    assertThat(tls12.output()).contains("New, TLSv1.2, Cipher is").doesNotContain("Cipher is (NONE)");
    assertThat(tls11.output()).contains("alert protocol version", "Cipher is (NONE)");
  }

  @Test
  void curlGetsH2AndTheBackendSeesHttps() {
    int port = harness.dataPlane.httpsPort();
    Openssl.Result curl = Openssl.run(dir, List.of("curl", "-s", "--http2", "--cacert", "a-cert.pem", "--resolve",
        "a.example.com:" + port + ":127.0.0.1", "-D", "-", "https://a.example.com:" + port + "/hello",
        "-w", "\nversion=%{http_version}"), "");
    assertThat(curl.output()).contains("version=2", "secure-backend", "seen-x-forwarded-proto: https")
        .doesNotContain("seen-transfer-encoding");
  }

  /** A route's RequestRedirect over h2: the scheme, host and port the request came with, the filter's path. */
  @Test
  void curlOverH2GetsTheRedirectOfARedirectingRoute() {
    int port = harness.dataPlane.httpsPort();
    Openssl.Result curl = Openssl.run(dir, List.of("curl", "-s", "-k", "--http2", "--resolve",
        "moved.example.com:" + port + ":127.0.0.1", "-D", "-", "-o", "/dev/null", "https://moved.example.com:" + port + "/x",
        "-w", "\nversion=%{http_version}"), "");
    assertThat(curl.output()).contains("version=2", "HTTP/2 303", "location: https://moved.example.com:" + port + "/new-home");
  }

  /**
   * {@code curl -T 256k.bin -H 'Expect: 100-continue'} over HTTPS/1.1: curl holds its body for a
   * 100 for up to {@code --expect100-timeout} (10 s here, curl's own default is 1 s); the proxy
   * answers 100 at once, so the upload completes well within that timer. (curl 7.88 over h2 does
   * not wait for a 100, so h2 shows nothing here.)
   */
  @Test
  void curlUploadWithExpect100ContinueIsNotHeldByItsExpectTimer() throws Exception {
    java.nio.file.Files.write(dir.resolve("256k.bin"), new byte[256 * 1024]);
    int port = harness.dataPlane.httpsPort();
    Openssl.Result curl = Openssl.run(dir, List.of("curl", "-s", "--http1.1", "--cacert", "a-cert.pem", "--resolve",
        "a.example.com:" + port + ":127.0.0.1", "-T", "256k.bin", "-H", "Expect: 100-continue",
        "--expect100-timeout", "10", "-o", "/dev/null", "https://a.example.com:" + port + "/echo",
        "-w", "status=%{http_code} size=%{size_download} seconds=%{time_total}"), "");
    assertThat(curl.output()).contains("status=200", "size=262144");
    double seconds = Double.parseDouble(curl.output().replaceAll("(?s).*seconds=([0-9.]+).*", "$1"));
    assertThat(seconds).as(curl.output()).isLessThan(5.0);
  }

  @Test
  void plainHttpForATlsHostRedirectsWith308() throws Exception {
    DataPlaneHarness.Answer answer = harness.get("a.example.com", "/path?q=1");
    assertThat(answer.status()).isEqualTo(308);
    assertThat(answer.headers()).containsEntry("location",
        "https://a.example.com:" + harness.dataPlane.httpsPort() + "/path?q=1");
    assertThat(harness.get("plain.example.com", "/x").body()).isEqualTo("secure-backend");
  }

  @Test
  void wssEchoesAndSurvivesACertificateRotation() throws Exception {
    // Given 50 open WSS connections
    var client = harness.vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100)
        .setSsl(true).setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("a-cert.pem").toString())
            .addCertPath(dir.resolve("a2-cert.pem").toString())));
    List<WebSocket> sockets = new ArrayList<>();
    AtomicBoolean anyClosed = new AtomicBoolean();
    for (int i = 0; i < 50; i++) {
      WebSocket ws = DataPlaneHarness.await(harness.onContext(() -> client.connect(new WebSocketConnectOptions()
          .setHost("a.example.com").setPort(harness.dataPlane.httpsPort()).setURI("/ws").setSsl(true)
          .putHeader("host", "a.example.com"))));
      ws.closeHandler(v -> anyClosed.set(true));
      sockets.add(ws);
    }
    String before = fingerprint("a.example.com");
    // When the certificate of a.example.com changes
    harness.apply(table(2, "a2"));
    // Then new handshakes see the new certificate (without a restart), and every WSS connection still echoes
    await().atMost(Duration.ofSeconds(30)).until(() -> !fingerprint("a.example.com").equals(before));
    for (WebSocket ws : sockets) {
      BlockingQueue<String> echo = new ArrayBlockingQueue<>(1);
      ws.textMessageHandler(echo::add);
      ws.writeTextMessage("after-rotation");
      assertThat(echo.poll(10, TimeUnit.SECONDS)).isEqualTo("secure-backend:after-rotation");
    }
    assertThat(anyClosed.get()).isFalse();
    harness.apply(table(3, "a"));
    // Closing it at the end also keeps the client reachable: Vert.x closes a garbage client's connections.
    DataPlaneHarness.await(client.close());
  }

  @Test
  void configShowsCertificatesWithoutPrivateKeys() throws Exception {
    String config = DataPlaneHarness.await(harness.onContext(() -> harness.http.request(
            new io.vertx.core.http.RequestOptions().setHost("127.0.0.1").setPort(harness.dataPlane.adminPort())
                .setURI("/config")).compose(r -> r.send()).compose(r -> r.body().map(Buffer::toString))));
    assertThat(config).contains("\"certificates\"", "CN=a.example.com", "\"sha256\"")
        .doesNotContain("privateKeyPem").doesNotContain("PRIVATE KEY");
  }

  private static String subject(String serverName) {
    return subject(serverName, List.of());
  }

  private static String subject(String serverName, List<String> clientOptions) {
    return Openssl.handshake(dir, harness.dataPlane.httpsPort(), serverName, clientOptions).output().lines()
        .filter(l -> l.startsWith("subject=")).findFirst().orElse("no certificate for " + serverName + " " + clientOptions);
  }

  private static String fingerprint(String serverName) {
    Openssl.Result pem = Openssl.run(dir, List.of("openssl", "s_client", "-connect",
        "127.0.0.1:" + harness.dataPlane.httpsPort(), "-servername", serverName), "");
    return Openssl.run(dir, List.of("openssl", "x509", "-noout", "-fingerprint", "-sha256"), pem.output()).output();
  }

  private static RoutingTable table(long version, String certificateForA) {
    Cluster cluster = new Cluster("web", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", backend.port())));
    List<VirtualHost> hosts = List.of(
        new VirtualHost("a.example.com", List.of(new Route(new PathMatch.Prefix("/"), "web", Tables.DEFAULT_TIMEOUTS, "t", true))),
        new VirtualHost("b.example.com", List.of(new Route(new PathMatch.Prefix("/"), "web", Tables.DEFAULT_TIMEOUTS, "t"))),
        new VirtualHost("plain.example.com", List.of(new Route(new PathMatch.Prefix("/"), "web", Tables.DEFAULT_TIMEOUTS, "t"))),
        new VirtualHost("moved.example.com", List.of(new Route(new PathMatch.Prefix("/"), "web", Tables.DEFAULT_TIMEOUTS,
            "t", false, null, List.of(new RequestRedirect(null, null, null, "/new-home", 303))))));
    List<VirtualHost> httpsHosts = hosts.stream().map(h -> new VirtualHost(h.host(),
        h.routes().stream().map(r -> r.withRedirectToHttps(false)).toList())).toList();
    List<Listener> listeners = List.of(
        new Listener("default-http", Protocol.HTTP, Listener.PORT_FROM_FLAGS, hosts, null),
        new Listener("default-https", Protocol.HTTPS, Listener.PORT_FROM_FLAGS, httpsHosts, null));
    List<Certificate> certificates = List.of(Openssl.tableCertificate(dir, certificateForA, "a.example.com"),
        Openssl.tableCertificate(dir, "b", "b.example.com"));
    return TableCodec.stamp(RoutingTable.unpublished(listeners, List.of(cluster), certificates), version);
  }

}
