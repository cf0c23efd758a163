package io.clbingress.operator.status;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The address that goes into {@code status.loadBalancer.ingress} of served Ingresses: a fixed
 * one ({@code --publish-address}), or that of the data plane's Service ({@code --publish-service}):
 * its load balancer addresses, else its external IPs, else its cluster IP.
 */
public final class PublishAddress {

  private static final Pattern IP = Pattern.compile("[0-9.]+|[0-9a-fA-F:]+");

  private PublishAddress() {
  }

  public static Supplier<List<LoadBalancerIngress>> fixed(String address) {
    List<LoadBalancerIngress> addresses = List.of(entry(address));
    return () -> addresses;
  }

  public static Supplier<List<LoadBalancerIngress>> ofService(KubernetesClient client, String namespace, String name) {
    return () -> {
      Service service = client.services().inNamespace(namespace).withName(name).get();
      if (service == null) {
        return List.of();
      }
      if (service.getStatus() != null && service.getStatus().getLoadBalancer() != null
          && service.getStatus().getLoadBalancer().getIngress() != null
          && !service.getStatus().getLoadBalancer().getIngress().isEmpty()) {
        return service.getStatus().getLoadBalancer().getIngress().stream()
            .map(i -> new LoadBalancerIngressBuilder().withIp(i.getIp()).withHostname(i.getHostname()).build())
            .toList();
      }
      var spec = service.getSpec();
      if (spec != null && spec.getExternalIPs() != null && !spec.getExternalIPs().isEmpty()) {
        return spec.getExternalIPs().stream().map(PublishAddress::entry).toList();
      }
      return spec == null || spec.getClusterIP() == null || spec.getClusterIP().equals("None")
          ? List.of() : List.of(entry(spec.getClusterIP()));
    };
  }

  public static Supplier<List<LoadBalancerIngress>> none() {
    return List::of;
  }

  private static LoadBalancerIngress entry(String address) {
    return IP.matcher(address).matches()
        ? new LoadBalancerIngressBuilder().withIp(address).build()
        : new LoadBalancerIngressBuilder().withHostname(address).build();
  }
}
