package io.clbingress.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The product as installed by hack/kind-up.sh (the chart, the image) on a real cluster: an
 * Ingress with a timeout annotation and a CLBListener applied as users do, traffic through the
 * data plane's node port, the Ingress's published address, the CLBListener's conditions. Runs only
 * with -Dclb.e2e.cluster=true (hack/kind-e2e.sh): no Docker engine, so no Kind, in CI.
 */
@EnabledIfSystemProperty(named = "clb.e2e.cluster", matches = "true",
    disabledReason = "needs a cluster with the chart installed: run hack/kind-e2e.sh where Docker and Kind exist")
class KindClusterE2ETest {

  static final String NS = "clb-e2e";
  static KubernetesClient client;

  @BeforeAll
  static void connect() {
    String context = System.getProperty("clb.e2e.context", "kind-clb");
    client = new KubernetesClientBuilder().withConfig(Config.autoConfigure(context)).build();
    client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
        .withName(NS).endMetadata().build()).serverSideApply();
    apply("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: echo, namespace: clb-e2e}
        spec:
          selector: {matchLabels: {app: echo}}
          template:
            metadata: {labels: {app: echo}}
            spec:
              containers:
              - name: echo
                image: registry.k8s.io/e2e-test-images/agnhost:2.39
                args: [netexec, --http-port=8080]
                ports: [{containerPort: 8080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: echo, namespace: clb-e2e}
        spec: {selector: {app: echo}, ports: [{port: 80, targetPort: 8080}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: echo
          namespace: clb-e2e
          annotations: {clb.ingress.io/proxy-read-timeout: "3600"}
        spec:
          ingressClassName: clb
          rules:
          - host: echo.kind.test
            http:
              paths: [{path: /, pathType: Prefix, backend: {service: {name: echo, port: {number: 80}}}}]
        ---
        apiVersion: clb.ingress.io/v1alpha1
        kind: CLBListener
        metadata: {name: edge, namespace: clb-e2e}
        spec:
          port: 9090
          protocol: HTTP
          rules:
          - {path: /, backend: {service: {name: echo, port: {number: 80}}}}
        """);
  }

  @AfterAll
  static void cleanUp() {
    if (client != null) {
      client.namespaces().withName(NS).delete();
      client.close();
    }
  }

  @Test
  void ingressServesThroughTheNodePortAndGetsTheAddress() {
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).until(() ->
        Processes.curl("-s", "-H", "Host: echo.kind.test", "http://127.0.0.1:30080/hostname").stdout().startsWith("echo-"));
    await().atMost(Duration.ofMinutes(1)).until(() -> {
      var ingress = client.network().v1().ingresses().inNamespace(NS).withName("echo").get();
      return ingress.getStatus() != null && ingress.getStatus().getLoadBalancer() != null
          && ingress.getStatus().getLoadBalancer().getIngress() != null
          && !ingress.getStatus().getLoadBalancer().getIngress().isEmpty();
    });
  }

  @Test
  void clbListenerIsProgrammedAsKubectlShowsIt() throws Exception {
    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2)).until(() ->
        Processes.run(java.nio.file.Path.of("."), java.util.List.of("kubectl", "--context",
            System.getProperty("clb.e2e.context", "kind-clb"), "get", "clbl", "-n", NS), 30).stdout()
            .matches("(?s).*edge\\s+9090\\s+HTTP\\s+True.*"));
    assertThat(client.resources(io.clbingress.operator.crd.CLBListener.class).inNamespace(NS).withName("edge").get()
        .getStatus().conditions).anyMatch(c -> c.getType().equals("Programmed") && c.getStatus().equals("True"));
  }

  private static void apply(String yaml) {
    client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).serverSideApply();
  }
}
