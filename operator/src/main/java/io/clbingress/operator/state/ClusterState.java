package io.clbingress.operator.state;

import java.util.List;

/**
 * An immutable snapshot of every object translation reads, from the Kubernetes API or a folder of
 * YAML alike.
 *
 */
public record ClusterState(List<IngressInfo> ingresses, List<IngressClassInfo> ingressClasses,
    List<ServiceInfo> services, List<EndpointSliceInfo> endpointSlices, List<ListenerInfo> listeners,
    List<SecretInfo> secrets) {

  public ClusterState {
    ingresses = List.copyOf(ingresses);
    ingressClasses = List.copyOf(ingressClasses);
    services = List.copyOf(services);
    endpointSlices = List.copyOf(endpointSlices);
    listeners = List.copyOf(listeners);
    secrets = List.copyOf(secrets);
  }

  public static ClusterState empty() {
    return new ClusterState(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
  }
}
