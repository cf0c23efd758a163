package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * One backend address.
 *
 * @param weight its share of traffic relative to the cluster's other endpoints (a traffic split
 *     over several Services); null means 1, the weight of every endpoint of a plain Service
 */
public record Endpoint(String address, int port, @JsonInclude(JsonInclude.Include.NON_NULL) Integer weight) {

  public Endpoint {
    Objects.requireNonNull(address, "address");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("endpoint " + address + ": port out of range: " + port);
    }
    if (weight != null && weight < 1) {
      throw new IllegalArgumentException("endpoint " + address + ": weight must be positive: " + weight);
    }
    weight = weight == null || weight == 1 ? null : weight;
  }

  public Endpoint(String address, int port) {
    this(address, port, null);
  }

  @JsonIgnore
  public int weightOrOne() {
    return weight == null ? 1 : weight;
  }

  /** The same host and port, whatever the weight: the identity of a connection's endpoint. */
  public boolean sameAddress(Endpoint other) {
    return port == other.port && address.equals(other.address);
  }

  /** Host and port, as log lines and counters name an endpoint. */
  @Override
  public String toString() {
    return address.indexOf(':') >= 0 ? "[" + address + "]:" + port : address + ":" + port;
  }
}
