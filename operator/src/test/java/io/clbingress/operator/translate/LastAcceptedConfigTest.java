package io.clbingress.operator.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RouteFilter;
import io.clbingress.dataplane.table.SourceRanges;
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
  void wrongGuardAddedToAnAcceptedIngressRefusesEveryoneUntilFixed() {
    // Given an accepted Ingress without any guard
    Translation first = translate(ingress("chat", "/v1", "30"), Map.of());
    // When an access list with a wrong entry is added
    Translation second = translate(withAnnotation(ingress("chat", "/v1", "30"),
        "nginx.ingress.kubernetes.io/whitelist-source-range", "10.0.0.0/33"), first.accepted());
    // Then the path refuses every client, the problem names the annotation, and the open version is still the last accepted
    assertThat(filters(second)).containsExactly(FailClosed.NOBODY);
    assertThat(second.problems()).singleElement().satisfies(p -> {
      assertThat(p.object().toString()).isEqualTo("Ingress default/chat");
      assertThat(p.field()).isEqualTo("metadata.annotations[nginx.ingress.kubernetes.io/whitelist-source-range]");
    });
    assertThat(second.accepted()).isEqualTo(first.accepted());
    // And when the guard is then taken away with a wrong timeout, the last accepted (open) version is served
    Translation third = translate(ingress("chat", "/v2", "30x"), second.accepted());
    assertThat(routes(third)).containsExactly("/v1 30000");
    assertThat(filters(third)).isEmpty();
    // And a valid access list is served as written
    Translation fourth = translate(withAnnotation(ingress("chat", "/v3", "45"),
        "nginx.ingress.kubernetes.io/whitelist-source-range", "10.0.0.0/8"), third.accepted());
    assertThat(routes(fourth)).containsExactly("/v3 45000");
    assertThat(filters(fourth)).containsExactly(new SourceRanges(List.of("10.0.0.0/8"), List.of()));
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

  private static List<RouteFilter> filters(Translation translation) {
    return translation.table().listeners().get(0).virtualHosts().stream()
        .map(VirtualHost::routes).flatMap(List::stream).map(Route::filters).flatMap(List::stream).toList();
  }

  private static String withAnnotation(String ingress, String key, String value) {
    return ingress.replace("annotations: {", "annotations: {" + key + ": \"" + value + "\", ");
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
