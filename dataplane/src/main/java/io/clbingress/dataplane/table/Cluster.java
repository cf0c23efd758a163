package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * A set of interchangeable backend endpoints. An empty endpoint list is legal: its routes answer 503.
 *
 * @param name unique in the table, e.g. {@code default/web:80}
 * @param protocol how the data plane talks to the endpoints
 * @param healthCheck the active check of its endpoints; null for none (passive ejection always applies)
 */
public record Cluster(String name, BackendProtocol protocol, Scheduler scheduler, List<Endpoint> endpoints,
    @JsonInclude(JsonInclude.Include.NON_NULL) HealthCheck healthCheck) {

  public Cluster {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(scheduler, "scheduler");
    endpoints = List.copyOf(endpoints);
  }

  public Cluster(String name, BackendProtocol protocol, Scheduler scheduler, List<Endpoint> endpoints) {
    this(name, protocol, scheduler, endpoints, null);
  }
}
