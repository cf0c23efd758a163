package io.clbingress.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to the jar (what Kubernetes sends a pod): /readyz turns 503 at once, an open WebSocket
 * keeps working during the drain period, and the process exits as soon as it has ended.
 */
class GracefulShutdownE2ETest {

  @TempDir
  static Path manifests;
  static Vertx vertx;
  static JarProcess jar;

  @AfterAll
  static void stop() throws Exception {
    JarProcess.closeAll(vertx, jar);
  }

  @Test
  void sigtermDrainsOpenWebSocketsThenExits() throws Exception {
    assumeTrue(Files.isRegularFile(JarProcess.JAR), "the jar is built by the operator module first");
    assumeTrue(Processes.available("curl"), "curl is not installed (.ci/run installs it)");
    vertx = Vertx.vertx();
    HttpServer backend = EchoBackend.start(vertx, "blue");
    Files.writeString(manifests.resolve("app.yaml"), """
        apiVersion: v1
        kind: Service
        metadata: {name: blue, namespace: e2e, annotations: {clb.ingress.io/static-endpoints: "127.0.0.1:%d"}}
        spec: {ports: [{port: 80}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: app, namespace: e2e}
        spec:
          ingressClassName: clb
          rules:
          - http:
              paths: [{path: /, pathType: Prefix, backend: {service: {name: blue, port: {number: 80}}}}]
        """.formatted(backend.actualPort()));
    int httpPort = Processes.freePort();
    int adminPort = Processes.freePort();
    jar = JarProcess.start("graceful", "standalone", "--manifests", manifests.toString(), "--http-port",
        String.valueOf(httpPort), "--https-port", String.valueOf(Processes.freePort()), "--admin-port",
        String.valueOf(adminPort), "--bind-address", "127.0.0.1", "--drain-seconds", "30");
    Processes.awaitReady(adminPort);
    // Given an open WebSocket (its client referenced to the end: Vert.x closes a garbage client's connections)
    WebSocketClient client = vertx.createWebSocketClient();
    Promise<WebSocket> connected = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(httpPort).setURI("/chat")).onComplete(connected));
    WebSocket ws = connected.future().await(20, TimeUnit.SECONDS);
    // (the client may read the 101 a moment before the data plane has registered the tunnel)
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> Processes.curl("-s",
        "http://127.0.0.1:" + adminPort + "/metrics").stdout().lines().anyMatch(l -> l.matches("clb_tunnels_open 1(\\.0)?")));
    // When the process gets SIGTERM
    jar.terminate();
    // Then it reports not ready at once, while the WebSocket still echoes
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
        .until(() -> Processes.status("http://127.0.0.1:" + adminPort + "/readyz").equals("503"));
    Promise<String> echo = Promise.promise();
    ws.textMessageHandler(echo::tryComplete);
    ws.writeTextMessage("during the drain");
    assertThat(echo.future().await(10, TimeUnit.SECONDS)).isEqualTo("during the drain");
    assertThat(jar.isAlive()).isTrue();
    // And once the WebSocket ends, the process exits without waiting out the 30 s drain period
    long closedAt = System.nanoTime();
    ws.close().await(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(15)).until(() -> !jar.isAlive());
    assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isLessThan(Duration.ofSeconds(15));
    assertThat(jar.logText()).contains("stopping: 1 tunnels open", "stopping: 0 tunnels still open are closed");
    client.close().await(10, TimeUnit.SECONDS);
  }
}
