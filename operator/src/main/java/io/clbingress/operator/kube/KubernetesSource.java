package io.clbingress.operator.kube;

import io.clbingress.operator.crd.CLBListener;
import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.KubeObjects;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.SecretInfo;
import io.clbingress.operator.status.CurrentObjects;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import io.clbingress.operator.util.DaemonThreads;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Watches the cluster with Fabric8 informers and hands a new {@link ClusterState} to the consumer
 * after changes: one rebuild at most every {@link #DEBOUNCE_MILLIS} however many events arrive,
 * and none before every informer has listed its objects once.
 *
 * <p>Only Secrets of type {@code kubernetes.io/tls} are watched (a field selector): a cluster's
 * other Secrets (service account tokens, Helm releases) would cost memory for nothing.
 */
public final class KubernetesSource implements CurrentObjects, AutoCloseable {

  private static final Logger LOG = LogManager.getLogger(KubernetesSource.class);
  static final long DEBOUNCE_MILLIS = 100;
  public static final ResourceDefinitionContext CLB_LISTENERS = new ResourceDefinitionContext.Builder()
      .withGroup("clb.ingress.io").withVersion("v1alpha1").withKind("CLBListener").withPlural("clblisteners")
      .withNamespaced(true).build();

  private final KubernetesClient client;
  private final String namespace;
  private volatile Consumer<ClusterState> consumer;
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("cluster-state"));
  private final AtomicBoolean rebuildScheduled = new AtomicBoolean();
  private volatile boolean synced;
  private SharedIndexInformer<Ingress> ingresses;
  private SharedIndexInformer<IngressClass> ingressClasses;
  private SharedIndexInformer<Service> services;
  private SharedIndexInformer<EndpointSlice> endpointSlices;
  private SharedIndexInformer<CLBListener> listeners;
  private SharedIndexInformer<Secret> secrets;

  /** @param namespace the only namespace to watch, or null for all */
  public KubernetesSource(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /**
   * Starts the informers; completes once all have synced and the first state went to the
   * consumer, which then gets a new state after changes.
   */
  public CompletableFuture<Void> start(Consumer<ClusterState> stateConsumer) {
    this.consumer = stateConsumer;
    ResourceEventHandler<HasMetadata> onChange = new ResourceEventHandler<>() {
      @Override
      public void onAdd(HasMetadata object) {
        scheduleRebuild();
      }

      @Override
      public void onUpdate(HasMetadata before, HasMetadata after) {
        scheduleRebuild();
      }

      @Override
      public void onDelete(HasMetadata object, boolean finalStateUnknown) {
        scheduleRebuild();
      }
    };
    var network = client.network().v1();
    ingresses = namespace == null ? network.ingresses().inAnyNamespace().runnableInformer(0)
        : network.ingresses().inNamespace(namespace).runnableInformer(0);
    ingressClasses = network.ingressClasses().runnableInformer(0);
    services = namespace == null ? client.services().inAnyNamespace().runnableInformer(0)
        : client.services().inNamespace(namespace).runnableInformer(0);
    var slices = client.discovery().v1().endpointSlices();
    endpointSlices = namespace == null ? slices.inAnyNamespace().runnableInformer(0)
        : slices.inNamespace(namespace).runnableInformer(0);
    var clbListeners = client.resources(CLBListener.class);
    listeners = namespace == null ? clbListeners.inAnyNamespace().runnableInformer(0)
        : clbListeners.inNamespace(namespace).runnableInformer(0);
    var tlsSecrets = client.secrets();
    secrets = namespace == null
        ? tlsSecrets.inAnyNamespace().withField("type", SecretInfo.TLS_TYPE).runnableInformer(0)
        : tlsSecrets.inNamespace(namespace).withField("type", SecretInfo.TLS_TYPE).runnableInformer(0);
    List<SharedIndexInformer<? extends HasMetadata>> all = List.of(ingresses, ingressClasses, services, endpointSlices,
        listeners, secrets);
    List<CompletableFuture<Void>> started = new ArrayList<>();
    for (SharedIndexInformer<? extends HasMetadata> informer : all) {
      informer.addEventHandler(onChange);
      started.add(informer.start().toCompletableFuture());
    }
    return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).thenRunAsync(() -> {
      synced = true;
      LOG.info("cluster state synced: {} Ingresses, {} Services, {} EndpointSlices{}", ingresses.getStore().list().size(),
          services.getStore().list().size(), endpointSlices.getStore().list().size(),
          namespace == null ? "" : " in namespace " + namespace);
      rebuild();
    }, executor);
  }

  private void scheduleRebuild() {
    if (synced && rebuildScheduled.compareAndSet(false, true)) {
      executor.schedule(this::rebuild, DEBOUNCE_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void rebuild() {
    rebuildScheduled.set(false);
    try {
      consumer.accept(snapshot());
    } catch (RuntimeException e) {
      LOG.error("rebuild failed; the routing table in force stays", e);
    }
  }

  /** Copies the informer caches into an immutable state (Fabric8 objects are mutable). */
  ClusterState snapshot() {
    return new ClusterState(
        ingresses.getStore().list().stream().map(i -> KubeObjects.ingress(i, Instant.EPOCH)).toList(),
        ingressClasses.getStore().list().stream().map(KubeObjects::ingressClass).toList(),
        services.getStore().list().stream().map(KubeObjects::service).toList(),
        endpointSlices.getStore().list().stream().map(KubeObjects::endpointSlice).toList(),
        listeners.getStore().list().stream().map(l -> KubeObjects.listener(l, Instant.EPOCH)).toList(),
        secrets.getStore().list().stream().map(KubeObjects::secret).toList());
  }

  /** The CLBListener as the cache has it (not to be changed), or null. */
  @Override
  public CLBListener listener(ObjectRef ref) {
    return listeners == null ? null : listeners.getStore().getByKey(ref.namespace() + "/" + ref.name());
  }

  /** The Ingress as the cache has it (not to be changed), or null. */
  @Override
  public Ingress ingress(ObjectRef ref) {
    return ingresses == null ? null : ingresses.getStore().getByKey(ref.namespace() + "/" + ref.name());
  }

  @Override
  public void close() {
    for (SharedIndexInformer<?> informer : new SharedIndexInformer<?>[] {ingresses, ingressClasses, services,
        endpointSlices, listeners, secrets}) {
      if (informer != null) {
        informer.close();
      }
    }
    executor.shutdownNow();
  }
}
