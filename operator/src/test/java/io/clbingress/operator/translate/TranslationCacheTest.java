package io.clbingress.operator.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.VirtualHost;
import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ObjectRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * A translation that takes over the previous one's work ({@link TranslationCache}) gives what a
 * translation from nothing gives, whatever came before: for every golden case, a series of states
 * that drop and bring back each Ingress, Service and EndpointSlice in turn, all through one cache;
 * and random series of edits (objects dropped and brought back, hosts renamed onto each other's,
 * annotations dropped, Ingresses made oldest), each state translated through the one cache and
 * from nothing with the same last accepted versions.
 */
class TranslationCacheTest {


  @TestFactory
  Stream<DynamicTest> aCachedTranslationEqualsOneFromNothing() throws IOException {
    return Fixtures.perCase(TranslationCacheTest::check);
  }

  private static void check(Path dir) throws IOException {
    // Given
    ClusterState state = Fixtures.fromFolder(dir);
    Settings settings = GoldenTranslationTest.settings(dir);
    List<ClusterState> series = new ArrayList<>(List.of(state, state));
    for (int i = 0; i < state.ingresses().size(); i++) {
      series.add(without(state, ClusterState::ingresses, i));
      series.add(state);
    }
    for (int i = 0; i < state.services().size(); i++) {
      series.add(without(state, ClusterState::services, i));
      series.add(state);
    }
    for (int i = 0; i < state.endpointSlices().size(); i++) {
      series.add(without(state, ClusterState::endpointSlices, i));
      series.add(state);
    }
    TranslationCache cache = new TranslationCache();
    for (ClusterState each : series) {
      // When
      Translation cached = Translator.translate(each, settings, Map.of(), Fixtures.TRANSLATED_AT, cache);
      // Then
      Translation fresh = Translator.translate(each, settings, Map.of(), Fixtures.TRANSLATED_AT);
      assertThat(cached).isEqualTo(fresh);
    }
  }

  @TestFactory
  Stream<DynamicTest> aCachedTranslationEqualsOneFromNothingAfterRandomEdits() throws IOException {
    return Fixtures.perCase(TranslationCacheTest::checkRandomEdits);
  }

  private static void checkRandomEdits(Path dir) throws IOException {
    ClusterState original = Fixtures.fromFolder(dir);
    Settings settings = GoldenTranslationTest.settings(dir);
    Random random = new Random(dir.getFileName().toString().hashCode());
    TranslationCache cache = new TranslationCache();
    Map<ObjectRef, IngressInfo> accepted = Map.of();
    ClusterState state = original;
    for (int step = 0; step < 40; step++) {
      state = edit(state, original, random);
      // When
      Translation cached = Translator.translate(state, settings, accepted, Fixtures.TRANSLATED_AT, cache);
      // Then
      Translation fresh = Translator.translate(state, settings, accepted, Fixtures.TRANSLATED_AT);
      assertThat(cached).as("step %d", step).isEqualTo(fresh);
      accepted = cached.accepted();
    }
  }

  /** One random edit: the records not edited stay the same objects, as sources keep them. */
  static ClusterState edit(ClusterState state, ClusterState original, Random random) {
    List<IngressInfo> ingresses = new ArrayList<>(state.ingresses());
    switch (random.nextInt(6)) {
      case 0 -> {
        return original;
      }
      case 1 -> {
        List<List<?>> lists = new ArrayList<>(List.of(state.ingresses(), state.ingressClasses(), state.services(),
            state.endpointSlices(), state.listeners(), state.secrets()));
        int kind = random.nextInt(lists.size());
        List<?> fewer = new ArrayList<>(lists.get(kind));
        if (!fewer.isEmpty()) {
          fewer.remove(random.nextInt(fewer.size()));
        }
        lists.set(kind, fewer);
        return of(lists);
      }
      case 2 -> {
        // an Ingress's first rule takes another Ingress's host, or a new one
        if (ingresses.isEmpty() || ingresses.get(0).rules().isEmpty()) {
          return state;
        }
        int i = random.nextInt(ingresses.size());
        IngressInfo other = ingresses.get(random.nextInt(ingresses.size()));
        String host = !other.rules().isEmpty() && random.nextBoolean() ? other.rules().get(0).host()
            : "edited-" + random.nextInt(3) + ".example.com";
        ingresses.set(i, withRules(ingresses.get(i), ingresses.get(i).rules().isEmpty() ? List.of()
            : renamed(ingresses.get(i).rules(), host)));
      }
      case 3 -> {
        // an annotation dropped
        if (ingresses.isEmpty()) {
          return state;
        }
        int i = random.nextInt(ingresses.size());
        IngressInfo ingress = ingresses.get(i);
        Map<String, String> annotations = new java.util.TreeMap<>(ingress.annotations());
        if (!annotations.isEmpty()) {
          annotations.remove(new ArrayList<>(annotations.keySet()).get(random.nextInt(annotations.size())));
        }
        ingresses.set(i, new IngressInfo(ingress.ref(), ingress.created(), ingress.className(), annotations,
            ingress.defaultBackend(), ingress.rules(), ingress.tls()));
      }
      case 4 -> {
        // an Ingress becomes the oldest: it wins the paths it shares
        if (ingresses.isEmpty()) {
          return state;
        }
        int i = random.nextInt(ingresses.size());
        IngressInfo ingress = ingresses.get(i);
        ingresses.set(i, new IngressInfo(ingress.ref(), java.time.Instant.EPOCH, ingress.className(),
            ingress.annotations(), ingress.defaultBackend(), ingress.rules(), ingress.tls()));
      }
      default -> {
        // an equal copy of an Ingress: the same content, another object
        if (ingresses.isEmpty()) {
          return state;
        }
        int i = random.nextInt(ingresses.size());
        ingresses.set(i, withRules(ingresses.get(i), ingresses.get(i).rules()));
      }
    }
    return new ClusterState(ingresses, state.ingressClasses(), state.services(), state.endpointSlices(),
        state.listeners(), state.secrets());
  }

  private static List<IngressInfo.Rule> renamed(List<IngressInfo.Rule> rules, String host) {
    List<IngressInfo.Rule> renamed = new ArrayList<>(rules);
    renamed.set(0, new IngressInfo.Rule(host, rules.get(0).paths()));
    return renamed;
  }

  private static IngressInfo withRules(IngressInfo ingress, List<IngressInfo.Rule> rules) {
    return new IngressInfo(ingress.ref(), ingress.created(), ingress.className(), ingress.annotations(),
        ingress.defaultBackend(), rules, ingress.tls());
  }

  @Test
  void anUnchangedStateGivesTheSameVirtualHostsAndAChangedIngressANewOne() {
    // Given
    ClusterState state = Fixtures.fromYaml(ingress("a") + "---\n" + ingress("b"));
    TranslationCache cache = new TranslationCache();
    List<VirtualHost> before = hosts(Translator.translate(state, Settings.defaults().withStaticEndpoints(true),
        Map.of(), Fixtures.TRANSLATED_AT, cache));
    IngressInfo a = state.ingresses().get(0);
    IngressInfo changedA = new IngressInfo(a.ref(), a.created(), a.className(), a.annotations(), a.defaultBackend(),
        List.of(new IngressInfo.Rule(a.rules().get(0).host(), List.of(new IngressInfo.HttpPath("/v2", "Prefix",
            a.rules().get(0).paths().get(0).backend())))), a.tls());
    ClusterState changed = new ClusterState(List.of(changedA, state.ingresses().get(1)), state.ingressClasses(),
        state.services(), state.endpointSlices(), state.listeners(), state.secrets());
    // When
    List<VirtualHost> after = hosts(Translator.translate(changed, Settings.defaults().withStaticEndpoints(true),
        Map.of(), Fixtures.TRANSLATED_AT, cache));
    // Then b's virtual host is the same object, a's is new
    assertThat(after.get(1)).isSameAs(before.get(1));
    assertThat(after.get(0)).isNotSameAs(before.get(0));
    assertThat(after.get(0).routes().get(0).match().path()).isEqualTo("/v2");
  }

  @Test
  void theHttpsListenerHasTheHttpListenersVirtualHostWhereNoRouteRedirectsToHttps() {
    // Given b's host is a TLS host (its plain HTTP route redirects to HTTPS, ingress-nginx's ssl-redirect)
    String tlsB = ingress("b").replace("  rules:\n",
        "  tls: [{hosts: [b.example.com]}]\n  rules:\n");
    ClusterState state = Fixtures.fromYaml(ingress("a") + "---\n" + tlsB);
    // When
    RoutingTable table = Translator.translate(state, Settings.defaults().withStaticEndpoints(true), Map.of(),
        Fixtures.TRANSLATED_AT, new TranslationCache()).table();
    // Then a's virtual host is one object on both listeners; b's differ by the redirect
    List<VirtualHost> http = table.listeners().get(0).virtualHosts();
    List<VirtualHost> https = table.listeners().get(1).virtualHosts();
    assertThat(table.listeners().get(1).name()).isEqualTo(Translator.DEFAULT_HTTPS_LISTENER);
    assertThat(https.get(0)).isSameAs(http.get(0));
    assertThat(http.get(1).routes().get(0).redirectToHttps()).isTrue();
    assertThat(https.get(1).routes().get(0).redirectToHttps()).isFalse();
  }

  @Test
  void sortedKeysWorkedOutFromTheLastOrderAreTheKeysSorted() {
    Random random = new Random(5);
    TranslationCache cache = new TranslationCache();
    java.util.Map<String, Integer> names = new java.util.HashMap<>();
    for (int translation = 0; translation < 300; translation++) {
      cache.begin(Settings.defaults(), Fixtures.fromYaml(""));
      for (int edit = random.nextInt(20); edit >= 0; edit--) {
        String name = Integer.toString(random.nextInt(500), 36);
        if (random.nextBoolean()) {
          names.put(name, translation);
        } else {
          names.remove(name);
        }
      }
      assertThat(cache.sortedKeys("names", names)).isEqualTo(names.keySet().stream().sorted().toList());
      cache.end();
    }
  }

  /** An item to sort: by key only, so that items of one key tie and keep their input order. */
  private record Keyed(int key, String label) {
  }

  @Test
  void sortedInTheLastOrderIsWhatAStableSortGives() {
    Random random = new Random(7);
    TranslationCache cache = new TranslationCache();
    java.util.Comparator<Keyed> byKey = java.util.Comparator.comparingInt(Keyed::key);
    List<Keyed> items = new ArrayList<>();
    for (int translation = 0; translation < 300; translation++) {
      cache.begin(Settings.defaults(), Fixtures.fromYaml(""));
      switch (random.nextInt(4)) {
        // replaced by an item of the same key: the last order is taken over
        case 0 -> {
          String label = "t" + translation;
          items.replaceAll(item -> random.nextInt(10) == 0 ? new Keyed(item.key(), label) : item);
        }
        case 1 -> items.add(random.nextInt(items.size() + 1), new Keyed(random.nextInt(40), "n" + translation));
        case 2 -> {
          if (!items.isEmpty()) {
            int i = random.nextInt(items.size());
            items.set(i, new Keyed(random.nextInt(40), items.get(i).label()));
          }
        }
        default -> {
          if (!items.isEmpty()) {
            items.remove(random.nextInt(items.size()));
          }
        }
      }
      List<Keyed> stable = new ArrayList<>(items);
      stable.sort(byKey);
      assertThat(cache.sorted("items", List.copyOf(items), byKey)).as("translation %d", translation).isEqualTo(stable);
      cache.end();
    }
  }

  private static List<VirtualHost> hosts(Translation translation) {
    return translation.table().listeners().get(0).virtualHosts();
  }

  private static String ingress(String name) {
    return """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: %1$s, namespace: default}
        spec:
          ingressClassName: clb
          rules:
          - host: %1$s.example.com
            http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: %1$s, port: {number: 80}}}}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: %1$s, namespace: default, annotations: {clb.ingress.io/static-endpoints: "127.0.0.1:80"}}
        spec: {ports: [{port: 80}]}
        """.formatted(name);
  }

  private static <T> ClusterState without(ClusterState state, Function<ClusterState, List<T>> kind, int index) {
    List<List<?>> lists = new ArrayList<>(List.of(state.ingresses(), state.ingressClasses(), state.services(),
        state.endpointSlices(), state.listeners(), state.secrets()));
    List<T> fewer = new ArrayList<>(kind.apply(state));
    fewer.remove(index);
    lists.set(lists.indexOf(kind.apply(state)), fewer);
    return of(lists);
  }

  @SuppressWarnings("unchecked")
  private static ClusterState of(List<List<?>> lists) {
    return new ClusterState((List<IngressInfo>) lists.get(0), (List) lists.get(1), (List) lists.get(2),
        (List) lists.get(3), (List) lists.get(4), (List) lists.get(5));
  }
}
