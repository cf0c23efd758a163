package io.clbingress.operator.state;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What translation needs of a networking.k8s.io/v1 Ingress, copied out of the mutable API object.
 *
 * @param className {@code spec.ingressClassName}, or null
 * @param defaultBackend {@code spec.defaultBackend}, or null
 */
public record IngressInfo(ObjectRef ref, Instant created, String className, Map<String, String> annotations,
    BackendRef defaultBackend, List<Rule> rules, List<Tls> tls) {

  public IngressInfo {
    Objects.requireNonNull(ref, "ref");
    created = Objects.requireNonNullElse(created, Instant.EPOCH);
    annotations = Map.copyOf(annotations);
    rules = List.copyOf(rules);
    tls = List.copyOf(tls);
  }

  /** One {@code spec.rules[]} entry; host null when the rule has none. */
  public record Rule(String host, List<HttpPath> paths) {
    public Rule {
      paths = List.copyOf(paths);
    }
  }

  /** One {@code http.paths[]} entry as written: path and pathType may be null or invalid. */
  public record HttpPath(String path, String pathType, BackendRef backend) {
  }

  /** One {@code spec.tls[]} entry. */
  public record Tls(List<String> hosts, String secretName) {
    public Tls {
      hosts = List.copyOf(hosts);
    }
  }
}
