package io.clbingress.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.AppliedTable;
import io.clbingress.dataplane.DataPlane;
import io.clbingress.dataplane.DataPlaneOptions;
import io.clbingress.dataplane.control.ControlPlaneClient;
import io.clbingress.dataplane.table.VirtualHost;
import io.clbingress.operator.publish.ConfigServer;
import io.clbingress.operator.publish.TableUpdater;
import io.clbingress.operator.translate.Settings;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Operator mode end to end in one process, timed: Fabric8's mock API server (CRUD mode) →
 * informers → translation → control channel → a data plane. Reports, asserts nothing about speed:
 * how long after the last of N Ingresses (each with its Service and EndpointSlice) is created the data
 * plane has them in force, and how long after one of them changes. N is 200 in the suite;
 * {@code -Dclb.apply.ingresses=10000 -Dclb.apply.rounds=5} for the figures of the issue.
 * {@code -Dclb.apply.services=S} (default N) spreads the Ingresses over S Services (Ingress i routes
 * to Service i mod S): Fabric8's mock API server looks through every object it holds on each create
 * (its CRUD dispatcher has no index), so 30,000 objects take it many minutes, and past ~24,000 its
 * creates stalled; 10,000 Ingresses over 1,000 Services are 12,000 objects.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorApplyTimesTest {

  private static final int INGRESSES = Integer.getInteger("clb.apply.ingresses", 200);
  private static final int ROUNDS = Integer.getInteger("clb.apply.rounds", 3);
  private static final int SERVICES = Integer.getInteger("clb.apply.services", INGRESSES);
  private static final String NAMESPACE = "bench";

  static KubernetesClient client;
  final Vertx operatorSide = Vertx.vertx();
  final Vertx dataPlaneSide = Vertx.vertx();
  KubernetesSource source;
  ControlPlaneClient controlClient;

  @AfterEach
  void stop() throws Exception {
    if (controlClient != null) {
      controlClient.close();
    }
    if (source != null) {
      source.close();
    }
    operatorSide.close().await(20, TimeUnit.SECONDS);
    dataPlaneSide.close().await(20, TimeUnit.SECONDS);
  }

  @Test
  void reportsHowLongTablesTakeToApply() throws Exception {
    // Given an operator watching an empty namespace and a data plane connected to it
    DataPlane dataPlane = DataPlane.start(dataPlaneSide, DataPlaneOptions.loopback(Duration.ofSeconds(1)),
        Clock.systemUTC()).await(20, TimeUnit.SECONDS);
    ConfigServer server = new ConfigServer(operatorSide, "token");
    int port = server.listen("127.0.0.1", 0).await(20, TimeUnit.SECONDS);
    source = new KubernetesSource(client, NAMESPACE);
    source.start(new TableUpdater(Settings.defaults(), server, translation -> { })::update).get(20, TimeUnit.SECONDS);
    controlClient = new ControlPlaneClient(dataPlaneSide, URI.create("http://127.0.0.1:" + port), "token", dataPlane);
    controlClient.start();
    // When N Ingresses are created, Then the last one is served
    for (int i = 0; i < INGRESSES; i++) {
      createApp(i);
    }
    long created = System.nanoTime();
    long allMillis = waitForHost(dataPlane, host(INGRESSES - 1), created);
    // When one of them changes its host, round after round, Then each change is served
    List<Long> changeMillis = new ArrayList<>();
    for (int round = 1; round <= ROUNDS; round++) {
      String renamed = "app-" + INGRESSES / 2 + "-r" + round + ".bench";
      Ingress changed = ingress(INGRESSES / 2, renamed);
      client.network().v1().ingresses().inNamespace(NAMESPACE).resource(changed).update();
      changeMillis.add(waitForHost(dataPlane, renamed, System.nanoTime()));
    }
    Collections.sort(changeMillis);
    System.out.printf("operator mode, %d Ingresses over %d Services: all created -> in force %d ms; one changed -> in"
        + " force: median %d ms of %s%n", INGRESSES, SERVICES, allMillis, changeMillis.get(changeMillis.size() / 2),
        changeMillis);
    assertThat(changeMillis).hasSize(ROUNDS);
  }

  /** Milliseconds from {@code since} until the table in force has a virtual host (fails after 120 s). */
  private static long waitForHost(DataPlane dataPlane, String host, long since) throws InterruptedException {
    AppliedTable checked = null;
    while (System.nanoTime() - since < TimeUnit.SECONDS.toNanos(120)) {
      AppliedTable applied = dataPlane.applied();
      if (applied != null && applied != checked) {
        checked = applied;
        for (VirtualHost vhost : applied.table().listeners().get(0).virtualHosts()) {
          if (vhost.host().equals(host)) {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
          }
        }
      }
      Thread.sleep(1);
    }
    throw new AssertionError(host + " not in force after 120 s");
  }

  private static String host(int i) {
    return "app-" + i + ".bench";
  }

  /** Ingress i, and Service i with its EndpointSlice while i is below the number of Services. */
  private static void createApp(int i) {
    if (i < SERVICES) {
      createService("app-" + i, i);
    }
    client.network().v1().ingresses().inNamespace(NAMESPACE).resource(ingress(i, host(i))).create();
  }

  private static void createService(String name, int i) {
    client.services().inNamespace(NAMESPACE).resource(new ServiceBuilder().withNewMetadata().withName(name)
        .withNamespace(NAMESPACE).endMetadata().withNewSpec().addNewPort().withName("http").withPort(80).endPort()
        .endSpec().build()).create();
    client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).resource(new EndpointSliceBuilder()
        .withNewMetadata().withName(name + "-1").withNamespace(NAMESPACE)
        .addToLabels("kubernetes.io/service-name", name).endMetadata().withAddressType("IPv4")
        .addNewPort().withName("http").withPort(8080).endPort()
        .addNewEndpoint().withAddresses("10.0." + i / 250 + "." + (i % 250 + 1)).withNewConditions().withReady(true)
        .endConditions().endEndpoint().build()).create();
  }

  private static Ingress ingress(int i, String host) {
    String name = "app-" + i;
    String service = "app-" + i % SERVICES;
    return new IngressBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
        .withNewSpec().withIngressClassName("clb").addNewRule().withHost(host).withNewHttp().addNewPath().withPath("/")
        .withPathType("Prefix").withNewBackend().withNewService().withName(service).withNewPort().withNumber(80)
        .endPort().endService().endBackend().endPath().endHttp().endRule().endSpec().build();
  }
}
