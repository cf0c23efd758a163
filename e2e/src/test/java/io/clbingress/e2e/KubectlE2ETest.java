package io.clbingress.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users' kubectl against the mock API server (CRUD plus discovery), with the operator and a data
 * plane from the built jar: create the manifests, apply a changed CLBListener, read the printer
 * columns, delete. Traffic follows each step.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class KubectlE2ETest {

  @TempDir
  static Path files;
  static KubernetesMockServer server;
  static Vertx vertx;
  static HttpServer backend;
  static JarProcess operator;
  static JarProcess dataplane;
  static Path kubeconfig;
  static int httpPort;
  static int adminPort;
  static int listenerPort;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isRegularFile(JarProcess.JAR), "the jar is built by the operator module first");
    assumeTrue(Processes.available("kubectl"), "kubectl is not installed on this machine");
    assumeTrue(Processes.available("curl"), "curl is not installed (.ci/run installs it)");
    KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher(List.of());
    crud.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup("clb.ingress.io")
        .withVersion("v1alpha1").withKind("CLBListener").withPlural("clblisteners").withScope("Namespaced")
        .withStatusSubresource(true).build());
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new DiscoveryDispatcher(crud), false);
    server.init();
    vertx = Vertx.vertx();
    backend = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(r -> r.response().end("kubectl-backend uri=" + r.uri() + "\n")).listen().await();
    kubeconfig = Processes.kubeconfig(files, server.url("/").replaceAll("/$", ""));
    Path token = files.resolve("token");
    Files.writeString(token, "kubectl-token");
    int configPort = Processes.freePort();
    httpPort = Processes.freePort();
    adminPort = Processes.freePort();
    listenerPort = Processes.freePort();
    operator = JarProcess.start("operator", "operator", "--kubeconfig", kubeconfig.toString(), "--token-file",
        token.toString(), "--config-port", String.valueOf(configPort), "--config-address", "127.0.0.1");
    dataplane = JarProcess.start("dataplane", "dataplane", "--control-plane", "http://127.0.0.1:" + configPort,
        "--token-file", token.toString(), "--http-port", String.valueOf(httpPort), "--https-port", String.valueOf(Processes.freePort()), "--admin-port",
        String.valueOf(adminPort), "--bind-address", "127.0.0.1", "--drain-seconds", "1");
    Processes.awaitReady(adminPort);
  }

  @AfterAll
  static void stop() throws Exception {
    JarProcess.closeAll(dataplane, operator);
    if (vertx != null) {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.destroy();
    }
  }

  @Test
  void a_kubectlCreateProgramsTheDataPlane() throws Exception {
    // Given the user's manifests
    Path manifests = Files.createDirectories(files.resolve("manifests"));
    Files.writeString(manifests.resolve("app.yaml"), """
        apiVersion: v1
        kind: Service
        metadata: {name: app, namespace: default}
        spec: {ports: [{name: http, port: 80}]}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: app-1, namespace: default, labels: {kubernetes.io/service-name: app}}
        addressType: IPv4
        ports: [{name: http, port: %d}]
        endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: app, namespace: default}
        spec:
          ingressClassName: clb
          rules:
          - host: app.example.com
            http:
              paths: [{path: /, pathType: Prefix, backend: {service: {name: app, port: {number: 80}}}}]
        """.formatted(backend.actualPort()));
    Files.writeString(manifests.resolve("listener.yaml"), listener("/first"));
    // When
    Processes.Run created = kubectl("create", "--validate=false", "-f", manifests.toString());
    // Then
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() ->
        body(httpPort, "app.example.com", "/x").contains("kubectl-backend uri=/x")
            && body(listenerPort, "any", "/first/y").contains("uri=/first/y"));
  }

  @Test
  void b_kubectlApplyOfAChangedListenerIsFollowed() throws Exception {
    // When the listener moves to another port (a scalar: the mock merges arrays on merge patch)
    int oldPort = listenerPort;
    listenerPort = Processes.freePort();
    Path changed = files.resolve("listener-changed.yaml");
    Files.writeString(changed, listener("/first"));
    Processes.Run applied = kubectl("apply", "--validate=false", "-f", changed.toString());
    // Then the new port serves, and the old one closes after the drain period
    assertThat(applied.exitCode()).as(applied.stderr()).isZero();
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() ->
        body(listenerPort, "any", "/first/z").contains("uri=/first/z"));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() ->
        Processes.status("http://127.0.0.1:" + oldPort + "/first/y").equals("000"));
  }

  @Test
  void c_kubectlGetShowsThePrinterColumnsOfTheCrd() throws Exception {
    // Given the columns as the shipped CRD defines them
    String crd = Files.readString(Path.of("../deploy/crds/clblisteners.clb.ingress.io.yaml"));
    String columns = "NAME:.metadata.name,PORT:.spec.port,PROTOCOL:.spec.protocol,PROGRAMMED:"
        + crd.replaceAll("(?s).*jsonPath: \"(\\.status\\.conditions(?:[^\"\\\\]|\\\\.)*)\".*", "$1")
            .replace("\\\"", "\"");
    // When the operator has written the conditions
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
        kubectl("get", "clbl", "-o", "custom-columns=" + columns).stdout().contains("True"));
    // Then
    String table = kubectl("get", "clbl", "-o", "custom-columns=" + columns).stdout();
    assertThat(table).containsPattern("NAME\\s+PORT\\s+PROTOCOL\\s+PROGRAMMED")
        .containsPattern("edge\\s+" + listenerPort + "\\s+HTTP\\s+True");
  }

  @Test
  void d_kubectlDeleteClosesTheListener() throws Exception {
    // When
    Processes.Run deleted = kubectl("delete", "clbl", "edge");
    // Then the listener's port closes after the drain period, the Ingress keeps serving
    assertThat(deleted.exitCode()).as(deleted.stderr()).isZero();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
        .until(() -> Processes.status("http://127.0.0.1:" + listenerPort + "/first/z").equals("000"));
    assertThat(body(httpPort, "app.example.com", "/still")).contains("uri=/still");
  }

  @Test
  void e_plainManifestsOfDeployApplyAsTheReadmeSays() throws Exception {
    // Given the README's steps for plain manifests, run with kubectl
    Path deploy = Path.of(System.getProperty("clb.e2e.dir", ".")).resolve("../deploy").normalize();
    // (imperative `kubectl create namespace/secret` wait on OpenAPI documents the mock does not
    // serve: the same objects are rendered client-side by kubectl and applied)
    Processes.Run namespace = kubectl("create", "namespace", "clb-ingress", "--dry-run=client", "-o", "yaml");
    Processes.Run secret = kubectl("-n", "clb-ingress", "create", "secret", "generic", "clb-ingress-token",
        "--from-literal=token=from-the-readme", "--dry-run=client", "-o", "yaml");
    Path setup = Files.writeString(files.resolve("setup.yaml"), namespace.stdout() + "---\n" + secret.stdout());
    Processes.Run created = kubectl("apply", "--validate=false", "-f", setup.toString());
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    Processes.Run crds = kubectl("apply", "--validate=false", "-f", deploy.resolve("crds").toString());
    assertThat(crds.exitCode()).as(crds.stderr()).isZero();
    Processes.Run applied = kubectl("apply", "--validate=false", "-f", deploy.resolve("clb-ingress.yaml").toString());
    // Then every object is created, as kubectl reports and lists them
    assertThat(applied.exitCode()).as(applied.stderr()).isZero();
    assertThat(applied.stdout()).contains("deployment.apps/clb-ingress-operator created",
        "deployment.apps/clb-ingress-dataplane created", "service/clb-ingress-dataplane created",
        "clusterrole.rbac.authorization.k8s.io/clb-ingress-operator created",
        "ingressclass.networking.k8s.io/clb created");
    assertThat(kubectl("-n", "clb-ingress", "get", "deployments", "-o", "name").stdout())
        .contains("deployment.apps/clb-ingress-operator", "deployment.apps/clb-ingress-dataplane");
  }

  private static String listener(String path) {
    return """
        apiVersion: clb.ingress.io/v1alpha1
        kind: CLBListener
        metadata: {name: edge, namespace: default}
        spec:
          port: %d
          protocol: HTTP
          defaults: {proxyReadTimeout: 900s}
          rules:
          - {path: %s, pathType: Prefix, backend: {service: {name: app, port: {number: 80}}}}
        """.formatted(listenerPort, path);
  }

  private static Processes.Run kubectl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    return Processes.run(files, command, 60);
  }

  private static String body(int port, String host, String path) throws Exception {
    return Processes.curl("-s", "-H", "Host: " + host, "http://127.0.0.1:" + port + path).stdout();
  }
}
