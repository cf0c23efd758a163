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
 * @param hashBy with {@link Scheduler#IP_HASH}: what the consistent hash is computed over instead of
 *     the client's address, in nginx variable syntax ({@link HashKeyPart}: {@code $request_uri},
 *     {@code $http_x_user}, {@code $cookie_session}...; ingress-nginx's {@code upstream-hash-by}); null
 *     for the client's address
 * @throws IllegalArgumentException for a hashBy with another scheduler, or one {@link HashKeyPart#parse} refuses
 */
public record Cluster(String name, BackendProtocol protocol, Scheduler scheduler, List<Endpoint> endpoints,
    @JsonInclude(JsonInclude.Include.NON_NULL) HealthCheck healthCheck,
    @JsonInclude(JsonInclude.Include.NON_NULL) String hashBy) {

  public Cluster {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(scheduler, "scheduler");
    endpoints = List.copyOf(endpoints);
    if (hashBy != null) {
      if (scheduler != Scheduler.IP_HASH) {
        throw new IllegalArgumentException("cluster " + name + " hashes by " + hashBy + " but its scheduler is " + scheduler);
      }
      HashKeyPart.parse(hashBy);
    }
  }

  public Cluster(String name, BackendProtocol protocol, Scheduler scheduler, List<Endpoint> endpoints,
      HealthCheck healthCheck) {
    this(name, protocol, scheduler, endpoints, healthCheck, null);
  }

  public Cluster(String name, BackendProtocol protocol, Scheduler scheduler, List<Endpoint> endpoints) {
    this(name, protocol, scheduler, endpoints, null);
  }
}
