package io.clbingress.dataplane.upstream;

import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import java.util.List;

/** A cluster ready for traffic: its endpoints and the picker its scheduler asks for. */
public final class UpstreamCluster {

  private final Cluster cluster;
  private final EndpointPicker picker;

  private UpstreamCluster(Cluster cluster, EndpointPicker picker) {
    this.cluster = cluster;
    this.picker = picker;
  }

  /** @param load the data plane's open requests and tunnels per endpoint, for LEAST_CONN */
  public static UpstreamCluster of(Cluster cluster, EndpointLoad load) {
    return new UpstreamCluster(cluster, EndpointPicker.forScheduler(cluster.scheduler(), cluster.endpoints(), load));
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
