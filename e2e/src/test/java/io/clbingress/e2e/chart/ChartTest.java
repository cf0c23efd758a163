package io.clbingress.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Helm chart without a cluster: Helm 3 (helm-java, in-process) lints and renders it; each
 * rendered object is checked against the Kubernetes schemas (npm kubernetes-models: types, enums,
 * required fields) and for unknown fields (Fabric8's models); RBAC is exactly what the operator
 * calls; wrong values are refused by values.schema.json naming the key.
 */
public class ChartTest {

  static final Path E2E_DIR = Path.of(System.getProperty("clb.e2e.dir", "."));
  static final Path CHART = E2E_DIR.resolve("../charts/clb-ingress").normalize();
  static final Path DEPLOY = E2E_DIR.resolve("../deploy").normalize();
  static final boolean UPDATE = Boolean.getBoolean("golden.update");

  /** The variants the chart promises: values set on top of the defaults. */
  static final Map<String, Map<String, Object>> VARIANTS = Map.of(
      "default", Map.of(),
      "ha", Map.of("operator.replicaCount", 2, "dataplane.autoscaling.enabled", true),
      "namespaced", Map.of("watchNamespace", "apps"),
      "nodeport", Map.of("service.type", "NodePort", "service.nodePorts.http", 30080, "service.nodePorts.https", 30443),
      "metrics", Map.of("metrics.serviceMonitor.enabled", true, "metrics.prometheusRule.enabled", true,
          "metrics.grafanaDashboard.enabled", true));

  @Test
  void lintIsClean() {
    LintResult lint = new Helm(CHART).lint().strict().call();
    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    assertThat(lint.getMessages()).as("lint messages").isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"default", "ha", "namespaced", "nodeport", "metrics"})
  void variantRendersValidObjects(String variant) throws Exception {
    String yaml = render(VARIANTS.get(variant));
    List<HasMetadata> objects = objects(yaml);
    assertSchemaValid(yaml);
    for (HasMetadata object : objects) {
      if (object.getApiVersion().startsWith("monitoring.coreos.com/")) {
        continue; // no Fabric8 model in this build: checked field by field in the "metrics" case
      }
      assertThat(UnknownFields.of(object)).as("unknown fields of %s %s", object.getKind(),
          object.getMetadata().getName()).isEmpty();
    }
    for (Deployment deployment : ofKind(objects, Deployment.class)) {
      var pod = deployment.getSpec().getTemplate().getSpec();
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      var container = pod.getContainers().get(0);
      assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    }
    Deployment operator = named(objects, Deployment.class, "clb-operator");
    Deployment dataplane = named(objects, Deployment.class, "clb-dataplane");
    assertThat(dataplane.getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe().getHttpGet()
        .getPath()).isEqualTo("/readyz");
    assertThat(dataplane.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
    for (Deployment deployment : List.of(operator, dataplane)) {
      // Every flag the chart passes is one the jar's command line knows, with a value it parses.
      List<String> args = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
      new picocli.CommandLine(new io.clbingress.operator.Main()).parseArgs(args.toArray(String[]::new));
    }
    Service service = named(objects, Service.class, "clb-dataplane");
    switch (variant) {
      case "default" -> {
        assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(service.getSpec().getPorts()).extracting(p -> p.getPort() + "->" + p.getTargetPort().getStrVal())
            .containsExactly("80->http", "443->https");
        assertThat(operator.getSpec().getReplicas()).isEqualTo(1);
        var container = dataplane.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getArgs()).contains("--max-request-line-bytes=16384", "--max-header-bytes=65536");
        assertThat(container.getEnv()).anyMatch(env -> env.getName().equals("JAVA_TOOL_OPTIONS")
            && env.getValue().endsWith(" -Djava.io.tmpdir=/tmp"));
        assertThat(kinds(objects)).contains("PodDisruptionBudget", "IngressClass", "Secret")
            .doesNotContain("HorizontalPodAutoscaler");
      }
      case "ha" -> {
        assertThat(operator.getSpec().getReplicas()).isEqualTo(2);
        assertThat(dataplane.getSpec().getReplicas()).as("replicas are the HPA's").isNull();
        assertThat(kinds(objects)).contains("HorizontalPodAutoscaler", "PodDisruptionBudget");
      }
      case "namespaced" -> {
        assertThat(operator.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
            .contains("--watch-namespace=apps");
        Role watch = named(objects, Role.class, "clb-operator");
        assertThat(watch.getMetadata().getNamespace()).isEqualTo("apps");
        assertThat(grants(watch.getRules())).contains("networking.k8s.io/ingresses:watch");
        assertThat(grants(ofKind(objects, ClusterRole.class).get(0).getRules()))
            .containsExactly("networking.k8s.io/ingressclasses:list", "networking.k8s.io/ingressclasses:watch");
      }
      case "nodeport" -> {
        assertThat(service.getSpec().getType()).isEqualTo("NodePort");
        assertThat(service.getSpec().getPorts()).extracting(p -> p.getNodePort()).containsExactly(30080, 30443);
      }
      case "metrics" -> {
        HasMetadata monitor = objects.stream().filter(o -> o.getKind().equals("ServiceMonitor")).findFirst()
            .orElseThrow();
        String text = Serialization.asYaml(monitor);
        assertThat(text).contains("targetPort: \"admin\"", "path: \"/metrics\"", "app.kubernetes.io/component: \"dataplane\"");
        // the operator's /metrics on its config port (configuration problems), and the rule and dashboard
        // (their content: MonitoringE2ETest)
        assertThat(objects).filteredOn(o -> o.getKind().equals("ServiceMonitor")).extracting(o -> o.getMetadata().getName())
            .containsExactly("clb-dataplane", "clb-operator");
        assertThat(kinds(objects)).contains("PrometheusRule", "ConfigMap");
        assertThat(dataplane.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
            .anyMatch(p -> "admin".equals(p.getName()) && p.getContainerPort() == 9901);
      }
      default -> throw new AssertionError(variant);
    }
  }

  @Test
  void unknownFieldCheckFindsMisspelledFields() {
    // The check the variants rely on can fail: a misspelled field deep in a Deployment is found
    List<HasMetadata> objects = objects("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: x}
        spec:
          selector: {matchLabels: {a: b}}
          template:
            metadata: {labels: {a: b}}
            spec:
              containers: [{name: c, image: i, readinessProbes: {}}]
        """);
    assertThat(UnknownFields.of(objects.get(0))).containsExactly("spec.template.spec.containers.readinessProbes");
  }

  @Test
  void clusterRoleGrantsExactlyWhatTheOperatorCalls() throws Exception {
    List<HasMetadata> objects = objects(render(Map.of()));
    Set<String> cluster = grants(named(objects, ClusterRole.class, "clb-operator").getRules());
    // Informers list+watch; status writes are PUT (update); Events are created; Secrets are only read.
    assertThat(cluster).containsExactlyInAnyOrder(
        "networking.k8s.io/ingressclasses:list", "networking.k8s.io/ingressclasses:watch",
        "networking.k8s.io/ingresses:list", "networking.k8s.io/ingresses:watch",
        "networking.k8s.io/ingresses/status:update",
        "/services:list", "/services:watch",
        "/secrets:get", "/secrets:list", "/secrets:watch",
        "/events:create",
        "discovery.k8s.io/endpointslices:list", "discovery.k8s.io/endpointslices:watch",
        "clb.ingress.io/clblisteners:list", "clb.ingress.io/clblisteners:watch",
        "clb.ingress.io/clblisteners/status:update");
    // Leader election and the published Service's address, in the release namespace only
    assertThat(grants(named(objects, Role.class, "clb-operator-election").getRules())).containsExactlyInAnyOrder(
        "coordination.k8s.io/leases:get", "coordination.k8s.io/leases:create", "coordination.k8s.io/leases:update",
        "/services:get");
  }

  @Test
  void wrongValuesAreRefusedNamingTheKey(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
    // A values file as users write one
    Path values = Files.writeString(dir.resolve("values.yaml"), "service:\n  type: Foo\n");
    assertThatThrownBy(() -> new Helm(CHART).template().withName("clb").withKubeVersion("1.30.0")
        .withValuesFile(values).call()).hasMessageContaining("/service/type")
        .hasMessageContaining("'LoadBalancer', 'NodePort', 'ClusterIP'");
    assertThatThrownBy(() -> render(Map.of("dataplane.replicas", 3))).hasMessageContaining("/dataplane")
        .hasMessageContaining("replicas");
    assertThatThrownBy(() -> render(Map.of("controller.proxyReadTimeout", "2d")))
        .hasMessageContaining("/controller/proxyReadTimeout");
  }

  /**
   * dataplane.seccompProfile becomes the data plane pods' profile (the operator's stays
   * RuntimeDefault); a Localhost profile needs its file's name, and a wrong type is refused naming
   * the key.
   */
  @Test
  void seccompProfileValueIsTheDataPlanePodsOnly(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    // Given the default, then the shipped profile put on the nodes
    Map<String, Object> localhost = Map.of("dataplane.seccompProfile.type", "Localhost",
        "dataplane.seccompProfile.localhostProfile", "clb-ingress-dataplane.json");
    for (Map<String, Object> values : List.of(Map.<String, Object>of(), localhost)) {
      List<HasMetadata> objects = objects(render(values));
      // Then
      var dataplane = named(objects, Deployment.class, "clb-dataplane").getSpec().getTemplate().getSpec()
          .getSecurityContext().getSeccompProfile();
      assertThat(dataplane.getType()).as(values.toString()).isEqualTo(values.isEmpty() ? "RuntimeDefault" : "Localhost");
      assertThat(dataplane.getLocalhostProfile()).as(values.toString())
          .isEqualTo(values.get("dataplane.seccompProfile.localhostProfile"));
      assertThat(named(objects, Deployment.class, "clb-operator").getSpec().getTemplate().getSpec()
          .getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    }
    assertRefused(dir, new String[][] {
        {"dataplane: {seccompProfile: {type: Localhost}}", "/dataplane/seccompProfile"},
        {"dataplane: {seccompProfile: {type: Custom}}", "/dataplane/seccompProfile/type"},
        {"dataplane: {seccompProfile: {type: RuntimeDefault, localhostProfile: x.json}}", "/dataplane/seccompProfile"}});
  }

  /**
   * The client address settings (issue 13): ours, and the ingress-nginx ConfigMap names mapped
   * onto the same flags, ours winning; each rendering's data plane args are parsed by the jar's
   * own command line.
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      defaults                 | config: {}                                                                             | -
      ours                     | config: {trustedProxies: [10.0.0.0/8, '2001:db8::/32'], forwardedForHeader: X-Client-IP, proxyProtocol: true} | --trusted-proxies=10.0.0.0/8,2001:db8::/32 --forwarded-for-header=X-Client-IP --proxy-protocol=true
      nginx forwarded headers  | config: {use-forwarded-headers: 'true', proxy-real-ip-cidr: '10.0.0.0/8, 192.168.0.0/16', forwarded-for-header: X-Real-IP} | --trusted-proxies=10.0.0.0/8,192.168.0.0/16 --forwarded-for-header=X-Real-IP
      nginx default cidr       | config: {use-forwarded-headers: true}                                                  | --trusted-proxies=0.0.0.0/0
      nginx cidr without use   | config: {proxy-real-ip-cidr: 10.0.0.0/8}                                               | -
      nginx proxy protocol     | config: {use-proxy-protocol: 'true'}                                                   | --proxy-protocol=true
      ours win                 | config: {trustedProxies: [172.16.0.0/12], use-forwarded-headers: 'true', proxy-real-ip-cidr: 10.0.0.0/8, forwardedForHeader: X-A, forwarded-for-header: X-B} | --trusted-proxies=172.16.0.0/12 --forwarded-for-header=X-A
      """)
  void clientAddressValuesBecomeDataPlaneFlags(String name, String values, String expected,
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    // When
    List<String> args = dataPlaneArgs(values, dir);
    // Then
    List<String> clientAddress = args.stream().filter(a -> a.startsWith("--trusted-proxies")
        || a.startsWith("--forwarded-for-header") || a.startsWith("--proxy-protocol")).toList();
    assertThat(String.join(" ", clientAddress)).isEqualTo(expected.equals("-") ? "" : expected);
  }

  /**
   * The data plane's args rendered from a values file of {@code values}, checked by the jar's own
   * command line.
   */
  private static List<String> dataPlaneArgs(String values, Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("values.yaml"), values + "\n");
    String yaml = new Helm(CHART).template().withName("clb").withNamespace("clb-system").withKubeVersion("1.30.0")
        .withValuesFile(file).call();
    List<String> args = named(objects(yaml), Deployment.class, "clb-dataplane").getSpec().getTemplate().getSpec()
        .getContainers().get(0).getArgs();
    new picocli.CommandLine(new io.clbingress.operator.Main()).parseArgs(args.toArray(String[]::new));
    return args;
  }

  /**
   * The data plane's args rendered from {@code values} (checked by the jar's command line) that start
   * with one of {@code prefixes} are {@code expected}, space-separated ({@code -}: none).
   */
  private static void assertFlags(String values, Path dir, String expected, String... prefixes) throws Exception {
    List<String> flags = dataPlaneArgs(values, dir).stream()
        .filter(arg -> java.util.Arrays.stream(prefixes).anyMatch(arg::startsWith)).toList();
    assertThat(String.join(" ", flags)).isEqualTo(expected.equals("-") ? "" : expected);
  }

  /** Each values file {@code wrong[0]} is refused by the chart with a message holding {@code wrong[1]}. */
  private static void assertRefused(Path dir, String[][] wrongs) throws IOException {
    for (String[] wrong : wrongs) {
      Path values = Files.writeString(dir.resolve("values.yaml"), wrong[0] + "\n");
      assertThatThrownBy(() -> new Helm(CHART).template().withName("clb").withKubeVersion("1.30.0")
          .withValuesFile(values).call()).as(wrong[0]).hasMessageContaining(wrong[1]);
    }
  }

  /**
   * config.gzip and the ingress-nginx ConfigMap names use-gzip, gzip-min-length, gzip-types and
   * gzip-level become the data plane's --gzip flags (ours win); the command line parses.
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      defaults                 | config: {}                                                                             | -
      ours                     | config: {gzip: {enabled: true, minLength: 0, types: [application/json, text/css], level: 5}} | --gzip=true --gzip-min-length=0 --gzip-types=application/json,text/css --gzip-level=5
      ours enabled only        | config: {gzip: {enabled: true}}                                                        | --gzip=true
      nginx names              | config: {use-gzip: 'true', gzip-min-length: '1000', gzip-types: 'application/json text/css', gzip-level: '6'} | --gzip=true --gzip-min-length=1000 --gzip-types=application/json text/css --gzip-level=6
      nginx names as numbers   | config: {use-gzip: true, gzip-min-length: 1000, gzip-level: 6}                         | --gzip=true --gzip-min-length=1000 --gzip-level=6
      nginx level without use  | config: {gzip-level: '9'}                                                              | --gzip-level=9
      ours win                 | config: {gzip: {enabled: false, minLength: 20, types: ['*'], level: 2}, use-gzip: 'true', gzip-min-length: '1000', gzip-types: text/css, gzip-level: '6'} | --gzip-min-length=20 --gzip-types=* --gzip-level=2
      """)
  void gzipValuesBecomeDataPlaneFlags(String name, String values, String expected,
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    assertThat(flagsStartingWith("--gzip", values, dir)).isEqualTo(expected.equals("-") ? "" : expected);
  }

  /**
   * The data plane args of a rendering with {@code values} that start with {@code prefix}, joined
   * with spaces; the whole command line is parsed by the jar's own first.
   */
  private static String flagsStartingWith(String prefix, String values, Path dir) throws Exception {
    List<String> args = dataPlaneArgs(values, dir);
    new picocli.CommandLine(new io.clbingress.operator.Main()).parseArgs(args.toArray(String[]::new));
    return String.join(" ", args.stream().filter(a -> a.startsWith(prefix)).toList());
  }

  /**
   * config.brotli and the ingress-nginx ConfigMap names enable-brotli, brotli-min-length,
   * brotli-types and brotli-level become the data plane's Brotli flags (ours win), beside gzip's.
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      defaults                 | config: {}                                                                             | -
      ours                     | config: {brotli: {enabled: true, minLength: 0, types: [application/json], level: 11}} | --enable-brotli=true --brotli-min-length=0 --brotli-types=application/json --brotli-level=11
      nginx names              | config: {enable-brotli: 'true', brotli-min-length: '100', brotli-types: 'text/css text/plain', brotli-level: '0'} | --enable-brotli=true --brotli-min-length=100 --brotli-types=text/css text/plain --brotli-level=0
      ours win                 | config: {brotli: {enabled: false, level: 2}, enable-brotli: true, brotli-level: 6}    | --brotli-level=2
      with gzip                | config: {gzip: {enabled: true}, brotli: {enabled: true}}                               | --gzip=true --enable-brotli=true
      """)
  void brotliValuesBecomeDataPlaneFlags(String name, String values, String expected,
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    List<String> args = dataPlaneArgs(values, dir);
    List<String> coding = args.stream().filter(a -> a.startsWith("--gzip") || a.contains("brotli")).toList();
    assertThat(String.join(" ", coding)).isEqualTo(expected.equals("-") ? "" : expected);
    new picocli.CommandLine(new io.clbingress.operator.Main()).parseArgs(args.toArray(String[]::new));
  }

  /**
   * config.accessLog and the ingress-nginx ConfigMap name disable-access-log become the data plane's
   * --access-log (ours wins); the command line parses.
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      defaults                  | config: {}                                                   | -
      ours                      | config: {accessLog: text}                                    | --access-log=text
      ours off                  | config: {accessLog: 'off'}                                   | --access-log=off
      nginx disable             | config: {disable-access-log: 'true'}                         | --access-log=off
      nginx disable as boolean  | config: {disable-access-log: true}                           | --access-log=off
      nginx not disabled        | config: {disable-access-log: 'false'}                        | -
      ours win                  | config: {accessLog: json, disable-access-log: 'true'}        | --access-log=json
      """)
  void accessLogValuesBecomeDataPlaneFlags(String name, String values, String expected,
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    // When
    List<String> accessLog = dataPlaneArgs(values, dir).stream().filter(a -> a.startsWith("--access-log")).toList();
    // Then
    assertThat(String.join(" ", accessLog)).isEqualTo(expected.equals("-") ? "" : expected);
  }

  /**
   * config.otlpEndpoint and traceSampleRatio, and the ingress-nginx ConfigMap names
   * enable-opentelemetry with otlp-collector-host and -port, otel-sampler and otel-sampler-ratio,
   * become the data plane's tracing flags (ours win; ingress-nginx's OTLP/gRPC port 4317 is the
   * collector's OTLP/HTTP port 4318); the command line parses.
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      defaults                 | config: {}                                                                   | -
      ours                     | config: {otlpEndpoint: 'http://otel.observability.svc:4318', traceSampleRatio: 0.25} | --otlp-endpoint=http://otel.observability.svc:4318 --trace-sample-ratio=0.25
      ours ratio 0             | config: {traceSampleRatio: 0}                                                | --trace-sample-ratio=0
      nginx names              | config: {enable-opentelemetry: 'true', otlp-collector-host: otel.svc, otlp-collector-port: '4318', otel-sampler-ratio: '0.5'} | --otlp-endpoint=http://otel.svc:4318 --trace-sample-ratio=0.5
      nginx gRPC port          | config: {enable-opentelemetry: true, otlp-collector-host: otel.svc, otlp-collector-port: 4317} | --otlp-endpoint=http://otel.svc:4318
      nginx other port         | config: {enable-opentelemetry: 'true', otlp-collector-host: otel.svc, otlp-collector-port: 14318} | --otlp-endpoint=http://otel.svc:14318
      nginx host, not enabled  | config: {otlp-collector-host: otel.svc}                                      | -
      nginx AlwaysOn           | config: {otel-sampler: AlwaysOn, otel-sampler-ratio: 0.1}                    | --trace-sample-ratio=1.0
      nginx AlwaysOff          | config: {otel-sampler: AlwaysOff}                                            | --trace-sample-ratio=0.0
      ours win                 | config: {otlpEndpoint: 'https://collector.example:4318/', traceSampleRatio: 1, enable-opentelemetry: 'true', otlp-collector-host: otel.svc, otel-sampler: AlwaysOff} | --otlp-endpoint=https://collector.example:4318/ --trace-sample-ratio=1
      """)
  void tracingValuesBecomeDataPlaneFlags(String name, String values, String expected,
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    assertFlags(values, dir, expected, "--otlp-endpoint", "--trace-sample-ratio");
  }

  @Test
  void wrongClientAddressValuesAreRefusedNamingTheKey(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
    assertRefused(dir, new String[][] {
        {"config: {trustedProxies: [lb.example.com]}", "/config/trustedProxies/0"},
        {"config: {trustedProxies: 10.0.0.0/8}", "/config/trustedProxies"},
        {"config: {use-forwarded-headers: 'yes'}", "/config/use-forwarded-headers"},
        {"config: {forwarded-for-header: 'X Client'}", "/config/forwarded-for-header"},
        {"config: {proxyProtocol: 'true'}", "/config/proxyProtocol"},
        {"config: {use-gzip: 'yes'}", "use-gzip"},
        {"config: {gzip-level: '10'}", "gzip-level"},
        {"config: {gzip: {level: 0}}", "/config/gzip/level"},
        {"config: {gzip: {minLength: -1}}", "/config/gzip/minLength"},
        {"config: {gzip: {types: ['text/html; charset=utf-8']}}", "/config/gzip/types/0"},
        {"config: {gzip: {on: true}}", "/config/gzip"},
        {"config: {enable-brotli: 'on'}", "enable-brotli"},
        {"config: {brotli-level: '12'}", "brotli-level"},
        {"config: {brotli: {level: 12}}", "/config/brotli/level"},
        {"config: {brotli: {types: ['*/*;q=1']}}", "/config/brotli/types/0"},
        {"config: {accessLog: yaml}", "/config/accessLog"},
        {"config: {disable-access-log: 'yes'}", "disable-access-log"},
        {"config: {otlpEndpoint: 'collector:4318'}", "/config/otlpEndpoint"},
        {"config: {traceSampleRatio: 1.5}", "/config/traceSampleRatio"},
        {"config: {enable-opentelemetry: 'yes'}", "enable-opentelemetry"},
        {"config: {otlp-collector-port: 'grpc'}", "otlp-collector-port"},
        {"config: {otel-sampler-ratio: '2'}", "otel-sampler-ratio"},
        {"config: {otel-sampler: ParentBased}", "/config/otel-sampler"}});
  }

  /**
   * The answer of limited requests (issue 13): ours, and the ingress-nginx ConfigMap names
   * limit-req-status-code and limit-conn-status-code mapped onto the same flags, ours winning; each
   * rendering's data plane args are parsed by the jar's own command line.
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      defaults     | config: {}                                                                    | -
      ours         | config: {limitReqStatusCode: 429, limitConnStatusCode: 503}                   | --limit-req-status-code=429 --limit-conn-status-code=503
      nginx names  | config: {limit-req-status-code: '429', limit-conn-status-code: 444}           | --limit-req-status-code=429 --limit-conn-status-code=444
      ours win     | config: {limitConnStatusCode: 599, limit-conn-status-code: '429'}             | --limit-conn-status-code=599
      """)
  void limitStatusValuesBecomeDataPlaneFlags(String name, String values, String expected,
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    assertFlags(values, dir, expected, "--limit-");
  }

  /**
   * Request headers with underscores (issue 13): config.enableUnderscoresInHeaders and the
   * ingress-nginx ConfigMap name enable-underscores-in-headers become --enable-underscores-in-headers;
   * off by default (dropped, as ingress-nginx); wrong values are refused naming the key.
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      defaults            | config: {}                                        | -
      ours                | config: {enableUnderscoresInHeaders: true}        | --enable-underscores-in-headers=true
      nginx name          | config: {enable-underscores-in-headers: 'true'}   | --enable-underscores-in-headers=true
      nginx name as bool  | config: {enable-underscores-in-headers: true}     | --enable-underscores-in-headers=true
      nginx name off      | config: {enable-underscores-in-headers: 'false'}  | -
      """)
  void underscoreValuesBecomeDataPlaneFlags(String name, String values, String expected,
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    assertThat(flagsStartingWith("--enable-underscores", values, dir)).isEqualTo(expected.equals("-") ? "" : expected);
    assertRefused(dir, new String[][] {
        {"config: {enable-underscores-in-headers: 'yes'}", "/config/enable-underscores-in-headers"},
        {"config: {enableUnderscoresInHeaders: 'true'}", "/config/enableUnderscoresInHeaders"}});
  }

  @Test
  void wrongLimitStatusValuesAreRefusedNamingTheKey(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
    assertRefused(dir, new String[][] {
        {"config: {limitReqStatusCode: 399}", "/config/limitReqStatusCode"},
        {"config: {limitConnStatusCode: 600}", "/config/limitConnStatusCode"},
        {"config: {limitConnStatusCode: '429'}", "/config/limitConnStatusCode"},
        {"config: {limit-req-status-code: '200'}", "/config/limit-req-status-code"},
        {"config: {limit-conn-status-code: 600}", "/config/limit-conn-status-code"}});
  }

  @Test
  void chartCrdIsTheShippedOne() throws IOException {
    String crd = "clblisteners.clb.ingress.io.yaml";
    assertThat(Files.readString(CHART.resolve("crds").resolve(crd)))
        .isEqualTo(Files.readString(DEPLOY.resolve("crds").resolve(crd)));
  }

  /**
   * deploy/clb-ingress.yaml is the chart rendered with its defaults for namespace clb-ingress and an
   * existing token Secret (a plain manifest must not carry a token). Rewrite: -Dgolden.update=true.
   */
  @Test
  void deployManifestIsTheRenderedChart() throws Exception {
    String rendered = "# Rendered from charts/clb-ingress (see README: install with plain manifests).\n"
        + new Helm(CHART).template().withName("clb-ingress").withNamespace("clb-ingress").withKubeVersion("1.30.0")
            .set("controlChannel.existingSecret", "clb-ingress-token").call().replace("\r\n", "\n");
    Path file = DEPLOY.resolve("clb-ingress.yaml");
    if (UPDATE) {
      Files.writeString(file, rendered);
    }
    assertThat(Files.readString(file)).isEqualTo(rendered);
  }

  public static String render(Map<String, Object> values) {
    TemplateCommand template = new Helm(CHART).template().withName("clb").withNamespace("clb-system")
        .withKubeVersion("1.30.0");
    values.forEach(template::set);
    return template.call();
  }

  public static List<HasMetadata> objects(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : yaml.split("(?m)^---\\s*$")) {
      if (document.lines().anyMatch(l -> l.startsWith("kind:"))) {
        objects.add(Serialization.unmarshal(document, HasMetadata.class));
      }
    }
    return objects;
  }

  private static void assertSchemaValid(String yaml) throws Exception {
    assumeTrue(Files.isDirectory(E2E_DIR.resolve("node_modules/kubernetes-models")),
        "npm kubernetes-models is needed: run `npm ci` in e2e/ (hack/test.sh does)");
    Process node = new ProcessBuilder("node", "validate-manifests.mjs").directory(E2E_DIR.toFile())
        .redirectErrorStream(true).start();
    node.getOutputStream().write(yaml.getBytes(StandardCharsets.UTF_8));
    node.getOutputStream().close();
    String report = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(node.exitValue()).as(report).isZero();
    assertThat(report).contains("ok Deployment", "ok Service", "ok ClusterRole");
  }

  private static Set<String> grants(List<PolicyRule> rules) {
    Set<String> grants = new TreeSet<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            grants.add(group + "/" + resource + ":" + verb);
          }
        }
      }
    }
    return grants;
  }

  private static List<String> kinds(List<HasMetadata> objects) {
    return objects.stream().map(HasMetadata::getKind).toList();
  }

  private static <T extends HasMetadata> List<T> ofKind(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
    return ofKind(objects, type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }
}
