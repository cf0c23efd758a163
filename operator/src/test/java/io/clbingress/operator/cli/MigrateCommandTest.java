package io.clbingress.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code migrate} over a folder and over the mock API server: the report, JSON, and exit code 3. */
@EnableKubernetesMockClient(crud = true)
class MigrateCommandTest {

  static KubernetesClient client;

  @TempDir
  Path dir;

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

  @Test
  void folderWithAnAuthSettingThatIsNotHonouredExitsWith3() throws Exception {
    Files.writeString(dir.resolve("apps.yaml"), ingressYaml("admin", Map.of(
        "nginx.ingress.kubernetes.io/auth-proxy-set-headers", "auth/extra-headers",
        "nginx.ingress.kubernetes.io/whitelist-source-range", "10.0.0.0/8",
        "nginx.ingress.kubernetes.io/proxy-read-timeout", "3600"))
        + "---\n" + ingressYaml("blog", Map.of(
        "nginx.ingress.kubernetes.io/custom-http-errors", "503",
        "nginx.ingress.kubernetes.io/backend-protocol", "GRPC",
        "nginx.ingress.kubernetes.io/server-snippet", "return 403;")));

    int exit = migrate("--manifests", dir.toString());

    String report = printed.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(report).isEqualTo(MigrateCommand.SECURITY_GAP);
    assertThat(report).contains("Ingress apps/admin", "Ingress apps/blog",
        "nginx.ingress.kubernetes.io/auth-proxy-set-headers: not honoured - SECURITY-RELEVANT",
        "nginx.ingress.kubernetes.io/whitelist-source-range: honoured",
        "nginx.ingress.kubernetes.io/proxy-read-timeout: honoured - accepted: 1–3600 s",
        "nginx.ingress.kubernetes.io/custom-http-errors: not honoured - needs default-backend on the same Ingress",
        "nginx.ingress.kubernetes.io/backend-protocol: invalid - \"GRPC\" is not one of HTTP, HTTPS",
        "nginx.ingress.kubernetes.io/server-snippet: not honoured - never executed",
        "2 Ingresses: 2 annotations honoured, 1 invalid here, 3 not honoured (1 security-relevant)");
  }

  @Test
  void folderWithoutSecurityGapExitsWith0() throws Exception {
    Files.writeString(dir.resolve("apps.yaml"), ingressYaml("blog", Map.of(
        "nginx.ingress.kubernetes.io/ssl-redirect", "false", "nginx.ingress.kubernetes.io/use-regex", "true")));
    assertThat(migrate("--manifests", dir.toString())).isZero();
  }

  @Test
  void backendTlsAnnotationsSayWhatTlsToTheBackendDoes() throws Exception {
    Files.writeString(dir.resolve("apps.yaml"), ingressYaml("kibana", Map.of(
        "nginx.ingress.kubernetes.io/backend-protocol", "HTTPS", "nginx.ingress.kubernetes.io/proxy-ssl-verify", "off")));

    assertThat(migrate("--manifests", dir.toString())).isZero();
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("nginx.ingress.kubernetes.io/proxy-ssl-verify: not"
        + " honoured - TLS to the backend (backend-protocol HTTPS) neither verifies the backend's certificate nor sends"
        + " a client certificate");
  }

  @Test
  void clusterReportAsJsonForOneNamespace() throws Exception {
    client.network().v1().ingresses().inNamespace("shop").resource(ingress("shop", "cart",
        Map.of("nginx.ingress.kubernetes.io/auth-proxy-set-headers", "shop/auth-headers"))).create();
    client.network().v1().ingresses().inNamespace("other").resource(ingress("other", "quiet",
        Map.of("nginx.ingress.kubernetes.io/limit-rps", "5"))).create();
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: mock, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
        users: [{name: test, user: {token: test}}]
        contexts: [{name: test, context: {cluster: mock, user: test}}]
        current-context: test
        """.formatted(client.getConfiguration().getMasterUrl()));

    int exit = migrate("--kubeconfig", kubeconfig.toString(), "--namespace", "shop", "-o", "json");

    JsonNode report = new ObjectMapper().readTree(printed.toString(StandardCharsets.UTF_8));
    assertThat(exit).isEqualTo(MigrateCommand.SECURITY_GAP);
    assertThat(report).hasSize(1);
    assertThat(report.get(0).get("ingress").asText()).isEqualTo("shop/cart");
    JsonNode annotation = report.get(0).get("annotations").get(0);
    assertThat(annotation.get("name").asText()).isEqualTo("nginx.ingress.kubernetes.io/auth-proxy-set-headers");
    assertThat(annotation.get("value").asText()).isEqualTo("shop/auth-headers");
    assertThat(annotation.get("verdict").asText()).isEqualTo("not-honoured");
    assertThat(annotation.get("securityRelevant").asBoolean()).isTrue();
  }

  @Test
  void unknownOutputFormatIsAUsageError() {
    assertThat(migrate("--manifests", dir.toString(), "-o", "yaml")).isEqualTo(CommandLine.ExitCode.USAGE);
  }

  private int migrate(String... args) {
    return new CommandLine(new MigrateCommand(new PrintStream(printed, true, StandardCharsets.UTF_8))).execute(args);
  }

  private static String ingressYaml(String name, Map<String, String> annotations) {
    StringBuilder yaml = new StringBuilder("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " + name
        + "\n  namespace: apps\n  annotations:\n");
    annotations.forEach((key, value) -> yaml.append("    ").append(key).append(": \"").append(value).append("\"\n"));
    return yaml.append("spec:\n  ingressClassName: nginx\n  rules:\n  - host: ").append(name)
        .append(".example.com\n    http:\n      paths: [{path: /, pathType: Prefix, backend: {service: {name: web,"
            + " port: {number: 80}}}}]\n").toString();
  }

  private static Ingress ingress(String namespace, String name, Map<String, String> annotations) {
    return new IngressBuilder().withNewMetadata().withName(name).withNamespace(namespace).withAnnotations(annotations)
        .endMetadata().withNewSpec().withIngressClassName("nginx").addNewRule().withHost(name + ".example.com")
        .withNewHttp().addNewPath().withPath("/").withPathType("Prefix").withNewBackend().withNewService()
        .withName("web").withNewPort().withNumber(80).endPort().endService().endBackend().endPath().endHttp()
        .endRule().endSpec().build();
  }
}
