package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.VirtualHost;
import io.clbingress.operator.state.BackendRef;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ObjectRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Collects the routes of accepted Ingresses, oldest first, into one listener: the first Ingress
 * to claim a host+path keeps it and later claimants get a problem naming it; otherwise rules of
 * different Ingresses merge into the same virtual hosts.
 */
final class HttpRouteBuilder {

  private static final Pattern DNS_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  /** Exact routes first, then longer prefixes first: the order a reader expects in /config. */
  private static final Comparator<Route> ROUTE_ORDER = Comparator
      .comparing((Route r) -> r.match() instanceof PathMatch.Exact ? 0 : 1)
      .thenComparing(r -> -r.match().path().length())
      .thenComparing(r -> r.match().path());

  private record Claim(IngressInfo owner, Route route) {
  }

  private final String listenerName;
  private final EndpointResolver resolver;
  private final List<Problem> problems;
  private final Map<String, Map<PathMatch, Claim>> hosts = new TreeMap<>();
  private final Map<String, Cluster> clusters = new TreeMap<>();
  private Claim defaultClaim;

  HttpRouteBuilder(String listenerName, EndpointResolver resolver, List<Problem> problems) {
    this.listenerName = listenerName;
    this.resolver = resolver;
    this.problems = problems;
  }

  void add(IngressInfo ingress, IngressOptions options) {
    for (int i = 0; i < ingress.rules().size(); i++) {
      addRule(ingress, options, ingress.rules().get(i), "spec.rules[" + i + "]");
    }
    if (ingress.defaultBackend() != null) {
      addDefault(ingress, options);
    }
  }

  private void addRule(IngressInfo ingress, IngressOptions options, IngressInfo.Rule rule, String field) {
    String host = normalizeHost(rule.host());
    if (host == null) {
      problems.add(new Problem(ingress.ref(), field + ".host", "\"" + rule.host()
          + "\" is not a DNS name or a wildcard of one label such as *.example.com; the rule is ignored"));
      return;
    }
    for (int j = 0; j < rule.paths().size(); j++) {
      String pathField = field + ".http.paths[" + j + "]";
      IngressInfo.HttpPath path = rule.paths().get(j);
      PathMatch match = pathMatch(ingress, path, pathField);
      String cluster = match == null ? null : cluster(ingress, options, path.backend(), pathField + ".backend");
      if (cluster != null) {
        claim(ingress, host, new Route(match, cluster, options.timeouts(), ingress.ref().toString()), pathField);
      }
    }
  }

  private void addDefault(IngressInfo ingress, IngressOptions options) {
    String cluster = cluster(ingress, options, ingress.defaultBackend(), "spec.defaultBackend");
    if (cluster == null) {
      return;
    }
    if (defaultClaim != null) {
      problems.add(new Problem(ingress.ref(), "spec.defaultBackend", "the default backend is already set by "
          + winner(defaultClaim.owner(), ingress) + "; this one is ignored"));
      return;
    }
    defaultClaim = new Claim(ingress,
        new Route(new PathMatch.Prefix("/"), cluster, options.timeouts(), ingress.ref().toString()));
  }

  private void claim(IngressInfo ingress, String host, Route route, String field) {
    Map<PathMatch, Claim> routes = hosts.computeIfAbsent(host, h -> new LinkedHashMap<>());
    Claim existing = routes.get(route.match());
    if (existing == null) {
      routes.put(route.match(), new Claim(ingress, route));
      return;
    }
    String what = "host " + host + " path " + route.match().path() + " ("
        + route.match().getClass().getSimpleName() + ")";
    String reason = existing.owner().ref().equals(ingress.ref())
        ? what + " appears twice in this Ingress; the first one is used"
        : what + " is already served by " + winner(existing.owner(), ingress) + "; this path is ignored";
    problems.add(new Problem(ingress.ref(), field, reason));
  }

  /** Names the Ingress that keeps a claim and says why it wins over {@code loser}. */
  private static String winner(IngressInfo winner, IngressInfo loser) {
    return winner.ref() + (winner.created().equals(loser.created())
        ? ", created at the same time and first by namespace/name"
        : ", which is older");
  }

  private PathMatch pathMatch(IngressInfo ingress, IngressInfo.HttpPath path, String field) {
    String type = path.pathType();
    String value = path.path() == null || path.path().isEmpty() ? null : path.path();
    if (type == null || !List.of("Exact", "Prefix", "ImplementationSpecific").contains(type)) {
      String what = type == null ? "is required" : "\"" + type + "\" is not valid";
      problems.add(new Problem(ingress.ref(), field + ".pathType", what
          + " (Exact, Prefix or ImplementationSpecific); the path is ignored"));
      return null;
    }
    if (value == null && type.equals("ImplementationSpecific")) {
      value = "/";
    }
    if (value == null || !value.startsWith("/")) {
      problems.add(new Problem(ingress.ref(), field + ".path", "\"" + path.path()
          + "\" is not an absolute path starting with /; the path is ignored"));
      return null;
    }
    return type.equals("Exact") ? new PathMatch.Exact(value) : PathMatch.Prefix.of(value);
  }

  /** The cluster for a backend, created on first use; null when the backend is not usable at all. */
  private String cluster(IngressInfo ingress, IngressOptions options, BackendRef backend, String field) {
    if (backend == null || !backend.isService()) {
      problems.add(new Problem(ingress.ref(), field, "only Service backends are supported; the path is ignored"));
      return null;
    }
    if (backend.portNumber() == null && backend.portName() == null) {
      problems.add(new Problem(ingress.ref(), field + ".service.port", "a port number or name is required; the path is ignored"));
      return null;
    }
    String namespace = ingress.ref().namespace();
    EndpointResolver.Resolution resolution = resolver.resolve(namespace, backend, ingress.ref(), field);
    if (resolution.problem() != null) {
      problems.add(resolution.problem());
    }
    String name = clusterName(namespace, backend, resolution.servicePort(), options);
    clusters.putIfAbsent(name, new Cluster(name, options.backendProtocol(), options.scheduler(), resolution.endpoints()));
    return name;
  }

  /** {@code namespace/service:port}, by port number once resolved, so that a port's name and number share a cluster. */
  private static String clusterName(String namespace, BackendRef backend, Integer servicePort, IngressOptions options) {
    StringBuilder name = new StringBuilder(namespace).append('/').append(backend.service()).append(':')
        .append(servicePort != null ? servicePort.toString() : backend.portText());
    if (options.scheduler() != Scheduler.WRR) {
      name.append('/').append(options.scheduler());
    }
    if (options.backendProtocol() != BackendProtocol.HTTP) {
      name.append('/').append(options.backendProtocol());
    }
    return name.toString();
  }

  /** Lower-case host, {@code *} for a rule without one; null when it is not a valid host. */
  static String normalizeHost(String host) {
    if (host == null || host.isEmpty()) {
      return VirtualHost.ANY_HOST;
    }
    String lower = host.toLowerCase(Locale.ROOT);
    String name = lower.startsWith("*.") ? lower.substring(2) : lower;
    return DNS_NAME.matcher(name).matches() && lower.length() <= 253 ? lower : null;
  }

  Listener listener() {
    List<VirtualHost> virtualHosts = new ArrayList<>();
    hosts.forEach((host, claims) -> {
      List<Route> routes = claims.values().stream().map(Claim::route).sorted(ROUTE_ORDER).toList();
      virtualHosts.add(new VirtualHost(host, routes));
    });
    return new Listener(listenerName, Protocol.HTTP, Listener.PORT_FROM_FLAGS, virtualHosts,
        defaultClaim == null ? null : defaultClaim.route());
  }

  List<Cluster> clusters() {
    return List.copyOf(clusters.values());
  }
}
