package io.clbingress.operator.state;

import java.util.List;
import java.util.Map;

/** A Service: its ports, and annotations (for {@code clb.ingress.io/static-endpoints}). */
public record ServiceInfo(ObjectRef ref, Map<String, String> annotations, List<Port> ports) {

  public ServiceInfo {
    annotations = Map.copyOf(annotations);
    ports = List.copyOf(ports);
  }

  /** One {@code spec.ports[]} entry; name may be null for a single unnamed port. */
  public record Port(String name, int port) {
  }
}
