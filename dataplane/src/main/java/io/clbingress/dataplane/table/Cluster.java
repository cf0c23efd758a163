package io.clbingress.dataplane.table;

import java.util.List;
import java.util.Objects;

/**
 * A set of interchangeable backend endpoints. An empty endpoint list is legal: its routes answer 503.
 *
 * @param name unique in the table, e.g. {@code default/web:80}
 * @param protocol how the data plane talks to the endpoints
 */
public record Cluster(String name, BackendProtocol protocol, Scheduler scheduler, List<Endpoint> endpoints) {

  public Cluster {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(scheduler, "scheduler");
    endpoints = List.copyOf(endpoints);
  }
}
