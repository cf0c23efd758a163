package io.clbingress.operator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clbingress.operator.crd.CLBListener;
import io.clbingress.operator.crd.CLBListenerSpec;
import io.clbingress.operator.kube.KubernetesSource;
import io.clbingress.operator.publish.TableUpdater;
import io.clbingress.operator.translate.Settings;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Ingress status, Warning Events and leader election against the mock API server. */
@EnableKubernetesMockClient(crud = true)
class StatusReporterTest {

  static KubernetesClient client;

  @Test
  void leaderWritesStatusAndOneEventPerProblemWhateverTheRebuilds() throws Exception {
    // Given a good and a bad Ingress to a Service, and a reporter that does not lead yet
    client.services().inNamespace("st").resource(new ServiceBuilder().withNewMetadata().withName("web")
        .withNamespace("st").endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
    client.network().v1().ingresses().inNamespace("st").resource(ingress("good", "60")).create();
    client.network().v1().ingresses().inNamespace("st").resource(ingress("bad", "sixty")).create();
    Ingress migrated = ingress("migrated", "60");
    migrated.getMetadata().getAnnotations().put("nginx.ingress.kubernetes.io/configuration-snippet", "deny all;");
    client.network().v1().ingresses().inNamespace("st").resource(migrated).create();
    try (KubernetesSource source = new KubernetesSource(client, "st");
         StatusReporter reporter = new StatusReporter(
             new IngressStatusWriter(client, PublishAddress.fixed("10.9.8.7")),
             new ListenerStatusWriter(client, Clock.systemUTC()), new ProblemEvents(client, Clock.systemUTC()),
             source)) {
      AtomicInteger translations = new AtomicInteger();
      TableUpdater updater = new TableUpdater(Settings.defaults(), table -> { },
          reporter.andThen(translation -> translations.incrementAndGet()));
      source.start(updater::update).get(20, TimeUnit.SECONDS);
      // When it starts leading
      reporter.startedLeading();
      // Then the good Ingress gets the address and the bad one a Warning Event naming the field
      await().atMost(Duration.ofSeconds(10)).until(() -> "10.9.8.7".equals(statusIp("good")));
      await().atMost(Duration.ofSeconds(10)).until(() -> events().size() == 2);
      Event event = event("bad");
      assertThat(event.getType()).isEqualTo("Warning");
      assertThat(event.getReason()).isEqualTo("InvalidConfiguration");
      assertThat(event.getInvolvedObject().getName()).isEqualTo("bad");
      assertThat(event.getInvolvedObject().getKind()).isEqualTo("Ingress");
      assertThat(event.getMessage()).contains("metadata.annotations[clb.ingress.io/proxy-read-timeout]", "\"sixty\"");
      assertThat(statusIp("bad")).isNull();
      // And the Ingress with an ingress-nginx snippet is served, with an UnsupportedAnnotation Event naming it
      await().atMost(Duration.ofSeconds(10)).until(() -> "10.9.8.7".equals(statusIp("migrated")));
      Event unsupported = event("migrated");
      assertThat(unsupported.getType()).isEqualTo("Warning");
      assertThat(unsupported.getReason()).isEqualTo("UnsupportedAnnotation");
      assertThat(unsupported.getMessage()).contains("nginx.ingress.kubernetes.io/configuration-snippet", "never executed");
      String goodVersion = client.network().v1().ingresses().inNamespace("st").withName("good").get()
          .getMetadata().getResourceVersion();
      // When unrelated changes make more rebuilds
      int before = translations.get();
      for (int i = 0; i < 10; i++) {
        client.services().inNamespace("st").resource(new ServiceBuilder().withNewMetadata().withName("other-" + i)
            .withNamespace("st").endMetadata().build()).create();
        int seen = translations.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> translations.get() > seen);
      }
      assertThat(translations.get() - before).isGreaterThanOrEqualTo(10);
      reporter.awaitIdle();
      // Then no further Event and no status rewrite
      assertThat(events()).hasSize(2);
      assertThat(client.network().v1().ingresses().inNamespace("st").withName("good").get()
          .getMetadata().getResourceVersion()).isEqualTo(goodVersion);
    }
  }

  @Test
  void clbListenerGetsConditionsThatFollowItsReferences() throws Exception {
    // Given a listener whose rule names a Service that does not exist yet
    CLBListener listener = new CLBListener();
    listener.getMetadata().setName("edge");
    listener.getMetadata().setNamespace("lst");
    listener.setSpec(new CLBListenerSpec());
    listener.getSpec().port = 18555;
    listener.getSpec().protocol = CLBListenerSpec.Protocol.HTTP;
    CLBListenerSpec.ForwardingRule rule = new CLBListenerSpec.ForwardingRule();
    rule.path = "/";
    rule.backend = new CLBListenerSpec.Backend();
    rule.backend.service = new CLBListenerSpec.ServiceRef();
    rule.backend.service.name = "gone";
    rule.backend.service.port = new CLBListenerSpec.ServicePort();
    rule.backend.service.port.number = 80;
    listener.getSpec().rules = List.of(rule);
    client.resources(CLBListener.class).inNamespace("lst").resource(listener).create();
    try (KubernetesSource source = new KubernetesSource(client, "lst");
         StatusReporter reporter = new StatusReporter(new IngressStatusWriter(client, PublishAddress.none()),
             new ListenerStatusWriter(client, Clock.systemUTC()), new ProblemEvents(client, Clock.systemUTC()),
             source)) {
      TableUpdater updater = new TableUpdater(Settings.defaults(), table -> { }, reporter);
      reporter.startedLeading();
      source.start(updater::update).get(20, TimeUnit.SECONDS);
      // Then it is accepted and programmed, with unresolved references
      await().atMost(Duration.ofSeconds(10)).until(() -> "False".equals(condition("ResolvedRefs").getStatus()));
      assertThat(condition("Accepted").getStatus()).isEqualTo("True");
      assertThat(condition("Programmed").getStatus()).isEqualTo("True");
      assertThat(condition("ResolvedRefs").getMessage()).contains("Service lst/gone not found");
      CLBListener stored = client.resources(CLBListener.class).inNamespace("lst").withName("edge").get();
      assertThat(stored.getStatus().observedGeneration).isEqualTo(stored.getMetadata().getGeneration() == null
          ? 0L : stored.getMetadata().getGeneration());
      assertThat(stored.getStatus().attachedIngresses).isZero();
      String acceptedSince = condition("Accepted").getLastTransitionTime();
      // When the Service appears, Then the references resolve and Accepted keeps its transition time
      client.services().inNamespace("lst").resource(new ServiceBuilder().withNewMetadata().withName("gone")
          .withNamespace("lst").endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
      await().atMost(Duration.ofSeconds(10)).until(() -> "True".equals(condition("ResolvedRefs").getStatus()));
      assertThat(condition("Accepted").getLastTransitionTime()).isEqualTo(acceptedSince);
      // When a newer listener asks for the same port, Then it is refused with PortConflict and edge keeps it
      CLBListener late = new CLBListener();
      late.setMetadata(new ObjectMetaBuilder().withName("late").withNamespace("lst").build());
      late.setSpec(new CLBListenerSpec());
      late.getSpec().port = listener.getSpec().port;
      late.getSpec().protocol = CLBListenerSpec.Protocol.HTTP;
      client.resources(CLBListener.class).inNamespace("lst").resource(late).create();
      await().atMost(Duration.ofSeconds(10)).until(() -> "False".equals(condition("late", "Accepted").getStatus()));
      assertThat(condition("late", "Accepted").getReason()).isEqualTo("PortConflict");
      assertThat(condition("late", "Accepted").getMessage()).contains("already used by CLBListener lst/edge");
      assertThat(condition("Accepted").getStatus()).isEqualTo("True");
    }
  }

  private static io.fabric8.kubernetes.api.model.Condition condition(String type) {
    return condition("edge", type);
  }

  private static io.fabric8.kubernetes.api.model.Condition condition(String name, String type) {
    CLBListener stored = client.resources(CLBListener.class).inNamespace("lst").withName(name).get();
    if (stored.getStatus() == null || stored.getStatus().conditions == null) {
      return new io.fabric8.kubernetes.api.model.Condition();
    }
    return stored.getStatus().conditions.stream().filter(c -> c.getType().equals(type)).findFirst()
        .orElse(new io.fabric8.kubernetes.api.model.Condition());
  }

  @Test
  void exactlyOneOfTwoReplicasLeads() throws Exception {
    // Given two replicas standing for election
    AtomicInteger leaders = new AtomicInteger();
    List<Leadership> replicas = List.of(replica("a", leaders), replica("b", leaders));
    try {
      replicas.forEach(Leadership::start);
      // Then one of them leads, and the other does not
      await().atMost(Duration.ofSeconds(30)).until(() -> leaders.get() >= 1);
      assertThat(leaders.get()).isEqualTo(1);
    } finally {
      replicas.forEach(Leadership::close);
    }
  }

  private static Leadership replica(String name, AtomicInteger leaders) {
    return new Leadership(client, "election", name, leaders::incrementAndGet, leaders::decrementAndGet);
  }

  private static List<Event> events() {
    return client.v1().events().inNamespace("st").list().getItems();
  }

  private static Event event(String ingress) {
    return events().stream().filter(event -> event.getInvolvedObject().getName().equals(ingress)).findFirst()
        .orElseThrow();
  }

  private static String statusIp(String name) {
    Ingress ingress = client.network().v1().ingresses().inNamespace("st").withName(name).get();
    if (ingress.getStatus() == null || ingress.getStatus().getLoadBalancer() == null
        || ingress.getStatus().getLoadBalancer().getIngress() == null
        || ingress.getStatus().getLoadBalancer().getIngress().isEmpty()) {
      return null;
    }
    return ingress.getStatus().getLoadBalancer().getIngress().get(0).getIp();
  }

  private static Ingress ingress(String name, String readTimeout) {
    return new IngressBuilder().withNewMetadata().withName(name).withNamespace("st")
        .addToAnnotations("clb.ingress.io/proxy-read-timeout", readTimeout).endMetadata()
        .withNewSpec().withIngressClassName("clb").addNewRule().withHost(name + ".example.com").withNewHttp()
        .addNewPath().withPath("/").withPathType("Prefix").withNewBackend().withNewService().withName("web")
        .withNewPort().withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule().endSpec()
        .build();
  }
}
