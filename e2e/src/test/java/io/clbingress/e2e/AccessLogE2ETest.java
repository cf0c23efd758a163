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
 * default, on standard output through the packaged Log4j2 configuration), requests made by curl,
 * and an Ingress with ingress-nginx's {@code enable-access-log: "false"}.
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

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isRegularFile(JarProcess.JAR), "the jar is built by the operator module first: " + JarProcess.JAR);
    assumeTrue(Processes.available("curl"), "curl is not installed (.ci/run installs it)");
    vertx = Vertx.vertx();
    backend = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(request -> {
          requestIds.add(String.valueOf(request.getHeader("x-request-id")));
          request.response().end("hello\n");
        })
        .listen().await();
    httpPort = Processes.freePort();
    Files.writeString(manifests.resolve("app.yaml"), """
        apiVersion: v1
        kind: Service
        metadata:
          name: api
          namespace: e2e
          annotations: {clb.ingress.io/static-endpoints: "127.0.0.1:%d"}
        spec: {ports: [{port: 80}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: api, namespace: e2e}
        spec:
          ingressClassName: clb
          rules:
          - host: api.example.com
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: health
          namespace: e2e
          annotations: {nginx.ingress.kubernetes.io/enable-access-log: "false"}
        spec:
          ingressClassName: clb
          rules:
          - host: health.example.com
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
        """.formatted(backend.actualPort()));
    int adminPort = Processes.freePort();
    jar = JarProcess.start("access-log", "standalone", "--manifests", manifests.toString(),
        "--http-port", String.valueOf(httpPort), "--https-port", String.valueOf(Processes.freePort()),
        "--admin-port", String.valueOf(adminPort), "--bind-address", "127.0.0.1", "--drain-seconds", "1");
    Processes.awaitReady(adminPort);
    await().atMost(Duration.ofSeconds(10)).until(() -> "200".equals(Processes.status(
        "http://127.0.0.1:" + httpPort + "/", "Host: api.example.com")));
  }

  @AfterAll
  static void stop() throws Exception {
    JarProcess.closeAll(vertx, jar);
  }

  @Test
  void curlsRequestIsOneJsonLineOnStandardOutput() throws Exception {
    // When curl asks, with a user agent of its own and no X-Request-ID
    Processes.Run run = Processes.curl("-s", "-A", "e2e-curl/1", "-e", "https://from.example/",
        "-H", "Host: api.example.com", "http://127.0.0.1:" + httpPort + "/hello?name=curl");
    assertThat(run.stdout()).isEqualTo("hello\n");
    // Then its line is there, with the id the backend received
    JsonNode line = await().atMost(Duration.ofSeconds(10)).until(() -> line("e2e-curl/1"), java.util.Objects::nonNull);
    assertThat(line.get("type").asText()).isEqualTo("request");
    assertThat(line.get("method").asText()).isEqualTo("GET");
    assertThat(line.get("uri").asText()).isEqualTo("/hello?name=curl");
    assertThat(line.get("host").asText()).isEqualTo("api.example.com");
    assertThat(line.get("protocol").asText()).isEqualTo("HTTP/1.1");
    assertThat(line.get("status").asInt()).isEqualTo(200);
    assertThat(line.get("bytes_sent").asLong()).isEqualTo(6);
    assertThat(line.get("client").asText()).isEqualTo("127.0.0.1");
    assertThat(line.get("route").asText()).isEqualTo("Ingress e2e/api");
    assertThat(line.get("listener").asText()).isEqualTo("default-http");
    assertThat(line.get("upstream_addr").asText()).isEqualTo("127.0.0.1:" + backend.actualPort());
    assertThat(line.get("referer").asText()).isEqualTo("https://from.example/");
    assertThat(line.get("request_id").asText()).matches("[0-9a-f]{32}");
    assertThat(requestIds).contains(line.get("request_id").asText());
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

  /** The access log line of the request with this user agent, or null. */
  private static JsonNode line(String userAgent) throws Exception {
    for (String text : jar.logText().split("\n")) {
      if (text.startsWith("{\"type\":")) {
        JsonNode line = JSON.readTree(text);
        if (userAgent.equals(line.path("user_agent").asText())) {
          return line;
        }
      }
    }
    return null;
  }
}
