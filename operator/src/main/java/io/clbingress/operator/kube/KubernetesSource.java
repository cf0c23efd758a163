package io.clbingress.operator.kube;

import io.clbingress.operator.crd.CLBListener;
import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.KubeObjects;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.EndpointSliceInfo;
import io.clbingress.operator.state.IngressClassInfo;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ListenerInfo;
import io.clbingress.operator.state.SecretInfo;
import io.clbingress.operator.state.ServiceInfo;
import io.clbingress.operator.status.CurrentObjects;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
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
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import io.clbingress.operator.util.DaemonThreads;
import io.clbingress.operator.util.Debouncer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Watches the cluster with Fabric8 informers and hands a new {@link ClusterState} to the consumer
 * after changes: once events have been quiet for {@link #QUIET_MILLIS}, and at most one rebuild
 * per {@link #DEBOUNCE_MILLIS} while they keep coming, so one change is in force quickly and a
 * burst of thousands costs a few rebuilds; none before every informer has listed its objects once.
 *
 * <p>Only Secrets of type {@code kubernetes.io/tls} (certificates) and {@code Opaque} (htpasswd
 * files of basic authentication, as {@code kubectl create secret generic} makes them) are watched,
 * by field selectors: a cluster's other Secrets (service account tokens, Helm releases) would cost
 * memory for nothing.
 */
public final class KubernetesSource implements CurrentObjects, AutoCloseable {

  private static final Logger LOG = LogManager.getLogger(KubernetesSource.class);
  static final long DEBOUNCE_MILLIS = 100;
  static final long QUIET_MILLIS = 10;
  public static final ResourceDefinitionContext CLB_LISTENERS = new ResourceDefinitionContext.Builder()
      .withGroup("clb.ingress.io").withVersion("v1alpha1").withKind("CLBListener").withPlural("clblisteners")
      .withNamespaced(true).build();

  private final KubernetesClient client;
  private final String namespace;
  private volatile Consumer<ClusterState> consumer;
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("cluster-state"));
  private final Debouncer rebuilds = new Debouncer(executor, QUIET_MILLIS, DEBOUNCE_MILLIS, this::rebuild);
  private volatile boolean synced;
  private SharedIndexInformer<Ingress> ingresses;
  private SharedIndexInformer<IngressClass> ingressClasses;
  private SharedIndexInformer<Service> services;
  private SharedIndexInformer<EndpointSlice> endpointSlices;
  private SharedIndexInformer<CLBListener> listeners;
  private SharedIndexInformer<Secret> secrets;
  private SharedIndexInformer<Secret> opaqueSecrets;
  private final Records<Ingress, IngressInfo> ingressRecords = new Records<>(i -> KubeObjects.ingress(i, Instant.EPOCH));
  private final Records<IngressClass, IngressClassInfo> classRecords = new Records<>(KubeObjects::ingressClass);
  private final Records<Service, ServiceInfo> serviceRecords = new Records<>(KubeObjects::service);
  private final Records<EndpointSlice, EndpointSliceInfo> sliceRecords = new Records<>(KubeObjects::endpointSlice);
  private final Records<CLBListener, ListenerInfo> listenerRecords = new Records<>(l -> KubeObjects.listener(l, Instant.EPOCH));
  private final Records<Secret, SecretInfo> secretRecords = new Records<>(KubeObjects::secret);
  private final Records<Secret, SecretInfo> opaqueSecretRecords = new Records<>(KubeObjects::secret);

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
    secrets = secretsOfType(SecretInfo.TLS_TYPE);
    opaqueSecrets = secretsOfType(SecretInfo.OPAQUE_TYPE);
    List<SharedIndexInformer<? extends HasMetadata>> all = List.of(ingresses, ingressClasses, services, endpointSlices,
        listeners, secrets, opaqueSecrets);
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

  /** An informer of the Secrets of one type, in the namespace watched or all. */
  private SharedIndexInformer<Secret> secretsOfType(String type) {
    var all = client.secrets();
    return namespace == null ? all.inAnyNamespace().withField("type", type).runnableInformer(0)
        : all.inNamespace(namespace).withField("type", type).runnableInformer(0);
  }

  private void scheduleRebuild() {
    if (synced) {
      rebuilds.signal();
    }
  }

  private void rebuild() {
    try {
      consumer.accept(snapshot());
    } catch (RuntimeException e) {
      LOG.error("rebuild failed; the routing table in force stays", e);
    }
  }

  /**
   * Copies the informer caches into an immutable state (Fabric8 objects are mutable). An object
   * whose resourceVersion has not changed since the last snapshot keeps its record, the very same
   * object, so that translation can take over what it computed from it.
   */
  ClusterState snapshot() {
    return new ClusterState(ingressRecords.of(ingresses), classRecords.of(ingressClasses), serviceRecords.of(services),
        sliceRecords.of(endpointSlices), listenerRecords.of(listeners),
        java.util.stream.Stream.concat(secretRecords.of(secrets).stream(), opaqueSecretRecords.of(opaqueSecrets).stream())
            .toList());
  }

  /** The records of one kind, kept by object while its resourceVersion is the same; only used by snapshots, one at a time. */
  private static final class Records<T extends HasMetadata, R> {
    private record Converted<R>(String resourceVersion, R record) {
    }

    private final Function<T, R> convert;
    private Map<String, Converted<R>> byObject = new HashMap<>();

    Records(Function<T, R> convert) {
      this.convert = convert;
    }

    List<R> of(SharedIndexInformer<T> informer) {
      List<T> objects = informer.getStore().list();
      Map<String, Converted<R>> next = new HashMap<>();
      List<R> records = new ArrayList<>(objects.size());
      for (T object : objects) {
        ObjectMeta meta = object.getMetadata();
        String key = meta.getUid() != null ? meta.getUid() : meta.getNamespace() + "/" + meta.getName();
        Converted<R> known = byObject.get(key);
        if (known == null || meta.getResourceVersion() == null || !meta.getResourceVersion().equals(known.resourceVersion())) {
          known = new Converted<>(meta.getResourceVersion(), convert.apply(object));
        }
        next.put(key, known);
        records.add(known.record());
      }
      byObject = next;
      return records;
    }
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
        endpointSlices, listeners, secrets, opaqueSecrets}) {
      if (informer != null) {
        informer.close();
      }
    }
    executor.shutdownNow();
  }
}
