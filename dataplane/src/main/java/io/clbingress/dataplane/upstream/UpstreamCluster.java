package io.clbingress.dataplane.upstream;

import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.HashKeyPart;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A cluster ready for traffic: its endpoints and the picker its scheduler asks for. */
public final class UpstreamCluster {

  private final Cluster cluster;
  private final EndpointPicker picker;
  /** {@link Cluster#hashBy} parsed, or null: the picker hashes the client's address. */
  private final List<HashKeyPart> hashKey;

  /** Each endpoint's session id (sticky-session cookies name endpoints by it, not by address). */
  private final String[] sessionIds;
  private final Map<String, Integer> indexBySessionId = new HashMap<>();

  private UpstreamCluster(Cluster cluster, EndpointPicker picker) {
    this.cluster = cluster;
    this.picker = picker;
    this.hashKey = cluster.hashBy() == null ? null : HashKeyPart.parse(cluster.hashBy());
    this.sessionIds = new String[cluster.endpoints().size()];
    for (int i = 0; i < sessionIds.length; i++) {
      sessionIds[i] = Long.toHexString(HashRing.hash(cluster.endpoints().get(i).toString()));
      indexBySessionId.put(sessionIds[i], i);
    }
  }

  /** The id that a session cookie carries for endpoint {@code index}; stable while its address is. */
  public String sessionId(int index) {
    return sessionIds[index];
  }

  /** The endpoint index of a session id, or -1 when no endpoint of this cluster has it (any more). */
  public int indexOfSession(String sessionId) {
    return indexBySessionId.getOrDefault(sessionId, -1);
  }

  /**
   * @param load the data plane's open requests and tunnels per endpoint, for LEAST_CONN
   * @param health the data plane's endpoint health, which pickers avoid
   */
  public static UpstreamCluster of(Cluster cluster, EndpointLoad load, EndpointHealth health) {
    return new UpstreamCluster(cluster,
        EndpointPicker.forScheduler(cluster.scheduler(), cluster.endpoints(), load, health));
  }

  /** What the consistent hash is computed over instead of the client's address, or null. */
  public List<HashKeyPart> hashKey() {
    return hashKey;
  }

  /** The table's cluster this was made from. */
  public Cluster definition() {
    return cluster;
  }

  public String name() {
    return cluster.name();
  }

  public boolean isTls() {
    return cluster.protocol() == BackendProtocol.HTTPS;
  }

  public List<Endpoint> endpoints() {
    return cluster.endpoints();
  }

  public boolean hasEndpoints() {
    return !cluster.endpoints().isEmpty();
  }

  /** Whether the cluster still has this endpoint's address (its weight may have changed). */
  public boolean contains(Endpoint endpoint) {
    for (Endpoint candidate : cluster.endpoints()) {
      if (candidate.sameAddress(endpoint)) {
        return true;
      }
    }
    return false;
  }

  public EndpointPicker picker() {
    return picker;
  }
}
