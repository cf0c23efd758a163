package io.clbingress.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clbingress.e2e.chart.ChartTest;
import io.clbingress.e2e.chart.PromQlNames;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's PrometheusRule and Grafana dashboard (metrics.prometheusRule.enabled,
 * metrics.grafanaDashboard.enabled) against what the data plane really exports: both are rendered
 * by Helm (helm-java), their structure checked, every PromQL expression parsed by promtool (the
 * Prometheus project's own parser; Debian's {@code prometheus} package, which .ci/run installs)
 * and its metric names ({@link PromQlNames}) found in the /metrics of the built jar, run
 * standalone, after real traffic: curl over HTTP and HTTPS, a failed backend, a WebSocket opened
 * and closed, an Ingress with a wrong annotation.
 */
class MonitoringE2ETest {

  /** Series Prometheus makes itself for every target, not exported by anyone. */
  static final Set<String> FROM_PROMETHEUS = Set.of("up");
  static final Map<String, Object> VALUES = Map.of("metrics.prometheusRule.enabled", true,
      "metrics.grafanaDashboard.enabled", true, "metrics.prometheusRule.alertLabels.team", "edge");

  @TempDir
  static Path manifests;
  @TempDir
  static Path work;
  static Vertx vertx;
  static HttpServer backend;
  static JarProcess jar;
  static int httpPort;
  static int httpsPort;
  static int adminPort;
  static Map<String, Object> rule;
  static Map<String, Object> dashboard;

  @BeforeAll
  static void render() {
    List<Map<String, Object>> objects = new ArrayList<>();
    for (String document : ChartTest.render(VALUES).split("(?m)^---\\s*$")) {
      if (document.lines().anyMatch(l -> l.startsWith("kind:"))) {
        objects.add(Serialization.unmarshal(document, Map.class));
      }
    }
    rule = objects.stream().filter(o -> "PrometheusRule".equals(o.get("kind"))).findFirst().orElseThrow();
    Map<String, Object> configMap = objects.stream().filter(o -> "ConfigMap".equals(o.get("kind"))
        && map(map(o, "metadata"), "labels").containsKey("grafana_dashboard")).findFirst().orElseThrow();
    assertThat(map(map(configMap, "metadata"), "labels")).containsEntry("grafana_dashboard", "1");
    String json = (String) map(configMap, "data").get("clb-ingress.json");
    dashboard = Serialization.unmarshal(json, Map.class);
  }

  @AfterAll
  static void stop() throws Exception {
    JarProcess.closeAll(vertx, jar);
  }

  @Test
  void chartObjectsAreOffByDefault() {
    assertThat(ChartTest.render(Map.of())).doesNotContain("kind: PrometheusRule", "grafana_dashboard");
  }

  /** groups, alert, expr, for, labels (severity and the extra alert labels), annotations: each alert complete. */
  @Test
  void ruleHasTheStructurePrometheusOperatorExpects() {
    assertThat(rule.get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
    List<Map<String, Object>> groups = list(map(rule, "spec"), "groups");
    assertThat(groups).hasSize(1);
    assertThat(groups.get(0)).containsOnlyKeys("name", "rules");
    Set<String> alerts = new TreeSet<>();
    for (Map<String, Object> alert : list(groups.get(0), "rules")) {
      assertThat(alert).containsKeys("alert", "expr", "labels", "annotations");
      assertThat(alert.keySet()).isSubsetOf("alert", "expr", "for", "labels", "annotations");
      assertThat((String) alert.get("alert")).matches("Clb[A-Z][A-Za-z0-9]+");
      assertThat((String) alert.get("expr")).isNotBlank();
      if (alert.containsKey("for")) {
        assertThat((String) alert.get("for")).matches("[0-9]+[smh]");
      }
      assertThat(map(alert, "labels")).containsEntry("team", "edge").containsKey("severity");
      assertThat((String) map(alert, "labels").get("severity")).isIn("warning", "critical");
      assertThat(map(alert, "annotations")).containsOnlyKeys("summary", "description");
      alerts.add((String) alert.get("alert"));
    }
    assertThat(alerts).containsExactlyInAnyOrder("ClbRouteHigh5xxRatio", "ClbUpstreamErrors", "ClbNoHealthyEndpoint",
        "ClbConfigProblems", "ClbRoutingTableRejected", "ClbDataPlaneNotReady", "ClbDataPlaneDown",
        "ClbCertificateExpiringSoon", "ClbFileDescriptorsNearLimit");
    // The thresholds of values.yaml are in the expressions
    assertThat(expressions(rule)).anyMatch(e -> e.contains("> 0.05")).anyMatch(e -> e.contains("< 14 * 86400"))
        .allMatch(e -> e.contains("namespace=\"clb-system\""));
  }

  /** Panels in the grid, each reading the Prometheus data source of the dashboard's variable. */
  @Test
  void dashboardHasPanelsForEachConcern() {
    assertThat(dashboard.get("uid")).isEqualTo("clb-ingress");
    List<String> titles = new ArrayList<>();
    for (Map<String, Object> panel : list(dashboard, "panels")) {
      Map<String, Object> grid = map(panel, "gridPos");
      assertThat((Integer) grid.get("x") + (Integer) grid.get("w")).as((String) panel.get("title")).isLessThanOrEqualTo(24);
      if (!panel.get("type").equals("row")) {
        assertThat(map(panel, "datasource").get("uid")).isEqualTo("${datasource}");
        assertThat(list(panel, "targets")).isNotEmpty();
        titles.add((String) panel.get("title"));
      }
    }
    assertThat(titles).contains("Requests by status class", "Request latency", "Open tunnels", "Tunnel lifetimes",
        "Upstream errors by route", "5xx ratio by route", "Routing table version", "Connections per listener",
        "Certificate expiry");
  }

  /** promtool parses every expression of the rule, and of the dashboard as recording rules. */
  @Test
  void promtoolChecksTheRuleAndTheDashboardsExpressions() throws Exception {
    assumeTrue(Processes.available("promtool"), "promtool is not installed (Debian's prometheus package; .ci/run installs it)");
    Path rules = work.resolve("rules.yaml");
    Files.writeString(rules, Serialization.asYaml(Map.of("groups", list(map(rule, "spec"), "groups"))));
    Processes.Run checked = Processes.run(work, List.of("promtool", "check", "rules", rules.toString()), 60);
    assertThat(checked.exitCode()).as(checked.stdout() + checked.stderr()).isZero();
    assertThat(checked.stdout()).contains("SUCCESS: 9 rules found");

    List<Map<String, Object>> recorded = new ArrayList<>();
    List<String> panelExpressions = expressions(dashboard);
    for (int i = 0; i < panelExpressions.size(); i++) {
      recorded.add(Map.of("record", "clb_dashboard:expr_" + i, "expr", grafanaFree(panelExpressions.get(i))));
    }
    Path panels = work.resolve("dashboard-rules.yaml");
    Files.writeString(panels, Serialization.asYaml(Map.of("groups", List.of(Map.of("name", "dashboard", "rules", recorded)))));
    Processes.Run dashboardChecked = Processes.run(work, List.of("promtool", "check", "rules", panels.toString()), 60);
    assertThat(dashboardChecked.exitCode()).as(dashboardChecked.stdout() + dashboardChecked.stderr()).isZero();
  }

  /**
   * promtool's rule unit tests: series as a data plane exports them make the alerts fire, with
   * their labels and rendered annotations (a 5xx ratio of 50 %, a route without a healthy
   * endpoint, a certificate expiring in 22 h), and a quiet route raises nothing.
   */
  @Test
  void promtoolUnitTestsFireTheAlertsOnDataPlaneSeries() throws Exception {
    assumeTrue(Processes.available("promtool"), "promtool is not installed (Debian's prometheus package; .ci/run installs it)");
    Files.writeString(work.resolve("unit-rules.yaml"), Serialization.asYaml(Map.of("groups", list(map(rule, "spec"), "groups"))));
    Path tests = work.resolve("unit-tests.yaml");
    Files.writeString(tests, """
        rule_files: [unit-rules.yaml]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              - series: 'clb_requests_total{namespace="clb-system",pod="p",route="Ingress a/b",code="5xx"}'
                values: '0+60x30'
              - series: 'clb_requests_total{namespace="clb-system",pod="p",route="Ingress a/b",code="2xx"}'
                values: '0+60x30'
              - series: 'clb_requests_total{namespace="clb-system",pod="p",route="Ingress a/quiet",code="5xx"}'
                values: '0+1x30'
              - series: 'clb_endpoints_healthy{namespace="clb-system",pod="p",route="Ingress a/c"}'
                values: '0x30'
              - series: 'clb_endpoints_healthy{namespace="clb-system",pod="p",route="Ingress a/b"}'
                values: '2x30'
              - series: 'clb_certificate_expiry_timestamp_seconds{namespace="clb-system",pod="p",certificate="a/tls"}'
                values: '86400x200'
            alert_rule_test:
              - eval_time: 15m
                alertname: ClbRouteHigh5xxRatio
                exp_alerts:
                  - exp_labels: {namespace: clb-system, route: Ingress a/b, severity: warning, team: edge}
                    exp_annotations:
                      summary: 'Ingress a/b: 50% of answers are 5xx'
                      description: 'More than 0.05 of the answers of the route were 5xx over 5m (errors of the backends and of the proxy: 502 no connection, 503 no endpoint, 504 timeout).'
              - eval_time: 15m
                alertname: ClbNoHealthyEndpoint
                exp_alerts:
                  - exp_labels: {namespace: clb-system, route: Ingress a/c, severity: critical, team: edge}
                    exp_annotations:
                      summary: 'Ingress a/c has no healthy endpoint'
                      description: "Every endpoint of the route's Services is down (active health check, or ejected after failures), or it has none: its requests get 503, or are sent to unhealthy endpoints (panic mode)."
              - eval_time: 2h
                alertname: ClbCertificateExpiringSoon
                exp_alerts:
                  - exp_labels: {namespace: clb-system, certificate: a/tls, severity: warning, team: edge}
                    exp_annotations:
                      summary: 'a/tls expires in 22h 0m 0s'
                      description: 'A certificate of the routing table (its Secret) expires in less than 14 days; renew the Secret (cert-manager?).'
              - eval_time: 15m
                alertname: ClbUpstreamErrors
                exp_alerts: []
        """);
    Processes.Run run = Processes.run(work, List.of("promtool", "test", "rules", tests.toString()), 60);
    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
  }

  /** Every metric the rule and the dashboard read is exported by a real data plane after real traffic. */
  @Test
  void everyMetricTheyReadIsExportedByARealDataPlane() throws Exception {
    String scrape = scrapeAfterTraffic();
    Set<String> exported = new TreeSet<>();
    scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).forEach(l -> exported.add(l.split("[{ ]", 2)[0]));
    Map<String, Set<String>> used = new LinkedHashMap<>();
    for (String expr : expressions(rule)) {
      used.put("rule: " + expr, PromQlNames.of(expr));
    }
    for (String expr : expressions(dashboard)) {
      used.put("dashboard: " + expr, PromQlNames.of(grafanaFree(expr)));
    }
    for (Map<String, Object> variable : list(map(dashboard, "templating"), "list")) {
      String query = variable.get("query") instanceof Map<?, ?> q ? (String) q.get("query") : "";
      if (query.startsWith("label_values(")) {
        // label_values(metric{...}, label): the metric of a variable's query
        used.put("variable: " + query, PromQlNames.of(query.substring("label_values(".length(), query.lastIndexOf(','))));
      }
    }
    Set<String> all = new TreeSet<>();
    used.forEach((where, names) -> {
      assertThat(names).as(where).isNotEmpty();
      for (String name : names) {
        if (!FROM_PROMETHEUS.contains(name)) {
          assertThat(exported).as("%s reads %s", where, name).contains(name);
        }
      }
      all.addAll(names);
    });
    assertThat(all).contains("clb_request_duration_seconds_bucket", "clb_tunnel_duration_seconds_bucket",
        "clb_certificate_expiry_timestamp_seconds", "clb_config_problems", "clb_endpoints_healthy",
        "process_files_open_files", "process_files_max_files", "clb_tls_handshake_errors_total");
  }

  @Test
  void tokenizerFindsMetricNamesOnly() {
    assertThat(PromQlNames.of("sum by (namespace, route) (rate(clb_requests_total{namespace=\"x\",code=~\"5..\"}[5m]))"
        + " / on (pod) group_left (node) foo:bar offset 5m > bool 0.05 and histogram_quantile(0.9, sum by (le)"
        + " (rate(x_bucket[5m:1m]))) - time() < 14 * 86400 unless max without (a) (y) > 1e3"))
        .containsExactly("clb_requests_total", "foo:bar", "x_bucket", "y");
  }

  /** The data plane of the built jar, standalone, after curl, a failed backend, a WebSocket and a wrong annotation. */
  private static String scrapeAfterTraffic() throws Exception {
    assumeTrue(Files.isRegularFile(JarProcess.JAR), "the jar is built by the operator module first: " + JarProcess.JAR);
    assumeTrue(Processes.available("curl") && Processes.available("openssl"),
        "curl and openssl are needed (.ci/run installs them)");
    assumeTrue(Processes.available("node") && Files.isDirectory(Processes.E2E_DIR.resolve("node_modules/ws")),
        "node and the npm ws package are needed: run `npm ci` in e2e/ (.ci/run does)");
    vertx = Vertx.vertx();
    backend = EchoBackend.start(vertx, "web");
    Path certs = TlsSecrets.selfSigned("shop.example.com");
    Files.writeString(manifests.resolve("objects.yaml"), TlsSecrets.secret("shop-tls", certs) + """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: e2e, annotations: {clb.ingress.io/static-endpoints: "127.0.0.1:%d"}}
        spec: {ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: gone, namespace: e2e, annotations: {clb.ingress.io/static-endpoints: "127.0.0.1:%d"}}
        spec: {ports: [{port: 80}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: shop, namespace: e2e}
        spec:
          ingressClassName: clb
          tls: [{hosts: [shop.example.com], secretName: shop-tls}]
          rules:
          - host: shop.example.com
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
              - {path: /gone, pathType: Prefix, backend: {service: {name: gone, port: {number: 80}}}}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: chat, namespace: e2e}
        spec:
          ingressClassName: clb
          rules:
          - host: chat.example.com
            http:
              paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: broken, namespace: e2e, annotations: {clb.ingress.io/proxy-read-timeout: "ten minutes"}}
        spec:
          ingressClassName: clb
          rules:
          - host: broken.example.com
            http:
              paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
        """.formatted(backend.actualPort(), Processes.freePort()));
    httpPort = Processes.freePort();
    httpsPort = Processes.freePort();
    adminPort = Processes.freePort();
    jar = JarProcess.start("monitoring", "standalone", "--manifests", manifests.toString(),
        "--http-port", String.valueOf(httpPort), "--https-port", String.valueOf(httpsPort),
        "--admin-port", String.valueOf(adminPort), "--bind-address", "127.0.0.1", "--drain-seconds", "1");
    Processes.awaitReady(adminPort);
    String host = "Host: shop.example.com";
    assertThat(Processes.status("http://127.0.0.1:" + httpPort + "/", host)).isEqualTo("308"); // TLS: to HTTPS
    String resolve = "shop.example.com:" + httpsPort + ":127.0.0.1";
    Processes.Run overTls = Processes.curl("-s", "--cacert", certs.resolve("cert.pem").toString(), "--resolve", resolve,
        "https://shop.example.com:" + httpsPort + "/hello");
    assertThat(overTls.stdout()).contains("backend=web");
    assertThat(Processes.curl("-s", "-o", "/dev/null", "-w", "%{http_code}", "-k", "--resolve", resolve,
        "https://shop.example.com:" + httpsPort + "/gone").stdout()).isEqualTo("502");
    // Plain HTTP to the HTTPS port: a failed handshake
    Processes.curl("-s", "http://127.0.0.1:" + httpsPort + "/");
    // The npm ws client's echo script: text, binary, a ping, then its close
    Processes.Run ws = Processes.run(Processes.E2E_DIR, List.of("node", "ws-client.js", "echo",
        "ws://127.0.0.1:" + httpPort + "/chat", "chat.example.com"), 90);
    assertThat(ws.exitCode()).as(ws.stdout() + ws.stderr()).isZero();
    String metrics = "http://127.0.0.1:" + adminPort + "/metrics";
    await().atMost(Duration.ofSeconds(20)).until(() -> Processes.curl("-s", metrics).stdout()
        .contains("clb_tunnel_duration_seconds_count{kind=\"websocket\",route=\"Ingress e2e/chat\"} 1"));
    String scrape = Processes.curl("-s", metrics).stdout();
    assertThat(scrape).contains("clb_config_problems{object=\"Ingress e2e/broken\"} 1.0",
        "clb_upstream_errors_total{kind=\"connect\",route=\"Ingress e2e/shop\"} 1.0");
    return scrape;
  }

  /** Grafana's variables replaced by values PromQL takes: a window, and label values. */
  private static String grafanaFree(String expr) {
    return expr.replace("$__rate_interval", "5m").replace("$namespace", "clb-system").replace("$route", ".*");
  }

  /** Every {@code expr} in the object, at any depth. */
  @SuppressWarnings("unchecked")
  private static List<String> expressions(Object node) {
    List<String> found = new ArrayList<>();
    if (node instanceof Map<?, ?> map) {
      map.forEach((key, value) -> {
        if ("expr".equals(key) && value instanceof String expr) {
          found.add(expr);
        } else {
          found.addAll(expressions(value));
        }
      });
    } else if (node instanceof List<?> list) {
      list.forEach(item -> found.addAll(expressions(item)));
    }
    return found;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    return (Map<String, Object>) parent.get(key);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
    return (List<Map<String, Object>>) parent.get(key);
  }
}
