package io.clbingress.operator.state;

import java.util.List;

/** An EndpointSlice of a Service ({@code kubernetes.io/service-name} label). */
public record EndpointSliceInfo(ObjectRef ref, String serviceName, List<Port> ports, List<Endpoint> endpoints) {

  public EndpointSliceInfo {
    ports = List.copyOf(ports);
    endpoints = List.copyOf(endpoints);
  }

  /** A port of the slice, named like the Service port it serves (null name for an unnamed one). */
  public record Port(String name, Integer port) {
  }

  /** Addresses of one endpoint; {@code ready} null counts as ready, as the API documents. */
  public record Endpoint(List<String> addresses, Boolean ready) {
    public Endpoint {
      addresses = List.copyOf(addresses);
    }

    public boolean isReady() {
      return ready == null || ready;
    }
  }
}
