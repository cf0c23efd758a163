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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gzip and Brotli as users switch them on: the built jar in standalone mode with {@code --gzip} and
 * {@code --enable-brotli} (the default listeners) and a CLBListener with {@code spec.defaults.gzip},
 * checked with curl (built with brotli): {@code --compressed} gives the backend's body back, and
 * the bytes on the wire are fewer.
 */
class GzipE2ETest {

  @TempDir
  static Path manifests;
  @TempDir
  static Path out;
  static Vertx vertx;
  static HttpServer backend;
  static JarProcess jar;
  static int httpPort;
  static int listenerPort;
  static String body;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isRegularFile(JarProcess.JAR), "the jar is built by the operator module first: " + JarProcess.JAR);
    assumeTrue(Processes.available("curl"), "curl is not installed (.ci/run installs it)");
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < 2000; i++) {
      json.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"name\":\"item ").append(i)
          .append("\",\"tags\":[\"blue\",\"green\"]}");
    }
    body = json.append("]\n").toString();
    vertx = Vertx.vertx();
    backend = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(request -> request.response().putHeader("content-type", "application/json").end(body))
        .listen().await();
    httpPort = Processes.freePort();
    listenerPort = Processes.freePort();
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
        apiVersion: clb.ingress.io/v1alpha1
        kind: CLBListener
        metadata: {name: compressed, namespace: e2e}
        spec:
          port: %d
          protocol: HTTP
          defaults:
            gzip: {enabled: true, minLength: 1000, types: [application/json]}
          rules:
          - {path: /, backend: {service: {name: api, port: {number: 80}}}}
        """.formatted(backend.actualPort(), listenerPort));
    int adminPort = Processes.freePort();
    jar = JarProcess.start("gzip", "standalone", "--manifests", manifests.toString(),
        "--http-port", String.valueOf(httpPort), "--https-port", String.valueOf(Processes.freePort()),
        "--admin-port", String.valueOf(adminPort), "--bind-address", "127.0.0.1", "--drain-seconds", "1",
        "--gzip", "--gzip-types", "application/json text/css", "--gzip-level", "6",
        "--enable-brotli", "--brotli-types", "application/json", "--brotli-level", "5");
    Processes.awaitReady(adminPort);
    await().atMost(Duration.ofSeconds(10)).until(() -> "200".equals(Processes.status(
        "http://127.0.0.1:" + listenerPort + "/")));
  }

  @AfterAll
  static void stop() throws Exception {
    JarProcess.closeAll(vertx, jar);
  }

  /** curl --compressed asks for deflate, gzip, br (and zstd): Brotli on the default listener. */
  @Test
  void curlCompressedGetsTheBackendsBodyInFewerBytesOnTheDefaultListener() throws Exception {
    assertCompressed("http://127.0.0.1:" + httpPort + "/items", "api.example.com", "br");
  }

  @Test
  void aClientThatTakesOnlyGzipGetsGzipOnTheDefaultListener() throws Exception {
    assertCompressed("http://127.0.0.1:" + httpPort + "/items", "api.example.com", "gzip",
        "-H", "Accept-Encoding: gzip");
  }

  /** A CLBListener's spec.defaults.gzip has no Brotli: gzip there. */
  @Test
  void curlCompressedGetsTheBackendsBodyInFewerBytesOnACLBListenerWithDefaultsGzip() throws Exception {
    assertCompressed("http://127.0.0.1:" + listenerPort + "/items", "compressed.example.com", "gzip");
  }

  @Test
  void curlWithoutCompressedGetsTheBodyAsItIs() throws Exception {
    Processes.Run run = Processes.curl("-s", "-D", "-", "-o", out.resolve("plain.json").toString(),
        "-H", "Host: api.example.com", "http://127.0.0.1:" + httpPort + "/items");
    assertThat(run.stdout().toLowerCase()).contains("content-length: " + body.length(), "vary: accept-encoding")
        .doesNotContain("content-encoding");
    assertThat(Files.readString(out.resolve("plain.json"))).isEqualTo(body);
  }

  private static void assertCompressed(String url, String host, String coding, String... more) throws Exception {
    // curl --compressed asks for the encodings it can decode and decodes the answer
    Path decoded = out.resolve("decoded.json");
    List<String> args = new ArrayList<>(List.of("-s", "--compressed", "-D", "-", "-o", decoded.toString(),
        "-w", "size_download=%{size_download}\n", "-H", "Host: " + host));
    args.addAll(List.of(more));
    args.add(url);
    Processes.Run run = Processes.curl(args.toArray(String[]::new));
    String headers = run.stdout().toLowerCase();
    assertThat(headers).as(run.stderr()).startsWith("http/1.1 200").contains("content-encoding: " + coding,
        "transfer-encoding: chunked", "vary: accept-encoding");
    assertThat(Files.readString(decoded)).isEqualTo(body);
    long onTheWire = Long.parseLong(headers.replaceAll("(?s).*size_download=(\\d+).*", "$1"));
    assertThat(onTheWire).as("compressed bytes received").isPositive().isLessThan(body.length() / 5);
  }
}
