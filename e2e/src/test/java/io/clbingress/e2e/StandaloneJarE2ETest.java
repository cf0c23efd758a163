package io.clbingress.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar as users run it ({@code java -jar clb-ingress.jar standalone}), driven by curl
 * and the npm {@code ws} WebSocket client, against real backends.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class StandaloneJarE2ETest {

  static final Path JAR = JarProcess.JAR;

  @TempDir
  static Path manifests;
  static Vertx vertx;
  static HttpServer blue;
  static HttpServer green;
  static JarProcess jar;
  static int httpPort;
  static int httpsPort;
  static int adminPort;
  static Path fallbackCerts;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isRegularFile(JAR), "the jar is built by the operator module first: " + JAR);
    assumeTrue(Processes.available("curl"), "curl is not installed (.ci/run installs it)");
    assumeTrue(Processes.available("openssl"), "openssl is not installed (.ci/run installs it)");
    assumeTrue(Processes.available("node") && Files.isDirectory(Processes.E2E_DIR.resolve("node_modules/ws")),
        "node and the npm ws package are needed: run `npm ci` in e2e/ (.ci/run does)");
    vertx = Vertx.vertx();
    blue = EchoBackend.start(vertx, "blue");
    green = EchoBackend.start(vertx, "green");
    Files.writeString(manifests.resolve("service.yaml"), service("blue", blue.actualPort()) + service("green", green.actualPort()));
    Files.writeString(manifests.resolve("ingress.yaml"), ingress("web", "/", "blue", "60"));
    Files.writeString(manifests.resolve("ws.yaml"), ingress("ws", "/ws", "blue", "2"));
    fallbackCerts = TlsSecrets.selfSigned("fallback.example.com");
    Files.writeString(manifests.resolve("fallback.yaml"), TlsSecrets.secret("fallback-tls", fallbackCerts));
    httpPort = Processes.freePort();
    httpsPort = Processes.freePort();
    adminPort = Processes.freePort();
    jar = JarProcess.start("standalone", "standalone", "--manifests", manifests.toString(),
        "--http-port", String.valueOf(httpPort), "--https-port", String.valueOf(httpsPort),
        "--admin-port", String.valueOf(adminPort), "--default-cert", "e2e/fallback-tls",
        "--bind-address", "127.0.0.1", "--drain-seconds", "1");
    Processes.awaitReady(adminPort);
  }

  @AfterAll
  static void stop() throws Exception {
    if (jar != null) {
      jar.close();
    }
    if (vertx != null) {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void a_curlReachesTheBackendThroughTheIngress() throws Exception {
    // When
    Processes.Run run = curl("-s", "-i", "-H", "Host: shop.example.com", proxy("/hello"));
    // Then
    assertThat(run.stdout()).startsWith("HTTP/1.1 200").contains("backend=blue");
    assertThat(Processes.status(proxy("/"), "Host: unknown.example.com")).isEqualTo("404");
  }

  @Test
  void b_wsClientEchoesTextBinaryPingAndCloseCode() throws Exception {
    // When
    Processes.Run run = node("echo", "ws://127.0.0.1:" + httpPort + "/ws/chat", "shop.example.com");
    // Then
    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
    assertThat(run.stdout()).contains("\"closeCode\":4001", "pong:ping-1", "text:hello through the proxy");
  }

  @Test
  void c_wsIdleTimeoutFromTheAnnotation() throws Exception {
    // When nothing is sent over a route with proxy-read-timeout: "2"
    Processes.Run run = node("idle", "ws://127.0.0.1:" + httpPort + "/ws/idle", "shop.example.com");
    // Then the proxy closes it (abnormally: no close frame), not before 2 s
    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
    System.out.println("ws idle run: " + run.stdout());
    long elapsed = Long.parseLong(run.stdout().replaceAll("(?s).*\"elapsedMs\":(\\d+).*", "$1"));
    assertThat(elapsed).isBetween(1_900L, 10_000L);
  }

  @Test
  void d_editedManifestIsInForceWithinOneSecond() throws Exception {
    // When the Ingress moves to the green backend
    Files.writeString(manifests.resolve("ingress.yaml"), ingress("web", "/", "green", "60"));
    // Then
    await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
        .until(() -> curl("-s", "-H", "Host: shop.example.com", proxy("/")).stdout().contains("backend=green"));
  }

  @Test
  void e_brokenInputLosesNothing() throws Exception {
    // When one file is unparsable and an Ingress gets an invalid annotation
    Files.writeString(manifests.resolve("broken.yaml"), "kind: [oops\n");
    Files.writeString(manifests.resolve("ingress.yaml"), ingress("web", "/", "blue", "ten minutes"));
    await().atMost(Duration.ofSeconds(5)).until(() -> jar.logText().contains("ten minutes"));
    // Then the process lives, the Ingress keeps its last accepted configuration, and the log names the problems
    assertThat(jar.isAlive()).isTrue();
    assertThat(curl("-s", "-H", "Host: shop.example.com", proxy("/")).stdout()).contains("backend=green");
    String log = jar.logText();
    assertThat(log).contains("broken.yaml line", "Ingress e2e/web: metadata.annotations[clb.ingress.io/proxy-read-timeout]");
    assertThat(curl("-s", admin("/config")).stdout()).contains("\"version\"", "\"appliedAt\"");
  }

  @Test
  void f_httpsAndWssWithTheCertificateOfAnIngressSecret() throws Exception {
    // Given a certificate made with openssl, in a kubernetes.io/tls Secret of an Ingress with TLS
    assumeTrue(Processes.available("openssl"), "openssl is not installed (.ci/run installs it)");
    Path certs = tlsIngress("secure", "/");
    String resolve = "secure.example.com:" + httpsPort + ":127.0.0.1";
    String url = "https://secure.example.com:" + httpsPort + "/over-tls";
    // Then curl, trusting only that certificate, gets the backend over HTTPS (h2), and plain HTTP redirects
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() ->
        curl("-s", "--cacert", certs.resolve("cert.pem").toString(), "--resolve", resolve, url).stdout()
            .contains("backend=blue uri=/over-tls"));
    assertThat(curl("-s", "-o", "/dev/null", "-w", "%{http_version}", "--http2", "--cacert",
        certs.resolve("cert.pem").toString(), "--resolve", resolve, url).stdout()).isEqualTo("2");
    assertThat(curl("-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "-H", "Host: secure.example.com",
        proxy("/x")).stdout()).isEqualTo("308 https://secure.example.com:" + httpsPort + "/x");
    // And the npm ws client gets WSS through it, TLS offloaded
    assertWssEcho(httpsPort, "secure.example.com", certs);
  }

  @Test
  void h_handshakeWithoutSniGetsTheDefaultCertFlagsCertificate() throws Exception {
    // Given --default-cert e2e/fallback-tls, then a handshake without SNI or for an unknown name gets it
    for (List<String> sni : List.of(List.of("-noservername"), List.of("-servername", "unknown.example.com"))) {
      List<String> command = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect",
          "127.0.0.1:" + httpsPort, "-CAfile", "cert.pem", "-verify_return_error"));
      command.addAll(sni);
      Processes.Run run = Processes.run(fallbackCerts, command, 30);
      assertThat(run.stdout()).as(run.stderr()).contains("subject=CN = fallback.example.com",
          "Verify return code: 0 (ok)");
    }
  }

  @Test
  void i_chromiumOpensWssFromAPageOnALocalOrigin() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/chromium")) && Files.isDirectory(Processes.E2E_DIR.resolve(
        "node_modules/playwright-core")), "Debian's chromium and npm playwright-core are needed (.ci/run installs them)");
    // Given an Ingress with TLS for browser.example.com, its certificate made with openssl
    Path certs = tlsIngress("browser", "/ws");
    String resolve = "browser.example.com:" + httpsPort + ":127.0.0.1";
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() ->
        curl("-s", "--cacert", certs.resolve("cert.pem").toString(), "--resolve", resolve,
            "https://browser.example.com:" + httpsPort + "/ws").stdout().contains("backend=blue"));
    // When headless Chromium loads a page from another local origin that opens wss:// to the proxy
    Processes.Run chromium = Processes.run(Processes.E2E_DIR, List.of("node", "chromium-wss.js",
        "wss://browser.example.com:" + httpsPort + "/ws", certs.resolve("cert.pem").toString()), 120);
    // Then text and binary messages echo and the close code passes
    assertThat(chromium.exitCode()).as(chromium.stdout() + chromium.stderr()).isZero();
    assertThat(chromium.stdout()).contains("\"closeCode\":4001", "text:hello from chromium", "binary:0102ff",
        "\"origin\":\"http://127.0.0.1:");
  }

  @Test
  void j_chromiumSendsACredentialedCrossOriginRequestOnlyFromTheAllowedOrigin() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/chromium")) && Files.isDirectory(Processes.E2E_DIR.resolve(
        "node_modules/playwright-core")), "Debian's chromium and npm playwright-core are needed (.ci/run installs them)");
    // Given an Ingress with ingress-nginx's CORS annotations allowing one origin, credentials included
    int originPort = Processes.freePort();
    Files.writeString(manifests.resolve("cors.yaml"), """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: api
          namespace: e2e
          annotations:
            nginx.ingress.kubernetes.io/enable-cors: "true"
            nginx.ingress.kubernetes.io/cors-allow-origin: "http://app.example.com:%d"
            nginx.ingress.kubernetes.io/cors-allow-methods: "GET, PUT"
            nginx.ingress.kubernetes.io/cors-allow-headers: "Content-Type, X-Requested-With"
            nginx.ingress.kubernetes.io/cors-allow-credentials: "true"
        spec:
          ingressClassName: clb
          rules:
          - host: api.example.com
            http:
              paths: [{path: /cors, pathType: Prefix, backend: {service: {name: blue, port: {number: 80}}}}]
        """.formatted(originPort));
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() ->
        curl("-s", "-H", "Host: api.example.com", proxy("/cors/ready")).stdout().contains("backend=blue"));
    EchoBackend.REQUESTS.clear();
    // When headless Chromium sends a credentialed PUT from a page of that origin, and from a page of another
    String api = "http://api.example.com:" + httpPort + "/cors/data";
    Processes.Run chromium = Processes.run(Processes.E2E_DIR, List.of("node", "chromium-cors.js", api,
        "http://app.example.com:" + originPort + "/", "http://evil.example.net:" + originPort + "/"), 120);
    // Then the allowed page reads the answer (its preflight was answered at the edge: the backend saw
    // only the PUT), and the browser refuses the other page's call: that origin's preflight went to
    // the backend as any request (as in ingress-nginx), whose answer allows nothing, and no PUT followed
    assertThat(chromium.exitCode()).as(chromium.stdout() + chromium.stderr()).isZero();
    assertThat(chromium.stdout()).contains("\"status\":200", "backend=blue uri=/cors/data",
        "\"origin\":\"http://evil.example.net:" + originPort + "\",\"error\":\"TypeError");
    assertThat(EchoBackend.REQUESTS).containsExactly("blue PUT /cors/data", "blue OPTIONS /cors/data");
  }

  /**
   * ingress-nginx's auth-tls-* on an Ingress, certificates made with openssl: curl with --cert/--key
   * gets through with the verification headers, without one or with another CA's it gets 400, only
   * that host's handshake asks for a certificate, and the host asked for on another host's
   * connection is 421.
   */
  @Test
  void k_clientCertificatesPerHostWithCurlCert() throws Exception {
    // Given a CA and a client certificate it signed, another CA's client, and an Ingress asking for them
    Path certs = tlsIngress("mtls", "/");
    Processes.Run made = Processes.run(certs, List.of("sh", "-c", String.join(" && ",
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=e2e-client-ca -keyout ca-key.pem -out ca.pem",
        "openssl req -newkey rsa:2048 -nodes -subj /CN=alice -keyout alice-key.pem -out alice.csr",
        "openssl x509 -req -in alice.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 1 -out alice.pem",
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=mallory -keyout mallory-key.pem -out mallory.pem")),
        60);
    assertThat(made.exitCode()).as(made.stderr()).isZero();
    Path open = tlsIngress("open", "/");
    Files.writeString(manifests.resolve("mtls-ca.yaml"), """
        apiVersion: v1
        kind: Secret
        metadata: {name: client-ca, namespace: e2e}
        type: Opaque
        data: {ca.crt: %s}
        """.formatted(java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(certs.resolve("ca.pem")))));
    String mtls = Files.readString(manifests.resolve("mtls.yaml")).replace("metadata: {name: mtls, namespace: e2e}",
        "metadata:\n  name: mtls\n  namespace: e2e\n  annotations:\n"
            + "    nginx.ingress.kubernetes.io/auth-tls-secret: e2e/client-ca\n"
            + "    nginx.ingress.kubernetes.io/auth-tls-verify-client: \"on\"\n"
            + "    nginx.ingress.kubernetes.io/auth-tls-pass-certificate-to-upstream: \"true\"");
    Files.writeString(manifests.resolve("mtls.yaml"), mtls);
    String resolve = "mtls.example.com:" + httpsPort + ":127.0.0.1";
    String url = "https://mtls.example.com:" + httpsPort + "/who";
    List<String> alice = List.of("--cert", certs.resolve("alice.pem").toString(), "--key",
        certs.resolve("alice-key.pem").toString());
    // Then curl with alice's certificate gets the backend, which learns who she is (awaited until the
    // annotated version is served: the version without them, written first, answers alice too)
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() ->
        curlTo(url, resolve, certs, alice).stdout().contains("seen-ssl-client-verify: SUCCESS"));
    for (String version : List.of("--http1.1", "--http2")) {
      String answer = curlTo(url, resolve, certs, List.of(version, alice.get(0), alice.get(1), alice.get(2),
          alice.get(3), "-H", "ssl-client-subject-dn: CN=admin")).stdout();
      assertThat(answer).as(version).contains("seen-ssl-client-verify: SUCCESS", "seen-ssl-client-subject-dn: CN=alice",
          "seen-ssl-client-issuer-dn: CN=e2e-client-ca", "seen-ssl-client-cert: -----BEGIN%20CERTIFICATE")
          .doesNotContain("CN=admin");
      // And without a certificate, or with one from another CA, 400 and nothing reaches the backend
      assertThat(curlTo(url, resolve, certs, List.of(version)).stdout()).as(version)
          .contains(" 400", "No required SSL certificate was sent").doesNotContain("backend=");
      assertThat(curlTo(url, resolve, certs, List.of(version, "--cert", certs.resolve("mallory.pem").toString(),
          "--key", certs.resolve("mallory-key.pem").toString())).stdout()).as(version)
          .contains(" 400", "The SSL certificate error").doesNotContain("backend=");
      // And on open.example.com's connection, a request for mtls.example.com is 421
      assertThat(curlTo("https://open.example.com:" + httpsPort + "/who", "open.example.com:" + httpsPort + ":127.0.0.1",
          open, List.of(version, alice.get(0), alice.get(1), alice.get(2), alice.get(3), "-H",
              "Host: mtls.example.com")).stdout()).as(version).contains(" 421").doesNotContain("backend=");
    }
    // And only mtls.example.com's handshake asks for a client certificate, naming the CA
    Processes.Run asked = Processes.run(certs, List.of("openssl", "s_client", "-connect", "127.0.0.1:" + httpsPort,
        "-servername", "mtls.example.com"), 30);
    Processes.Run notAsked = Processes.run(open, List.of("openssl", "s_client", "-connect", "127.0.0.1:" + httpsPort,
        "-servername", "open.example.com"), 30);
    assertThat(asked.stdout()).contains("Acceptable client certificate CA names", "CN = e2e-client-ca");
    assertThat(notAsked.stdout()).contains("subject=CN = open.example.com", "No client certificate CA names sent");
  }

  /** curl to an HTTPS url (headers and body), trusting only certs/cert.pem, the host resolved to the data plane. */
  private static Processes.Run curlTo(String url, String resolve, Path certs, List<String> options)
      throws IOException, InterruptedException {
    List<String> args = new java.util.ArrayList<>(List.of("-s", "-D", "-", "--cacert", certs.resolve("cert.pem").toString(),
        "--resolve", resolve));
    args.addAll(options);
    args.add(url);
    return curl(args.toArray(String[]::new));
  }

  @Test
  void g_tcpSslListenerCarriesWssAndPlainBytes() throws Exception {
    // Given a TCP_SSL CLBListener in front of the blue backend, with a certificate made with openssl
    assumeTrue(Processes.available("openssl"), "openssl is not installed (.ci/run installs it)");
    Path certs = TlsSecrets.selfSigned("tunnel.example.com");
    int port = Processes.freePort();
    Files.writeString(manifests.resolve("tcp.yaml"), TlsSecrets.secret("tunnel-tls", certs) + """
        apiVersion: clb.ingress.io/v1alpha1
        kind: CLBListener
        metadata: {name: tunnel, namespace: e2e}
        spec:
          port: %d
          protocol: TCP_SSL
          certificate: {secretName: tunnel-tls}
          backend: {service: {name: blue, port: {number: 80}}}
        """.formatted(port));
    // Then openssl s_client, trusting only that certificate, gets an HTTP exchange through as bytes
    String request = "GET /through-tcp HTTP/1.1\r\nHost: any.example\r\nConnection: close\r\n\r\n";
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200)).until(() ->
        Processes.run(certs, List.of("sh", "-c", "printf '" + request + "' | openssl s_client -quiet -connect 127.0.0.1:"
            + port + " -servername tunnel.example.com -CAfile cert.pem -verify_return_error"), 30)
            .stdout().contains("backend=blue uri=/through-tcp"));
    // And the npm ws client gets a WebSocket through the TCP_SSL listener
    assertWssEcho(port, "tunnel.example.com", certs);
  }

  @Test
  void j_listenerDefaultsLimitBodiesAndHeadsAndDefaultDomainServesUnknownHosts() throws Exception {
    // Given two HTTP CLBListeners: one with client limits and no defaultDomain, one with a defaultDomain
    int limited = Processes.freePort();
    int withDomain = Processes.freePort();
    Files.writeString(manifests.resolve("limits.yaml"), """
        apiVersion: clb.ingress.io/v1alpha1
        kind: CLBListener
        metadata: {name: limited, namespace: e2e}
        spec:
          port: %d
          protocol: HTTP
          defaults: {clientMaxBodySize: 1Ki, clientHeaderTimeout: 2s}
          rules:
          - {host: app.example.com, path: /, backend: {service: {name: blue, port: {number: 80}}}}
        ---
        apiVersion: clb.ingress.io/v1alpha1
        kind: CLBListener
        metadata: {name: with-domain, namespace: e2e}
        spec:
          port: %d
          protocol: HTTP
          defaultDomain: app.example.com
          rules:
          - {host: app.example.com, path: /, backend: {service: {name: green, port: {number: 80}}}}
        """.formatted(limited, withDomain));
    String app = "http://127.0.0.1:" + limited + "/upload";
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() ->
        "200".equals(Processes.status(app, "Host: app.example.com")));
    // Then a body over 1 KiB gets 413 and one under it passes
    assertThat(curl("-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: app.example.com",
        "--data-binary", "x".repeat(1025), app).stdout()).isEqualTo("413");
    assertThat(curl("-s", "-H", "Host: app.example.com", "--data-binary", "x".repeat(1000), app).stdout())
        .contains("backend=blue");
    // And a request head that does not finish within 2 s gets 408
    try (java.net.Socket slow = new java.net.Socket("127.0.0.1", limited)) {
      slow.setSoTimeout(20_000);
      slow.getOutputStream().write("GET / HTTP/1.1\r\nHost: app.example.com\r\n".getBytes());
      assertThat(new String(slow.getInputStream().readAllBytes())).startsWith("HTTP/1.1 408");
    }
    // And an unknown Host gets 404 without a defaultDomain, and the defaultDomain's routes with one
    assertThat(Processes.status(app, "Host: unknown.example.com")).isEqualTo("404");
    assertThat(curl("-s", "-H", "Host: unknown.example.com", "http://127.0.0.1:" + withDomain + "/").stdout())
        .contains("backend=green");
  }

  /** The npm ws client's echo script over wss://127.0.0.1:port, trusting only {@code certs}/cert.pem. */
  private static void assertWssEcho(int port, String serverName, Path certs) throws Exception {
    ProcessBuilder wss = new ProcessBuilder("node", "ws-client.js", "echo", "wss://127.0.0.1:" + port + "/ws",
        serverName).directory(Processes.E2E_DIR.toFile()).redirectErrorStream(true);
    wss.environment().put("WS_CA", certs.resolve("cert.pem").toString());
    wss.environment().put("WS_SERVERNAME", serverName);
    Process process = wss.start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("\"closeCode\":4001", "pong:ping-1");
  }

  /**
   * Writes an Ingress NAME for NAME.example.com with TLS from a Secret NAME-tls, its certificate
   * made with openssl, routing PATH to the blue backend.
   *
   * @return the directory with the certificate (cert.pem) and key (key.pem)
   */
  private static Path tlsIngress(String name, String path) throws Exception {
    return tlsIngress(manifests, name, path);
  }

  /** As {@link #tlsIngress(String, String)}, written into {@code manifests}. */
  static Path tlsIngress(Path manifests, String name, String path) throws Exception {
    String host = name + ".example.com";
    Path certs = TlsSecrets.selfSigned(host);
    Files.writeString(manifests.resolve(name + ".yaml"), TlsSecrets.secret(name + "-tls", certs) + """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: %s, namespace: e2e}
        spec:
          ingressClassName: clb
          tls: [{hosts: [%s], secretName: %s-tls}]
          rules:
          - host: %s
            http:
              paths: [{path: %s, pathType: Prefix, backend: {service: {name: blue, port: {number: 80}}}}]
        """.formatted(name, host, name, host, path));
    return certs;
  }

  private static Processes.Run node(String mode, String url, String host) throws Exception {
    return Processes.run(Processes.E2E_DIR, List.of("node", "ws-client.js", mode, url, host), 90);
  }

  private static Processes.Run curl(String... args) throws IOException, InterruptedException {
    return Processes.curl(args);
  }

  private static String proxy(String path) {
    return "http://127.0.0.1:" + httpPort + path;
  }

  private static String admin(String path) {
    return "http://127.0.0.1:" + adminPort + path;
  }

  static String service(String name, int port) {
    return """
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: %s
          namespace: e2e
          annotations: {clb.ingress.io/static-endpoints: "127.0.0.1:%d"}
        spec: {ports: [{port: 80}]}
        """.formatted(name, port);
  }

  static String ingress(String name, String path, String service, String readTimeout) {
    return """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: %s
          namespace: e2e
          annotations: {clb.ingress.io/proxy-read-timeout: "%s"}
        spec:
          ingressClassName: clb
          rules:
          - host: shop.example.com
            http:
              paths: [{path: %s, pathType: Prefix, backend: {service: {name: %s, port: {number: 80}}}}]
        """.formatted(name, readTimeout, path, service);
  }
}
