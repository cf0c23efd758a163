package io.clbingress.operator.status;

import io.clbingress.operator.state.ObjectRef;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Puts the data plane's address into {@code status.loadBalancer.ingress} of every Ingress that is
 * programmed, writing only when it differs from what the Ingress already says (a rebuild loop
 * writes nothing). Status goes through the status subresource with a plain update.
 */
public final class IngressStatusWriter {

  private static final Logger LOG = LogManager.getLogger(IngressStatusWriter.class);

  private final KubernetesClient client;
  private final Supplier<List<LoadBalancerIngress>> address;

  public IngressStatusWriter(KubernetesClient client, Supplier<List<LoadBalancerIngress>> address) {
    this.client = client;
    this.address = address;
  }

  /**
   * @param programmed the Ingresses in the routing table
   * @param current the Ingress as the cluster has it now (the informer's copy, not to be changed)
   */
  public void write(Set<ObjectRef> programmed, Function<ObjectRef, Ingress> current) {
    List<IngressLoadBalancerIngress> wanted = address.get().stream()
        .map(a -> new IngressLoadBalancerIngressBuilder().withIp(a.getIp()).withHostname(a.getHostname()).build())
        .toList();
    if (wanted.isEmpty()) {
      return;
    }
    for (ObjectRef ref : programmed) {
      Ingress ingress = current.apply(ref);
      if (ingress == null || Objects.equals(statusOf(ingress), wanted)) {
        continue;
      }
      Ingress updated = new IngressBuilder(ingress).editOrNewStatus().editOrNewLoadBalancer()
          .withIngress(wanted).endLoadBalancer().endStatus().build();
      try {
        client.network().v1().ingresses().inNamespace(ref.namespace()).resource(updated).updateStatus();
        LOG.info("{}: status.loadBalancer.ingress set to {}", ref, describe(wanted));
      } catch (KubernetesClientException e) {
        LOG.warn("{}: cannot write status ({}); will try again on the next change", ref, e.getMessage());
      }
    }
  }

  private static List<IngressLoadBalancerIngress> statusOf(Ingress ingress) {
    if (ingress.getStatus() == null || ingress.getStatus().getLoadBalancer() == null) {
      return List.of();
    }
    List<IngressLoadBalancerIngress> entries = ingress.getStatus().getLoadBalancer().getIngress();
    return entries == null ? List.of() : entries.stream()
        .map(e -> new IngressLoadBalancerIngressBuilder().withIp(e.getIp()).withHostname(e.getHostname()).build())
        .toList();
  }

  private static String describe(List<IngressLoadBalancerIngress> entries) {
    return entries.stream().map(e -> e.getIp() != null ? e.getIp() : e.getHostname()).toList().toString();
  }
}
