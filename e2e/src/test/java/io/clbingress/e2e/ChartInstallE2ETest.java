package io.clbingress.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clbingress.e2e.chart.ChartTest;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart as a cluster would get it, without a cluster: its rendered objects are created in the
 * Fabric8 mock API server (CRUD), and the operator jar is started with the rendered Deployment's
 * arguments and environment (only what a pod provides is substituted: the mounted token file, the
 * downward-API namespace, the kubeconfig, and a free port for the fixed config port).
 */
@EnableKubernetesMockClient(crud = true, https = false)
class ChartInstallE2ETest {

  static KubernetesClient client;
  @TempDir
  static Path files;
  static JarProcess operator;

  @AfterAll
  static void stop() throws Exception {
    JarProcess.closeAll(operator);
  }

  @Test
  void operatorStartsFromTheRenderedDeploymentAndLeads() throws Exception {
    assumeTrue(Files.isRegularFile(JarProcess.JAR), "the jar is built by the operator module first");
    // Given the chart's objects in the API server
    List<HasMetadata> objects = ChartTest.objects(ChartTest.render(Map.of()));
    for (HasMetadata object : objects) {
      client.resource(object).create();
    }
    Deployment deployment = client.apps().deployments().inNamespace("clb-system").withName("clb-operator").get();
    assertThat(deployment).as("the rendered operator Deployment, read back").isNotNull();
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    Secret tokenSecret = client.secrets().inNamespace("clb-system").withName("clb-token").get();
    Path token = Files.write(files.resolve("token"), Base64.getDecoder().decode(tokenSecret.getData().get("token")));
    int configPort = Processes.freePort();
    // When the operator runs with the container's arguments (the mode first) and environment
    List<String> args = new ArrayList<>();
    for (String arg : container.getArgs()) {
      if (arg.startsWith("--token-file=")) {
        args.add("--token-file=" + token);
      } else if (arg.startsWith("--config-port=")) {
        args.add("--config-port=" + configPort);
      } else {
        args.add(arg);
      }
    }
    args.addAll(List.of("--config-address=127.0.0.1", "--kubeconfig",
        Processes.kubeconfig(files, client.getMasterUrl().toString()).toString()));
    Map<String, String> env = new HashMap<>();
    for (EnvVar variable : container.getEnv()) {
      boolean fromNamespace = variable.getValueFrom() != null && variable.getValueFrom().getFieldRef() != null
          && variable.getValueFrom().getFieldRef().getFieldPath().equals("metadata.namespace");
      env.put(variable.getName(), fromNamespace ? "clb-system" : variable.getValue());
    }
    operator = JarProcess.start("chart-operator", env, args);
    // Then its liveness probe's path answers on the config port, and it leads through its Lease
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
        "200".equals(Processes.status("http://127.0.0.1:" + configPort
            + container.getLivenessProbe().getHttpGet().getPath())));
    await().atMost(Duration.ofSeconds(60)).until(() ->
        !client.leases().inNamespace("clb-system").list().getItems().isEmpty());
    assertThat(client.leases().inNamespace("clb-system").list().getItems().get(0).getSpec().getHolderIdentity())
        .isNotBlank();
    assertThat(operator.isAlive()).as(operator.logText()).isTrue();
  }
}
