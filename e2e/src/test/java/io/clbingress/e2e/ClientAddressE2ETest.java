package io.clbingress.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's real address through a real HAProxy (Debian's), as a cloud load balancer stands in
 * front of clb-ingress: the built jar in standalone mode, curl bound to 127.0.0.x addresses as the
 * clients, an HTTP backend that answers with the X-Forwarded-For and X-Real-IP it received.
 *
 * <ul>
 *   <li>HAProxy {@code send-proxy} (v1), layer 4, to a CLBListener with {@code spec.proxyProtocol: true};
 *   <li>HAProxy {@code send-proxy-v2}, layer 4, to the default HTTP listener ({@code --proxy-protocol});
 *   <li>HAProxy in HTTP mode with {@code option forwardfor}, a trusted proxy ({@code --trusted-proxies}),
 *       to a CLBListener without PROXY protocol;
 *   <li>a TCP CLBListener with {@code backendProxyProtocol: v2} in front of HAProxy {@code accept-proxy}
 *       (HTTP mode, {@code option forwardfor}): HAProxy reads the client from clb-ingress's header.
 * </ul>
 */
class ClientAddressE2ETest {

  static final Path JAR = JarProcess.JAR;

  @TempDir
  static Path dir;
  static Vertx vertx;
  static HttpServer backend;
  static JarProcess jar;
  static Process haproxy;
  static Path haproxyLog;
  static int httpPort;
  static int adminPort;
  static int proxiedListenerPort;
  static int plainListenerPort;
  static int tcpListenerPort;
  static int sendProxyPort;
  static int sendProxyV2Port;
  static int forwardForPort;
  static int acceptProxyPort;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isRegularFile(JAR), "the jar is built by the operator module first: " + JAR);
    assumeTrue(Processes.available("curl"), "curl is not installed (.ci/run installs it)");
    assumeTrue(Processes.available("haproxy"), "haproxy is not installed (.ci/run installs it: apt-get install haproxy)");
    vertx = Vertx.vertx();
    backend = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(request -> request.response().end("xff=" + request.getHeader("x-forwarded-for")
            + " real=" + request.getHeader("x-real-ip") + "\n"))
        .listen().await();
    httpPort = Processes.freePort();
    adminPort = Processes.freePort();
    proxiedListenerPort = Processes.freePort();
    plainListenerPort = Processes.freePort();
    tcpListenerPort = Processes.freePort();
    sendProxyPort = Processes.freePort();
    sendProxyV2Port = Processes.freePort();
    forwardForPort = Processes.freePort();
    acceptProxyPort = Processes.freePort();
    Path manifests = Files.createDirectory(dir.resolve("manifests"));
    Files.writeString(manifests.resolve("objects.yaml"), manifests());
    haproxy = startHaproxy();
    jar = JarProcess.start("standalone", "standalone", "--manifests", manifests.toString(),
        "--http-port", String.valueOf(httpPort), "--https-port", String.valueOf(Processes.freePort()),
        "--admin-port", String.valueOf(adminPort), "--bind-address", "127.0.0.1", "--drain-seconds", "1",
        "--proxy-protocol", "--trusted-proxies", "127.0.0.1/32");
    Processes.awaitReady(adminPort);
    for (int port : List.of(sendProxyPort, sendProxyV2Port, forwardForPort, plainListenerPort, tcpListenerPort)) {
      // HAProxy and every listener of the table are up
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() ->
          clientSees("127.0.0.1", port).startsWith("xff="));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (haproxy != null) {
      haproxy.destroy();
      haproxy.waitFor(10, TimeUnit.SECONDS);
      System.out.println("---- haproxy log\n" + Files.readString(haproxyLog));
    }
    JarProcess.closeAll(vertx, jar);
  }

  @Test
  void sendProxyV1ToAListenerWithProxyProtocol() throws Exception {
    assertThat(clientSees("127.0.0.7", sendProxyPort, "X-Forwarded-For: 6.6.6.6", "X-Real-IP: 6.6.6.6"))
        .isEqualTo("xff=127.0.0.7 real=127.0.0.7");
  }

  @Test
  void sendProxyV2ToTheDefaultListenerWithTheFlag() throws Exception {
    assertThat(clientSees("127.0.0.8", sendProxyV2Port, "X-Forwarded-For: 6.6.6.6"))
        .isEqualTo("xff=127.0.0.8 real=127.0.0.8");
  }

  @Test
  void forwardForFromATrustedProxy() throws Exception {
    // HAProxy appends the client to what the client sent: "6.6.6.6, 127.0.0.9"; it is the trusted peer
    assertThat(clientSees("127.0.0.9", forwardForPort, "X-Forwarded-For: 6.6.6.6"))
        .isEqualTo("xff=127.0.0.9, 127.0.0.1 real=127.0.0.9");
  }

  @Test
  void forwardedForFromAnUntrustedPeerIsReplaced() throws Exception {
    assertThat(clientSees("127.0.0.10", plainListenerPort, "X-Forwarded-For: 6.6.6.6", "X-Real-IP: 6.6.6.6"))
        .isEqualTo("xff=127.0.0.10 real=127.0.0.10");
  }

  @Test
  void backendProxyProtocolIsReadByHaproxy() throws Exception {
    // clb-ingress's TCP listener writes PROXY v2 naming 127.0.0.11; HAProxy (accept-proxy) forwards for it
    assertThat(clientSees("127.0.0.11", tcpListenerPort)).startsWith("xff=127.0.0.11 ");
  }

  @Test
  void aConnectionWithoutProxyHeaderIsClosed() throws Exception {
    Processes.Run run = Processes.curl("-s", "-o", "/dev/null", "-w", "%{http_code}", "--interface", "127.0.0.12",
        "-H", "Host: e2e.example.com", "http://127.0.0.1:" + proxiedListenerPort + "/");
    assertThat(run.stdout()).isEqualTo("000");
    assertThat(run.exitCode()).as("curl: empty reply or reset").isIn(52, 56);
  }

  /** What the backend saw of a request curl sends from {@code from} to {@code port}. */
  private static String clientSees(String from, int port, String... headers) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("-s", "--interface", from, "-H", "Host: e2e.example.com"));
    for (String header : headers) {
      args.add("-H");
      args.add(header);
    }
    args.add("http://127.0.0.1:" + port + "/");
    return Processes.curl(args.toArray(String[]::new)).stdout().trim();
  }

  private static Process startHaproxy() throws Exception {
    Path config = dir.resolve("haproxy.cfg");
    Files.writeString(config, """
        global
          nbthread 1
        defaults
          timeout connect 5s
          timeout client 30s
          timeout server 30s
        frontend send_proxy
          mode tcp
          bind 127.0.0.1:%d
          default_backend clb_proxied
        backend clb_proxied
          mode tcp
          server clb 127.0.0.1:%d send-proxy
        frontend send_proxy_v2
          mode tcp
          bind 127.0.0.1:%d
          default_backend clb_default
        backend clb_default
          mode tcp
          server clb 127.0.0.1:%d send-proxy-v2
        frontend forward_for
          mode http
          bind 127.0.0.1:%d
          option forwardfor
          default_backend clb_plain
        backend clb_plain
          mode http
          server clb 127.0.0.1:%d
        frontend accept_proxy
          mode http
          bind 127.0.0.1:%d accept-proxy
          option forwardfor
          default_backend echo
        backend echo
          mode http
          server echo 127.0.0.1:%d
        """.formatted(sendProxyPort, proxiedListenerPort, sendProxyV2Port, httpPort, forwardForPort,
        plainListenerPort, acceptProxyPort, backend.actualPort()));
    haproxyLog = dir.resolve("haproxy.log");
    return new ProcessBuilder("haproxy", "-db", "-f", config.toString()).redirectErrorStream(true)
        .redirectOutput(haproxyLog.toFile()).start();
  }

  private static String manifests() {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: echo, namespace: e2e, annotations: {clb.ingress.io/static-endpoints: "127.0.0.1:%d"}}
        spec: {ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: haproxy-accept-proxy, namespace: e2e, annotations: {clb.ingress.io/static-endpoints: "127.0.0.1:%d"}}
        spec: {ports: [{port: 80}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web, namespace: e2e}
        spec:
          ingressClassName: clb
          rules:
          - host: e2e.example.com
            http:
              paths: [{path: /, pathType: Prefix, backend: {service: {name: echo, port: {number: 80}}}}]
        ---
        apiVersion: clb.ingress.io/v1alpha1
        kind: CLBListener
        metadata: {name: behind-lb, namespace: e2e}
        spec:
          port: %d
          protocol: HTTP
          proxyProtocol: true
          rules:
          - {path: /, backend: {service: {name: echo, port: {number: 80}}}}
        ---
        apiVersion: clb.ingress.io/v1alpha1
        kind: CLBListener
        metadata: {name: plain, namespace: e2e}
        spec:
          port: %d
          protocol: HTTP
          rules:
          - {path: /, backend: {service: {name: echo, port: {number: 80}}}}
        ---
        apiVersion: clb.ingress.io/v1alpha1
        kind: CLBListener
        metadata: {name: tcp-to-haproxy, namespace: e2e}
        spec:
          port: %d
          protocol: TCP
          backendProxyProtocol: v2
          backend: {service: {name: haproxy-accept-proxy, port: {number: 80}}}
        """.formatted(backend.actualPort(), acceptProxyPort, proxiedListenerPort, plainListenerPort, tcpListenerPort);
  }
}
