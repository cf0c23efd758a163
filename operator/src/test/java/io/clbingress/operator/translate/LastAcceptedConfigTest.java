package io.clbingress.operator.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.VirtualHost;
import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ObjectRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A broken edit of an Ingress keeps the configuration last accepted for it (SPEC §6). */
class LastAcceptedConfigTest {

  @Test
  void brokenEditKeepsLastAcceptedConfiguration() {
    // Given an accepted Ingress
    Translation first = translate(ingress("chat", "/v1", "30"), Map.of());
    // When it is edited with an invalid timeout and a new path
    Translation second = translate(ingress("chat", "/v2", "30x"), first.accepted());
    // Then the old path and timeout stay, and the problem names the annotation
    assertThat(routes(second)).containsExactly("/v1 30000");
    assertThat(second.problems()).singleElement().satisfies(p -> {
      assertThat(p.object().toString()).isEqualTo("Ingress default/chat");
      assertThat(p.field()).isEqualTo("metadata.annotations[clb.ingress.io/proxy-read-timeout]");
      assertThat(p.reason()).contains("\"30x\"");
    });
    // And a valid edit after that is taken
    Translation third = translate(ingress("chat", "/v3", "45"), second.accepted());
    assertThat(routes(third)).containsExactly("/v3 45000");
    assertThat(third.problems()).isEmpty();
  }

  @Test
  void neverAcceptedIngressIsNotProgrammedWhileOthersServe() {
    // Given / When
    Translation translation = translate(ingress("broken", "/broken", "0") + ingress("fine", "/fine", "10"), Map.of());
    // Then
    assertThat(routes(translation)).containsExactly("/fine 10000");
    assertThat(translation.accepted().keySet()).extracting(Object::toString).containsExactly("Ingress default/fine");
  }

  @Test
  void deletedIngressIsForgotten() {
    // Given
    Translation first = translate(ingress("chat", "/v1", "30"), Map.of());
    // When the Ingress is gone and comes back broken
    Translation gone = translate("", first.accepted());
    Translation back = translate(ingress("chat", "/v2", "bad"), gone.accepted());
    // Then nothing of the old configuration returns
    assertThat(routes(back)).isEmpty();
  }

  private static Translation translate(String ingresses, Map<ObjectRef, IngressInfo> lastAccepted) {
    ClusterState state = Fixtures.fromYaml(ingresses + Fixtures.WEB_SERVICE);
    return Translator.translate(state, Settings.defaults().withStaticEndpoints(true), lastAccepted, Fixtures.TRANSLATED_AT);
  }

  private static List<String> routes(Translation translation) {
    return translation.table().listeners().get(0).virtualHosts().stream()
        .map(VirtualHost::routes).flatMap(List::stream)
        .map((Route r) -> r.match().path() + " " + r.timeouts().readMillis())
        .toList();
  }

  private static String ingress(String name, String path, String readTimeout) {
    return """
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: %s
          namespace: default
          annotations: {clb.ingress.io/proxy-read-timeout: "%s"}
        spec:
          ingressClassName: clb
          rules:
          - http:
              paths: [{path: %s, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
        """.formatted(name, readTimeout, path);
  }
}
