package io.clbingress.operator.state;

import java.util.List;
import java.util.Map;

/**
 * A Service: its ports, annotations (for {@code clb.ingress.io/static-endpoints}) and cluster IP.
 *
 * @param clusterIp {@code spec.clusterIP}: an address, {@code None} for a headless Service, or null
 *     when not set (yet)
 */
public record ServiceInfo(ObjectRef ref, Map<String, String> annotations, List<Port> ports, String clusterIp) {

  public ServiceInfo {
    annotations = Map.copyOf(annotations);
    ports = List.copyOf(ports);
  }

  public ServiceInfo(ObjectRef ref, Map<String, String> annotations, List<Port> ports) {
    this(ref, annotations, ports, null);
  }

  /** Whether it has a virtual IP that kube-proxy balances (not headless, not unset). */
  public boolean hasClusterIp() {
    return clusterIp != null && !clusterIp.isBlank() && !clusterIp.equals("None");
  }

  /** One {@code spec.ports[]} entry; name may be null for a single unnamed port. */
  public record Port(String name, int port) {
  }
}
