package io.clbingress.operator.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.BasicAuth;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RouteFilter;
import io.clbingress.dataplane.table.SourceRanges;
import io.clbingress.dataplane.table.VirtualHost;
import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.SecretInfo;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The htpasswd Secret of {@code auth-secret} over time: its changes reach the table with the
 * Ingress untouched (through the translation cache, as the operator runs it), an unrelated
 * Secret's do not make the Ingress be read again, and a Secret deleted or broken after the
 * Ingress was accepted refuses every client rather than serving the route open.
 */
class BasicAuthSecretTest {

  private static final String ALICE = "alice:$apr1$AVjgbf1k$sYTmz0uij7N/5oqNLLp84.";
  private static final String BOB = "bob:{SHA}Ve878e5lOgwSjWid5/VhR4gReac=";
  private static final ObjectRef HTPASSWD = new ObjectRef("Secret", "default", "htpasswd");

  private final TranslationCache cache = new TranslationCache();

  @Test
  void aChangedSecretReachesTheTableWithTheIngressUntouched() {
    // Given an accepted Ingress whose Secret has alice
    ClusterState first = Fixtures.fromYaml(INGRESS + Fixtures.WEB_SERVICE);
    Translation before = translate(withSecrets(first, secret(HTPASSWD, ALICE)), Map.of());
    assertThat(users(before)).containsExactly("alice");
    // When the Secret changes (the same Ingress object)
    ClusterState changed = withSecrets(first, secret(HTPASSWD, ALICE + "\n" + BOB));
    Translation after = translate(changed, before.accepted());
    // Then the route has both users, as a translation without the cache gives
    assertThat(users(after)).containsExactly("alice", "bob");
    assertThat(after.problems()).isEmpty();
    assertThat(after.table()).isEqualTo(Translator.translate(changed, settings(), before.accepted(),
        Fixtures.TRANSLATED_AT).table());
  }

  @Test
  void anUnrelatedSecretChangingLeavesTheRouteAsItWas() {
    // Given
    ClusterState first = Fixtures.fromYaml(INGRESS + Fixtures.WEB_SERVICE);
    SecretInfo htpasswd = secret(HTPASSWD, ALICE);
    Translation before = translate(withSecrets(first, htpasswd, secret(new ObjectRef("Secret", "default", "other"),
        BOB)), Map.of());
    // When another Secret changes
    Translation after = translate(withSecrets(first, htpasswd, secret(new ObjectRef("Secret", "default", "other"),
        ALICE)), before.accepted());
    // Then the virtual host is the very same object: the Ingress was not read again
    assertThat(after.table().listeners().get(0).virtualHosts().get(0))
        .isSameAs(before.table().listeners().get(0).virtualHosts().get(0));
  }

  @Test
  void aSecretDeletedAfterAcceptanceRefusesEveryClientUntilItIsBack() {
    // Given an accepted Ingress with its Secret
    ClusterState first = Fixtures.fromYaml(INGRESS + Fixtures.WEB_SERVICE);
    Translation accepted = translate(withSecrets(first, secret(HTPASSWD, ALICE)), Map.of());
    // When the Secret is deleted
    Translation deleted = translate(withSecrets(first), accepted.accepted());
    // Then the path is still claimed and refuses everyone, with a Warning naming the annotation and the Secret
    assertThat(filters(deleted)).containsExactly(FailClosed.NOBODY);
    assertThat(deleted.problems()).singleElement().satisfies(problem -> {
      assertThat(problem.field()).isEqualTo("metadata.annotations[nginx.ingress.kubernetes.io/auth-secret]");
      assertThat(problem.reason()).isEqualTo("Secret default/htpasswd not found (of type Opaque or any but"
          + " kubernetes.io/tls)");
    });
    // When it is back, Then the route authenticates again
    Translation back = translate(withSecrets(first, secret(HTPASSWD, BOB)), deleted.accepted());
    assertThat(users(back)).containsExactly("bob");
  }

  @Test
  void aSecretBrokenAfterAcceptanceRefusesEveryClientAndNamesTheLineNotTheHash() {
    // Given
    ClusterState first = Fixtures.fromYaml(INGRESS + Fixtures.WEB_SERVICE);
    Translation accepted = translate(withSecrets(first, secret(HTPASSWD, ALICE)), Map.of());
    // When a line of the file becomes unreadable
    String broken = "bob:{SSHA}c2VjcmV0LWhhc2gtdmFsdWU=";
    Translation after = translate(withSecrets(first, secret(HTPASSWD, ALICE + "\n" + broken)), accepted.accepted());
    // Then
    assertThat(filters(after)).containsExactly(FailClosed.NOBODY);
    assertThat(after.problems()).singleElement().satisfies(problem -> assertThat(problem.reason())
        .startsWith("Secret default/htpasswd, key auth, line 2: the hash of user bob is of no known format ({SSHA})")
        .doesNotContain("c2VjcmV0"));
  }

  private Translation translate(ClusterState state, Map<ObjectRef, IngressInfo> lastAccepted) {
    return Translator.translate(state, settings(), lastAccepted, Fixtures.TRANSLATED_AT, cache);
  }

  private static Settings settings() {
    return Settings.defaults().withStaticEndpoints(true);
  }

  private static ClusterState withSecrets(ClusterState state, SecretInfo... secrets) {
    return new ClusterState(state.ingresses(), state.ingressClasses(), state.services(), state.endpointSlices(),
        state.listeners(), List.of(secrets));
  }

  private static SecretInfo secret(ObjectRef ref, String htpasswd) {
    return new SecretInfo(ref, SecretInfo.OPAQUE_TYPE, null, null, null, Map.of("auth", htpasswd));
  }

  private static List<RouteFilter> filters(Translation translation) {
    return translation.table().listeners().get(0).virtualHosts().stream().map(VirtualHost::routes)
        .flatMap(List::stream).map(Route::filters).flatMap(List::stream).toList();
  }

  private static List<String> users(Translation translation) {
    assertThat(filters(translation)).noneMatch(SourceRanges.class::isInstance);
    return filters(translation).stream().flatMap(filter -> filter instanceof BasicAuth auth
        ? auth.users().stream().map(BasicAuth.User::name) : Stream.empty()).toList();
  }

  private static final String INGRESS = """
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata:
        name: admin
        namespace: default
        annotations:
          nginx.ingress.kubernetes.io/auth-type: basic
          nginx.ingress.kubernetes.io/auth-secret: htpasswd
      spec:
        ingressClassName: clb
        rules:
        - host: admin.example.com
          http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
      """;
}
