package io.clbingress.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access log as shipped: the built jar in standalone mode with no access log flag (JSON by
 * default, on standard output through the packaged Log4j2 configuration), with the lines real
 * clients produced: curl over HTTP/1.1 and over TLS (HTTP/2 by ALPN), the npm {@code ws} client
 * (its upgrade's request line and its tunnel's line, closed by the peers or by the route's idle
 * timeout), openssl s_client through a TCP_SSL listener, and an Ingress with ingress-nginx's
 * {@code enable-access-log: "false"}. Every field of docs/access-log.md is checked on at least
 * one line.
 */
class AccessLogE2ETest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path manifests;
  static Vertx vertx;
  static HttpServer backend;
  static final List<String> requestIds = new CopyOnWriteArrayList<>();
  static JarProcess jar;
  static int httpPort;
  static int httpsPort;
  static int tunnelPort;
  static Path certs;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isRegularFile(JarProcess.JAR), "the jar is built by the operator module first: " + JarProcess.JAR);
    assumeTrue(Processes.available("curl"), "curl is not installed (.ci/run installs it)");
    assumeTrue(Processes.available("openssl"), "openssl is not installed (.ci/run installs it)");
    assumeTrue(Processes.available("node"), "node is not installed (.ci/run installs it)");
    vertx = Vertx.vertx();
    // No permessage-deflate (the ws client offers it): the tunnel's byte counts are then known frame by frame
    backend = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
            .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false))
        .webSocketHandler(ws -> ws.textMessageHandler(ws::writeTextMessage).binaryMessageHandler(ws::writeBinaryMessage))
        .requestHandler(request -> {
          requestIds.add(String.valueOf(request.getHeader("x-request-id")));
          request.body().onSuccess(body -> request.response().end("hello\n"));
        })
        .listen().await();
    httpPort = Processes.freePort();
    httpsPort = Processes.freePort();
    tunnelPort = Processes.freePort();
    certs = TlsSecrets.selfSigned("tls.example.com");
    Files.writeString(manifests.resolve("app.yaml"), """
        apiVersion: v1
        kind: Service
        metadata:
          name: api
          namespace: e2e
          annotations: {clb.ingress.io/static-endpoints: "127.0.0.1:%d"}
        spec: {ports: [{port: 80}]}
        ---
        apiVersion: clb.ingress.io/v1alpha1
        kind: CLBListener
        metadata: {name: tunnel, namespace: e2e}
        spec:
          port: %d
          protocol: TCP_SSL
          certificate: {secretName: tls}
          backend: {service: {name: api, port: {number: 80}}}
        ---
        """.formatted(backend.actualPort(), tunnelPort) + TlsSecrets.secret("tls", certs)
        + ingress("api", "api.example.com", "{}", "")
        + ingress("health", "health.example.com", "{nginx.ingress.kubernetes.io/enable-access-log: \"false\"}", "")
        + ingress("idle", "idle.example.com", "{nginx.ingress.kubernetes.io/proxy-read-timeout: \"2\"}", "")
        + ingress("secure", "tls.example.com", "{}", "tls: [{hosts: [tls.example.com], secretName: tls}]"));
    int adminPort = Processes.freePort();
    jar = JarProcess.start("access-log", "standalone", "--manifests", manifests.toString(),
        "--http-port", String.valueOf(httpPort), "--https-port", String.valueOf(httpsPort),
        "--admin-port", String.valueOf(adminPort), "--bind-address", "127.0.0.1", "--drain-seconds", "1");
    Processes.awaitReady(adminPort);
    await().atMost(Duration.ofSeconds(10)).until(() -> "200".equals(Processes.status(
        "http://127.0.0.1:" + httpPort + "/", "Host: api.example.com")));
    await().atMost(Duration.ofSeconds(10)).until(() -> "200".equals(Processes.curl("-s", "-o", "/dev/null",
        "-w", "%{http_code}", "--cacert", certs.resolve("cert.pem").toString(), "--resolve",
        "tls.example.com:" + httpsPort + ":127.0.0.1", "https://tls.example.com:" + httpsPort + "/ready").stdout()));
  }

  @AfterAll
  static void stop() throws Exception {
    JarProcess.closeAll(vertx, jar);
  }

  @Test
  void curlsRequestIsOneJsonLineOnStandardOutput() throws Exception {
    // When curl posts a body, with a user agent and a referer of its own and no X-Request-ID
    Processes.Run run = Processes.curl("-s", "-A", "e2e-curl/1", "-e", "https://from.example/", "-d", "name=curl",
        "-w", "|%{local_port}", "-H", "Host: api.example.com", "http://127.0.0.1:" + httpPort + "/hello?name=curl");
    assertThat(run.stdout()).startsWith("hello\n|");
    int clientPort = Integer.parseInt(run.stdout().substring("hello\n|".length()));
    // Then its line is there, every field as docs/access-log.md says, with the id the backend received
    JsonNode line = await().atMost(Duration.ofSeconds(10)).until(() -> line("e2e-curl/1"), java.util.Objects::nonNull);
    assertThat(fieldNames(line)).containsExactly("type", "time", "client", "client_port", "method", "host", "uri",
        "protocol", "status", "bytes_received", "bytes_sent", "request_time", "upstream_addr", "upstream_connect_time",
        "upstream_header_time", "upstream_response_time", "route", "listener", "tls_version", "tls_cipher", "sni",
        "user_agent", "referer", "request_id");
    assertThat(line.get("type").asText()).isEqualTo("request");
    assertRecentTime(line);
    assertThat(line.get("client").asText()).isEqualTo("127.0.0.1");
    assertThat(line.get("client_port").asInt()).isEqualTo(clientPort);
    assertThat(line.get("method").asText()).isEqualTo("POST");
    assertThat(line.get("host").asText()).isEqualTo("api.example.com");
    assertThat(line.get("uri").asText()).isEqualTo("/hello?name=curl");
    assertThat(line.get("protocol").asText()).isEqualTo("HTTP/1.1");
    assertThat(line.get("status").asInt()).isEqualTo(200);
    assertThat(line.get("bytes_received").asLong()).isEqualTo("name=curl".length());
    assertThat(line.get("bytes_sent").asLong()).isEqualTo(6);
    assertThat(line.get("upstream_addr").asText()).isEqualTo("127.0.0.1:" + backend.actualPort());
    // The three upstream times are seconds from the same start, so they never decrease, and the
    // request's own time (from the head) covers them
    double connect = seconds(line, "upstream_connect_time");
    double header = seconds(line, "upstream_header_time");
    double response = seconds(line, "upstream_response_time");
    assertThat(connect).isLessThanOrEqualTo(header);
    assertThat(header).isLessThanOrEqualTo(response);
    assertThat(response).isLessThanOrEqualTo(seconds(line, "request_time"));
    assertThat(line.get("route").asText()).isEqualTo("Ingress e2e/api");
    assertThat(line.get("listener").asText()).isEqualTo("default-http");
    assertThat(line.get("tls_version").isNull()).isTrue();
    assertThat(line.get("tls_cipher").isNull()).isTrue();
    assertThat(line.get("sni").isNull()).isTrue();
    assertThat(line.get("user_agent").asText()).isEqualTo("e2e-curl/1");
    assertThat(line.get("referer").asText()).isEqualTo("https://from.example/");
    assertThat(line.get("request_id").asText()).matches("[0-9a-f]{32}");
    assertThat(requestIds).contains(line.get("request_id").asText());
  }

  @Test
  void curlOverTlsLogsTheHandshakesVersionCipherAndServerName() throws Exception {
    // When curl asks over TLS (HTTP/2 by ALPN), trusting only the Ingress's certificate, and keeps its own request id
    Processes.Run run = Processes.curl("-s", "-v", "-A", "e2e-tls", "-H", "X-Request-ID: e2e-tls-id",
        "--cacert", certs.resolve("cert.pem").toString(), "--resolve", "tls.example.com:" + httpsPort + ":127.0.0.1",
        "-w", "|%{local_port}", "https://tls.example.com:" + httpsPort + "/secure");
    assertThat(run.stdout()).startsWith("hello\n|");
    // curl -v: "SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384" (later curls add a key exchange)
    java.util.regex.Matcher handshake = java.util.regex.Pattern
        .compile("SSL connection using (TLSv1\\.[23]) / ([A-Z0-9_-]+)").matcher(run.stderr());
    assertThat(handshake.find()).as(run.stderr()).isTrue();
    // Then the line names what that handshake agreed
    JsonNode line = await().atMost(Duration.ofSeconds(10)).until(() -> line("e2e-tls"), java.util.Objects::nonNull);
    assertThat(line.get("protocol").asText()).isEqualTo("HTTP/2.0");
    assertThat(line.get("host").asText()).isEqualTo("tls.example.com:" + httpsPort);
    assertThat(line.get("uri").asText()).isEqualTo("/secure");
    assertThat(line.get("status").asInt()).isEqualTo(200);
    assertThat(line.get("client_port").asInt()).isEqualTo(Integer.parseInt(run.stdout().substring("hello\n|".length())));
    assertThat(line.get("route").asText()).isEqualTo("Ingress e2e/secure");
    assertThat(line.get("listener").asText()).isEqualTo("default-https");
    assertThat(line.get("tls_version").asText()).isEqualTo(handshake.group(1));
    assertThat(line.get("tls_cipher").asText()).isEqualTo(handshake.group(2));
    assertThat(line.get("sni").asText()).isEqualTo("tls.example.com");
    assertThat(line.get("request_id").asText()).isEqualTo("e2e-tls-id");
    assertThat(requestIds).contains("e2e-tls-id");
  }

  @Test
  void wsClientsUpgradeAndTunnelAreLoggedWhenItCloses() throws Exception {
    // When the npm ws client sends text, binary and a ping through the proxy, then closes with 4001 "bye"
    Processes.Run ws = Processes.run(Processes.E2E_DIR, List.of("node", "ws-client.js", "echo",
        "ws://127.0.0.1:" + httpPort + "/ws/echo", "api.example.com"), 90);
    assertThat(ws.exitCode()).as(ws.stdout() + ws.stderr()).isZero();
    // Then the upgrade has its request line (101) and the tunnel a line of its own, with the same id
    JsonNode upgrade = await().atMost(Duration.ofSeconds(10)).until(() -> lineWhere("request", "uri", "/ws/echo"),
        java.util.Objects::nonNull);
    assertThat(upgrade.get("status").asInt()).isEqualTo(101);
    assertThat(upgrade.get("method").asText()).isEqualTo("GET");
    String id = upgrade.get("request_id").asText();
    JsonNode tunnel = await().atMost(Duration.ofSeconds(10)).until(() -> lineWhere("tunnel", "request_id", id),
        java.util.Objects::nonNull);
    assertThat(fieldNames(tunnel)).containsExactly("type", "time", "kind", "route", "listener", "client", "client_port",
        "endpoint", "duration", "bytes_from_client", "bytes_to_client", "frames", "closed_by", "idle_timeout",
        "request_id");
    assertRecentTime(tunnel);
    assertThat(tunnel.get("kind").asText()).isEqualTo("websocket");
    assertThat(tunnel.get("route").asText()).isEqualTo("Ingress e2e/api");
    assertThat(tunnel.get("listener").asText()).isEqualTo("default-http");
    assertThat(tunnel.get("client").asText()).isEqualTo("127.0.0.1");
    assertThat(tunnel.get("client_port").asInt()).isEqualTo(upgrade.get("client_port").asInt());
    assertThat(tunnel.get("endpoint").asText()).isEqualTo("127.0.0.1:" + backend.actualPort());
    assertThat(seconds(tunnel, "duration")).isLessThan(90.0);
    // The client's frames, masked (RFC 6455 §5.2: 2 + 4 bytes of header each): text of 23 bytes,
    // binary of 3, a ping of 6, a close of 5 (code 4001 and "bye")
    assertThat(tunnel.get("bytes_from_client").asLong()).isEqualTo((2 + 4 + 23) + (2 + 4 + 3) + (2 + 4 + 6) + (2 + 4 + 5));
    // The server's, unmasked: the two echoes, the pong, and at least a close frame's code
    assertThat(tunnel.get("bytes_to_client").asLong()).isGreaterThanOrEqualTo((2 + 23) + (2 + 3) + (2 + 6) + (2 + 2));
    assertThat(tunnel.get("frames").isNull()).isTrue();
    // A clean close handshake ends with the server closing the TCP connection (docs/access-log.md)
    assertThat(tunnel.get("closed_by").asText()).isIn("backend", "client");
    assertThat(tunnel.get("idle_timeout").isNull()).isTrue();
  }

  @Test
  void aSilentWebSocketIsClosedByTheRoutesIdleTimeoutAndSaysSo() throws Exception {
    // When the ws client stays silent on a route with proxy-read-timeout: "2"
    Processes.Run ws = Processes.run(Processes.E2E_DIR, List.of("node", "ws-client.js", "idle",
        "ws://127.0.0.1:" + httpPort + "/ws/silent", "idle.example.com"), 90);
    assertThat(ws.exitCode()).as(ws.stdout() + ws.stderr()).isZero();
    // Then its tunnel's line says the idle timeout closed it, and after how many seconds
    JsonNode upgrade = await().atMost(Duration.ofSeconds(10)).until(() -> lineWhere("request", "uri", "/ws/silent"),
        java.util.Objects::nonNull);
    JsonNode tunnel = await().atMost(Duration.ofSeconds(10)).until(
        () -> lineWhere("tunnel", "request_id", upgrade.get("request_id").asText()), java.util.Objects::nonNull);
    assertThat(tunnel.get("route").asText()).isEqualTo("Ingress e2e/idle");
    assertThat(tunnel.get("closed_by").asText()).isEqualTo("idle-timeout");
    assertThat(tunnel.get("idle_timeout").asInt()).isEqualTo(2);
    assertThat(seconds(tunnel, "duration")).isGreaterThanOrEqualTo(2.0);
    assertThat(tunnel.get("bytes_from_client").asLong()).isZero();
    assertThat(tunnel.get("bytes_to_client").asLong()).isZero();
  }

  @Test
  void opensslThroughATcpSslListenerIsATcpTunnelLine() throws Exception {
    // When openssl s_client sends an HTTP request as bytes through the TCP_SSL listener, and the
    // backend answers and closes (Connection: close)
    String request = "GET /through-tcp HTTP/1.1\r\nHost: any.example\r\nConnection: close\r\n\r\n";
    Processes.Run openssl = Processes.run(certs, List.of("sh", "-c", "printf '" + request
        + "' | openssl s_client -quiet -connect 127.0.0.1:" + tunnelPort
        + " -servername tls.example.com -CAfile cert.pem -verify_return_error"), 30);
    assertThat(openssl.stdout()).as(openssl.stderr()).contains("hello");
    // Then the tunnel's line counts the request's bytes (not the TLS records), and the backend closed it
    JsonNode tunnel = await().atMost(Duration.ofSeconds(10)).until(() -> lineWhere("tunnel", "kind", "tcp"),
        java.util.Objects::nonNull);
    assertThat(tunnel.get("route").asText()).isEqualTo("CLBListener e2e/tunnel");
    assertThat(tunnel.get("client").asText()).isEqualTo("127.0.0.1");
    assertThat(tunnel.get("client_port").asInt()).isPositive();
    assertThat(tunnel.get("endpoint").asText()).isEqualTo("127.0.0.1:" + backend.actualPort());
    assertThat(tunnel.get("bytes_from_client").asLong()).isEqualTo(request.length());
    assertThat(tunnel.get("bytes_to_client").asLong()).isEqualTo(openssl.stdout().length());
    assertThat(tunnel.get("closed_by").asText()).isEqualTo("backend");
    assertThat(tunnel.get("request_id").isNull()).isTrue();
    assertThat(tunnel.get("frames").isNull()).isTrue();
  }

  @Test
  void anIngressWithEnableAccessLogFalseWritesNoLine() throws Exception {
    // Given a request to the quiet Ingress, then one to the logged Ingress on the same connection
    Processes.Run run = Processes.curl("-s", "-A", "e2e-quiet", "-H", "Host: health.example.com",
        "http://127.0.0.1:" + httpPort + "/", "--next", "-s", "-A", "e2e-after-quiet", "-H", "Host: api.example.com",
        "http://127.0.0.1:" + httpPort + "/");
    assertThat(run.stdout()).isEqualTo("hello\nhello\n");
    // Then the second is logged, and the first (written before it, on the same connection) is not
    await().atMost(Duration.ofSeconds(10)).until(() -> line("e2e-after-quiet"), java.util.Objects::nonNull);
    assertThat(line("e2e-quiet")).isNull();
  }

  /** An Ingress e2e/{@code name} sending every path of {@code host} to the api Service, and a document separator. */
  private static String ingress(String name, String host, String annotations, String tls) {
    return """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: %s, namespace: e2e, annotations: %s}
        spec:
          ingressClassName: clb
          %s
          rules:
          - host: %s
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
        ---
        """.formatted(name, annotations, tls, host);
  }

  /** The access log line of the request with this user agent, or null. */
  private static JsonNode line(String userAgent) throws Exception {
    return lineWhere("request", "user_agent", userAgent);
  }

  /** The first access log line of this type whose {@code key} has this value, or null. */
  private static JsonNode lineWhere(String type, String key, String value) throws Exception {
    for (String text : jar.logText().split("\n")) {
      if (text.startsWith("{\"type\":")) {
        JsonNode line = JSON.readTree(text);
        if (type.equals(line.path("type").asText()) && value.equals(line.path(key).asText())) {
          return line;
        }
      }
    }
    return null;
  }

  private static List<String> fieldNames(JsonNode line) {
    List<String> names = new java.util.ArrayList<>();
    line.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** A number of seconds with at most milliseconds, as the log writes durations. */
  private static double seconds(JsonNode line, String key) {
    assertThat(line.get(key).isNumber()).as(key + " in " + line).isTrue();
    double seconds = line.get(key).asDouble();
    assertThat(seconds).as(key).isGreaterThanOrEqualTo(0.0);
    assertThat(Math.abs(seconds * 1000 - Math.rint(seconds * 1000))).as(key + " in milliseconds").isLessThan(1e-6);
    return seconds;
  }

  /** The line's time is RFC 3339 in UTC with milliseconds, and within the last minute. */
  private static void assertRecentTime(JsonNode line) {
    String time = line.get("time").asText();
    assertThat(time).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    assertThat(java.time.Instant.parse(time)).isBetween(java.time.Instant.now().minusSeconds(60), java.time.Instant.now());
  }
}
