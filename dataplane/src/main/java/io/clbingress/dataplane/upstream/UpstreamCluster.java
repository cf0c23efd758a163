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

  public static UpstreamCluster of(Cluster cluster) {
    return new UpstreamCluster(cluster, EndpointPicker.forScheduler(cluster.scheduler(), cluster.endpoints()));
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

  public boolean contains(Endpoint endpoint) {
    return cluster.endpoints().contains(endpoint);
  }

  public EndpointPicker picker() {
    return picker;
  }
}
