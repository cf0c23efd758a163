package io.clbingress.operator.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.Timeouts;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SPEC §7's precedence of a setting, every level against every other: CLBListener rule > Ingress
 * annotation > CLBListener {@code spec.defaults} > controller flag > built-in. Each level sets its
 * own read and connect timeouts (rule 400/40, annotation 300/30, listener 200/20, flag 100/10;
 * built-in 60/5), and the route for /x on the listener must carry the highest level that is set,
 * field by field. The rule, when present, claims /x itself (and so wins over the bound Ingress).
 */
class TimeoutPrecedenceTest {

  @ParameterizedTest(name = "rule={0} annotation={1} listener={2} flag={3} -> read {4} s, connect {5} s")
  @CsvSource({
      // rule, annotation, listener defaults, flag -> read, connect
      "false, false, false, false,  60,  5",
      "false, false, false, true,  100, 10",
      "false, false, true,  false, 200, 20",
      "false, false, true,  true,  200, 20",
      "false, true,  false, false, 300, 30",
      "false, true,  false, true,  300, 30",
      "false, true,  true,  false, 300, 30",
      "false, true,  true,  true,  300, 30",
      "true,  false, false, false, 400, 40",
      "true,  false, false, true,  400, 40",
      "true,  false, true,  false, 400, 40",
      "true,  false, true,  true,  400, 40",
      "true,  true,  false, false, 400, 40",
      "true,  true,  false, true,  400, 40",
      "true,  true,  true,  false, 400, 40",
      "true,  true,  true,  true,  400, 40",
  })
  void highestLevelSetWins(boolean rule, boolean annotation, boolean listenerDefaults, boolean flag, long read,
      long connect) {
    Settings settings = Settings.defaults().withStaticEndpoints(true);
    if (flag) {
      settings = new Settings(settings.ingressClass(), Timeouts.ofSeconds(100, 60, 10), true, null);
    }
    String ruleFields = rule ? "proxyReadTimeout: 400s, proxyConnectTimeout: 40s" : null;
    Translation translation = Translator.translate(Fixtures.fromYaml(yaml(ruleFields, annotation, listenerDefaults)),
        settings, Map.of(), Fixtures.TRANSLATED_AT);

    // The Ingress's /x yields to the listener's own rule, and says so
    assertThat(translation.problems()).hasSize(rule ? 1 : 0);
    translation.problems().forEach(p -> assertThat(p.reason()).contains("already served by a rule of CLBListener apps/edge"));
    Route route = routeForX(translation);
    assertThat(route.timeouts().readMillis()).isEqualTo(read * 1000);
    assertThat(route.timeouts().connectMillis()).isEqualTo(connect * 1000);
    assertThat(route.source()).isEqualTo(rule ? "CLBListener apps/edge" : "Ingress apps/app");
  }

  @ParameterizedTest(name = "rule read only: read {0}, connect from the next level down")
  @CsvSource({"true, 20", "false, 5"})
  void eachFieldFallsThroughOnItsOwn(boolean listenerDefaults, long connect) {
    // A rule that sets only the read timeout: connect comes from the listener's defaults, or built-in
    String yaml = yaml("proxyReadTimeout: 400s", false, listenerDefaults);
    Route route = routeForX(Translator.translate(Fixtures.fromYaml(yaml), Settings.defaults().withStaticEndpoints(true),
        Map.of(), Fixtures.TRANSLATED_AT));
    assertThat(route.timeouts().readMillis()).isEqualTo(400_000);
    assertThat(route.timeouts().connectMillis()).isEqualTo(connect * 1000);
  }

  private static Route routeForX(Translation translation) {
    Listener edge = translation.table().listeners().stream().filter(l -> l.name().equals("apps/edge")).findFirst()
        .orElseThrow();
    return edge.virtualHosts().stream().flatMap(v -> v.routes().stream())
        .filter(r -> r.match().path().equals("/x")).findFirst().orElseThrow();
  }

  /** @param ruleFields the fields of a listener rule for /x; null for no rule */
  private static String yaml(String ruleFields, boolean annotation, boolean listenerDefaults) {
    String defaults = listenerDefaults ? "\n  defaults: {proxyReadTimeout: 200s, proxyConnectTimeout: 20s}" : "";
    String annotations = "clb.ingress.io/listener: edge"
        + (annotation ? ", clb.ingress.io/proxy-read-timeout: \"300\", clb.ingress.io/proxy-connect-timeout: \"30\"" : "");
    return """
        apiVersion: clb.ingress.io/v1alpha1
        kind: CLBListener
        metadata: {name: edge, namespace: apps, creationTimestamp: "2025-01-01T00:00:00Z"}
        spec:
          port: 8081
          protocol: HTTP%s
        %s---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: app
          namespace: apps
          creationTimestamp: "2025-02-01T00:00:00Z"
          annotations: {%s}
        spec:
          ingressClassName: clb
          rules:
          - http:
              paths: [{path: /x, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: apps, annotations: {clb.ingress.io/static-endpoints: "127.0.0.1:9000"}}
        spec: {ports: [{port: 80}]}
        """.formatted(defaults, ruleFields == null ? "" : rule(ruleFields), annotations);
  }

  /** The listener's rules with one rule for /x carrying these fields (YAML under spec). */
  private static String rule(String fields) {
    return "  rules:\n  - {path: /x, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}, "
        + fields + "}\n";
  }
}
