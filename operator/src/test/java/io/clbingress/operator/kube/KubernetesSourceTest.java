package io.clbingress.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clbingress.dataplane.table.BasicAuth;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.SourceRanges;
import io.clbingress.operator.publish.TableUpdater;
import io.clbingress.operator.translate.Settings;
import io.clbingress.operator.crd.CLBListener;
import io.clbingress.operator.crd.CLBListenerSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Informers against Fabric8's mock API server in CRUD mode (real HTTP, real watches). */
@EnableKubernetesMockClient(crud = true)
class KubernetesSourceTest {

  static KubernetesClient client;
  final List<RoutingTable> published = new CopyOnWriteArrayList<>();
  KubernetesSource source;

  @AfterEach
  void stop() {
    source.close();
  }

  @Test
  void ingressServiceAndEndpointChangesReachTheTable() throws Exception {
    // Given a Service with endpoints and an Ingress, before the source starts
    client.services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata().withName("web")
        .withNamespace("shop").endMetadata().withNewSpec().addNewPort().withName("http").withPort(80).endPort()
        .endSpec().build()).create();
    client.discovery().v1().endpointSlices().inNamespace("shop").resource(slice("10.0.0.1")).create();
    client.network().v1().ingresses().inNamespace("shop").resource(ingress("/a")).create();
    // When the source starts, watching that namespace only (the other test uses another)
    startSource("shop");
    // Then the first table has the route and the endpoint
    await().atMost(Duration.ofSeconds(10)).until(() -> !published.isEmpty());
    assertThat(paths(last())).containsExactly("/a");
    assertThat(endpoints(last())).containsExactly(new Endpoint("10.0.0.1", 8080));
    // When the Ingress changes, Then the table follows
    client.network().v1().ingresses().inNamespace("shop").resource(ingress("/b")).update();
    await().atMost(Duration.ofSeconds(5)).until(() -> paths(last()).equals(List.of("/b")));
    // When the endpoints change, Then the table follows
    client.discovery().v1().endpointSlices().inNamespace("shop").resource(slice("10.0.0.2")).update();
    await().atMost(Duration.ofSeconds(5)).until(() -> endpoints(last()).equals(List.of(new Endpoint("10.0.0.2", 8080))));
    // When the Ingress is deleted, Then its route goes
    client.network().v1().ingresses().inNamespace("shop").withName("web").delete();
    await().atMost(Duration.ofSeconds(5)).until(() -> paths(last()).isEmpty());
    assertThat(published).extracting(RoutingTable::version).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void clbListenersAreSeenForTheListenerAnnotation() throws Exception {
    // Given an Ingress naming a CLBListener that does not exist yet
    Ingress bound = new IngressBuilder(ingress("/bound")).editMetadata().withName("bound").withNamespace("chat")
        .addToAnnotations("clb.ingress.io/listener", "chat-wss").endMetadata().build();
    client.network().v1().ingresses().inNamespace("chat").resource(bound).create();
    startSource("chat");
    await().atMost(Duration.ofSeconds(10)).until(() -> !published.isEmpty());
    assertThat(last().listeners()).extracting(l -> l.name()).containsExactly("default-http", "default-https");
    // When the CLBListener is created, Then the Ingress is served on that listener (and only there)
    CLBListener listener = new CLBListener();
    listener.getMetadata().setName("chat-wss");
    listener.getMetadata().setNamespace("chat");
    listener.setSpec(new CLBListenerSpec());
    listener.getSpec().port = 18443;
    listener.getSpec().protocol = CLBListenerSpec.Protocol.HTTP;
    client.resources(CLBListener.class).inNamespace("chat").resource(listener).create();
    await().atMost(Duration.ofSeconds(5)).until(() -> last().listeners().size() == 3);
    assertThat(last().listeners().get(2).name()).isEqualTo("chat/chat-wss");
    assertThat(last().listeners().get(2).port()).isEqualTo(18443);
    assertThat(last().listeners().get(2).virtualHosts().get(0).routes().get(0).match().path()).isEqualTo("/bound");
    assertThat(paths(last())).isEmpty();
  }

  @Test
  void anHtpasswdSecretAndItsChangesReachTheTable() throws Exception {
    // Given an Ingress with basic authentication and its Opaque Secret, and a Secret of another type
    Ingress guarded = new IngressBuilder(ingress("/private")).editMetadata().withName("guarded").withNamespace("auth")
        .addToAnnotations("nginx.ingress.kubernetes.io/auth-type", "basic")
        .addToAnnotations("nginx.ingress.kubernetes.io/auth-secret", "htpasswd").endMetadata().build();
    client.network().v1().ingresses().inNamespace("auth").resource(guarded).create();
    client.secrets().inNamespace("auth").resource(htpasswd("alice:$apr1$AVjgbf1k$sYTmz0uij7N/5oqNLLp84.")).create();
    client.secrets().inNamespace("auth").resource(new SecretBuilder().withNewMetadata().withName("token")
        .withNamespace("auth").endMetadata().withType("kubernetes.io/service-account-token")
        .addToStringData("auth", "bob:plain").build()).create();
    // When the source starts
    startSource("auth");
    // Then the route authenticates the Secret's user
    await().atMost(Duration.ofSeconds(10)).until(() -> !published.isEmpty());
    assertThat(users(last())).containsExactly("alice");
    // When the Secret changes, Then the table follows, the Ingress untouched
    client.secrets().inNamespace("auth").resource(htpasswd("alice:$apr1$AVjgbf1k$sYTmz0uij7N/5oqNLLp84.\n"
        + "carol:{SHA}Ve878e5lOgwSjWid5/VhR4gReac=")).update();
    await().atMost(Duration.ofSeconds(5)).until(() -> users(last()).equals(List.of("alice", "carol")));
    // When the Secret is deleted, Then the route refuses every client instead of serving open
    client.secrets().inNamespace("auth").withName("htpasswd").delete();
    await().atMost(Duration.ofSeconds(5)).until(() -> users(last()).isEmpty());
    assertThat(last().listeners().get(0).virtualHosts().get(0).routes().get(0).filters())
        .singleElement().isInstanceOf(SourceRanges.class);
  }

  private static Secret htpasswd(String file) {
    return new SecretBuilder().withNewMetadata().withName("htpasswd").withNamespace("auth").endMetadata()
        .withType("Opaque").addToData("auth", Base64.getEncoder().encodeToString(file.getBytes(StandardCharsets.UTF_8)))
        .build();
  }

  private static List<String> users(RoutingTable table) {
    return table.listeners().get(0).virtualHosts().stream().flatMap(v -> v.routes().stream())
        .flatMap(r -> r.filters().stream()).filter(BasicAuth.class::isInstance)
        .flatMap(f -> ((BasicAuth) f).users().stream()).map(BasicAuth.User::name).toList();
  }

  private void startSource(String namespace) throws Exception {
    TableUpdater updater = new TableUpdater(Settings.defaults(), published::add, translation -> { });
    source = new KubernetesSource(client, namespace);
    source.start(updater::update).get(20, TimeUnit.SECONDS);
  }

  private RoutingTable last() {
    return published.get(published.size() - 1);
  }

  private static List<String> paths(RoutingTable table) {
    return table.listeners().get(0).virtualHosts().stream()
        .flatMap(v -> v.routes().stream()).map(r -> r.match().path()).toList();
  }

  private static List<Endpoint> endpoints(RoutingTable table) {
    return table.clusters().stream().flatMap(c -> c.endpoints().stream()).toList();
  }

  private static Ingress ingress(String path) {
    return new IngressBuilder().withNewMetadata().withName("web").withNamespace("shop").endMetadata()
        .withNewSpec().withIngressClassName("clb").addNewRule().withNewHttp().addNewPath().withPath(path)
        .withPathType("Prefix").withNewBackend().withNewService().withName("web").withNewPort().withNumber(80)
        .endPort().endService().endBackend().endPath().endHttp().endRule().endSpec().build();
  }

  private static EndpointSlice slice(String address) {
    return new EndpointSliceBuilder().withNewMetadata().withName("web-1").withNamespace("shop")
        .addToLabels("kubernetes.io/service-name", "web").endMetadata().withAddressType("IPv4")
        .addNewPort().withName("http").withPort(8080).endPort()
        .addNewEndpoint().withAddresses(address).withNewConditions().withReady(true).endConditions().endEndpoint()
        .build();
  }
}
