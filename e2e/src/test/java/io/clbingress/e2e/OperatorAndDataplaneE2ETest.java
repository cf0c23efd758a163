package io.clbingress.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator and a data plane as separate processes from the built jar, Fabric8's mock API
 * server in CRUD mode as the cluster, real backends, curl and a Vert.x WebSocket as clients. The
 * control channel runs over TLS with a certificate made by openssl.
 */
@EnableKubernetesMockClient(crud = true, https = false)
@TestMethodOrder(MethodOrderer.MethodName.class)
class OperatorAndDataplaneE2ETest {

  static KubernetesClient client;
  @TempDir
  static Path files;
  static Vertx vertx;
  static HttpServer blue;
  static HttpServer green;
  static JarProcess operator;
  static JarProcess dataplane;
  static Path kubeconfig;
  static Path token;
  static int configPort;
  static int httpPort;
  static int adminPort;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isRegularFile(JarProcess.JAR), "the jar is built by the operator module first");
    assumeTrue(Processes.available("curl"), "curl is not installed (.ci/run installs it)");
    vertx = Vertx.vertx();
    blue = EchoBackend.start(vertx, "blue");
    green = EchoBackend.start(vertx, "green");
    client.services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata().withName("web")
        .withNamespace("shop").endMetadata().withNewSpec().addNewPort().withName("http").withPort(80).endPort()
        .endSpec().build()).create();
    client.discovery().v1().endpointSlices().inNamespace("shop").resource(slice(blue.actualPort())).create();
    client.network().v1().ingresses().inNamespace("shop").resource(ingress("web", "/", "60")).create();
    kubeconfig = Processes.kubeconfig(files, client.getMasterUrl().toString());
    token = files.resolve("token");
    Files.writeString(token, "e2e-token\n");
    assumeTrue(Processes.available("openssl"), "openssl is not installed (.ci/run installs it)");
    Processes.Run openssl = Processes.run(files, List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-days", "1", "-subj", "/CN=clb-operator", "-addext", "subjectAltName=IP:127.0.0.1",
        "-keyout", "operator-key.pem", "-out", "operator-cert.pem"), 60);
    assertThat(openssl.exitCode()).as(openssl.stderr()).isZero();
    configPort = Processes.freePort();
    httpPort = Processes.freePort();
    adminPort = Processes.freePort();
    operator = startOperator();
    dataplane = JarProcess.start("dataplane", "dataplane", "--control-plane", "https://127.0.0.1:" + configPort,
        "--control-plane-ca", files.resolve("operator-cert.pem").toString(),
        "--token-file", token.toString(), "--http-port", String.valueOf(httpPort), "--https-port", String.valueOf(Processes.freePort()),
        "--admin-port", String.valueOf(adminPort), "--bind-address", "127.0.0.1", "--drain-seconds", "1");
    Processes.awaitReady(adminPort);
  }

  @AfterAll
  static void stop() throws Exception {
    JarProcess.closeAll(dataplane, operator);
    if (vertx != null) {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void a_trafficFollowsIngressCreateUpdateDelete() throws Exception {
    // Then the Ingress created before start serves
    assertThat(body("/")).contains("backend=blue");
    // When an Ingress is created, Then traffic follows within 2 s
    client.network().v1().ingresses().inNamespace("shop").resource(ingress("api", "/api", "60")).create();
    awaitBody("/api/x", "backend=blue uri=/api/x");
    // When it is updated to another path
    // (an edit, as kubectl does; the operator's status write can land between the edit's read and
    // its write, which is refused with 409: then the edit is made again on the fresh copy, as a
    // kubectl user would)
    editWithRetryOnConflict(() -> client.network().v1().ingresses().inNamespace("shop").withName("api").edit(old -> {
      var changed = ingress("api", "/v2", "60");
      changed.setMetadata(old.getMetadata());
      changed.setStatus(old.getStatus());
      return changed;
    }));
    awaitBody("/v2/x", "uri=/v2/x");
    // When it is deleted, Then its path falls back to the remaining Ingress's "/"
    client.network().v1().ingresses().inNamespace("shop").withName("api").delete();
    await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(100))
        .until(() -> Processes.status(proxy("/only-v2"), "Host: shop.example.com").equals("200")
            && !client.network().v1().ingresses().inNamespace("shop").list().getItems().isEmpty());
  }

  @Test
  void a2_programmedIngressGetsThePublishedAddress() {
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      var status = client.network().v1().ingresses().inNamespace("shop").withName("web").get().getStatus();
      return status != null && status.getLoadBalancer() != null && status.getLoadBalancer().getIngress() != null
          && status.getLoadBalancer().getIngress().stream().anyMatch(i -> "127.0.0.1".equals(i.getIp()));
    });
  }

  @Test
  void b_endpointSliceChangeMovesTraffic() throws Exception {
    // When the endpoints move to the green backend
    client.discovery().v1().endpointSlices().inNamespace("shop").resource(slice(green.actualPort())).update();
    // Then
    awaitBody("/", "backend=green");
  }

  @Test
  void c_badAnnotationLeavesOtherIngressesServing() throws Exception {
    // When another Ingress arrives with an invalid timeout
    client.network().v1().ingresses().inNamespace("shop").resource(ingress("broken", "/broken", "forever")).create();
    await().atMost(Duration.ofSeconds(5)).until(() -> operator.logText().contains("Ingress shop/broken"));
    // Then it is not programmed, a Warning Event names the problem, and the rest serves
    assertThat(operator.logText()).contains("metadata.annotations[clb.ingress.io/proxy-read-timeout]", "\"forever\"");
    await().atMost(Duration.ofSeconds(30)).until(() -> client.v1().events().inNamespace("shop").list().getItems()
        .stream().anyMatch(e -> e.getInvolvedObject().getName().equals("broken") && e.getType().equals("Warning")
            && e.getMessage().contains("proxy-read-timeout")));
    assertThat(body("/broken")).contains("backend=green uri=/broken");
    assertThat(Processes.status(proxy("/"), "Host: shop.example.com")).isEqualTo("200");
  }

  @Test
  void d_operatorAwayKeepsTrafficAndWebSocketsAndItsReturnResyncs() throws Exception {
    // Given an open WebSocket through the data plane
    // (connected from a Vert.x context, as the client expects; see DataPlaneHarness.onContext; the
    // client stays referenced to the end, since Vert.x closes a garbage client's connections)
    io.vertx.core.Promise<WebSocket> connected = io.vertx.core.Promise.promise();
    io.vertx.core.http.WebSocketClient webSockets = vertx.createWebSocketClient();
    vertx.getOrCreateContext().runOnContext(v -> webSockets.connect(new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(httpPort).setURI("/chat").putHeader("host", "shop.example.com"))
        .onComplete(connected));
    WebSocket ws = connected.future().await(20, TimeUnit.SECONDS);
    AtomicBoolean closed = new AtomicBoolean();
    ws.closeHandler(v -> closed.set(true));
    BlockingQueue<String> echoes = new ArrayBlockingQueue<>(8);
    ws.textMessageHandler(echoes::add);
    // When the operator is killed
    operator.close();
    // Then traffic and the WebSocket go on
    assertThat(body("/")).contains("backend=green");
    ws.writeTextMessage("while-away");
    assertThat(echoes.poll(10, TimeUnit.SECONDS)).isEqualTo("while-away");
    // When the cluster changes meanwhile and the operator comes back
    client.discovery().v1().endpointSlices().inNamespace("shop").resource(slice(blue.actualPort())).update();
    operator = startOperator();
    // Then the data plane resyncs (after the operator's start and the client's reconnect backoff)
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> body("/").contains("backend=blue"));
    assertThat(Processes.curl("-s", admin("/config")).stdout()).contains("\"version\"");
    webSockets.close().await(20, TimeUnit.SECONDS);
  }

  @Test
  void e_wrongTokenIsRefused() throws Exception {
    // Given a data plane with a wrong token
    Path wrong = files.resolve("wrong-token");
    Files.writeString(wrong, "not-the-token");
    int otherAdmin = Processes.freePort();
    try (JarProcess intruder = JarProcess.start("intruder", "dataplane", "--control-plane",
        "https://127.0.0.1:" + configPort, "--control-plane-ca", files.resolve("operator-cert.pem").toString(),
        "--token-file", wrong.toString(), "--http-port",
        String.valueOf(Processes.freePort()), "--https-port", String.valueOf(Processes.freePort()), "--admin-port", String.valueOf(otherAdmin), "--bind-address", "127.0.0.1")) {
      // Then it is refused and never becomes ready
      await().atMost(Duration.ofSeconds(30)).until(() -> intruder.logText().contains("401"));
      assertThat(Processes.status("http://127.0.0.1:" + otherAdmin + "/readyz")).isEqualTo("503");
      // The operator's log line may land a moment after the intruder saw its 401
      await().atMost(Duration.ofSeconds(10)).until(() -> operator.logText().contains("wrong or missing bearer token"));
    }
  }

  private static JarProcess startOperator() throws Exception {
    return JarProcess.start("operator", "operator", "--kubeconfig", kubeconfig.toString(),
        "--token-file", token.toString(), "--config-port", String.valueOf(configPort),
        "--config-address", "127.0.0.1", "--publish-address", "127.0.0.1", "--election-namespace", "shop",
        "--config-tls-cert", files.resolve("operator-cert.pem").toString(),
        "--config-tls-key", files.resolve("operator-key.pem").toString());
  }

  /** Traffic follows a change within 2 s (issue #3). */
  private static void awaitBody(String path, String expected) {
    await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).until(() -> body(path).contains(expected));
  }

  private static String body(String path) throws Exception {
    return Processes.curl("-s", "-H", "Host: shop.example.com", proxy(path)).stdout();
  }

  private static String proxy(String path) {
    return "http://127.0.0.1:" + httpPort + path;
  }

  private static String admin(String path) {
    return "http://127.0.0.1:" + adminPort + path;
  }

  private static EndpointSlice slice(int port) {
    return new EndpointSliceBuilder().withNewMetadata().withName("web-1").withNamespace("shop")
        .addToLabels("kubernetes.io/service-name", "web").endMetadata().withAddressType("IPv4")
        .addNewPort().withName("http").withPort(port).endPort()
        .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(true).endConditions().endEndpoint()
        .build();
  }

  private static Ingress ingress(String name, String path, String readTimeout) {
    return new IngressBuilder().withNewMetadata().withName(name).withNamespace("shop")
        .addToAnnotations("clb.ingress.io/proxy-read-timeout", readTimeout).endMetadata()
        .withNewSpec().withIngressClassName("clb").addNewRule().withHost("shop.example.com").withNewHttp().addNewPath()
        .withPath(path).withPathType("Prefix").withNewBackend().withNewService().withName("web").withNewPort()
        .withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule().endSpec().build();
  }

  /** Runs an edit; a 409 (the object changed between its read and its write) is retried, five times at most. */
  private static void editWithRetryOnConflict(Runnable edit) {
    for (int attempt = 1; ; attempt++) {
      try {
        edit.run();
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
  }
}
