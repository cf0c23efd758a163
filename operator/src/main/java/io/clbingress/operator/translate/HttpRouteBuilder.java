package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Canary;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.ErrorPages;
import io.clbingress.dataplane.table.HealthCheck;
import io.clbingress.dataplane.table.HttpHeader;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.TableText;
import io.clbingress.dataplane.table.VirtualHost;
import io.clbingress.dataplane.util.Capacity;
import io.clbingress.operator.state.BackendRef;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ListenerInfo;
import io.clbingress.operator.state.ObjectRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Collects the routes of one listener from accepted Ingresses and CLBListener rules, oldest
 * first: the first owner to claim a host+path keeps it and later claimants get a problem naming
 * it; otherwise rules of different owners merge into the same virtual hosts.
 */
final class HttpRouteBuilder {

  /** RFC 1123 names as Kubernetes validates Ingress hosts: labels of at most 63 characters. */
  private static final Pattern DNS_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*");
  /**
   * Exact routes first, then regular expressions, then prefixes, each longer first: the order a
   * reader expects in /config, and the order the data plane tries regular expressions in. Regular
   * expressions of one length come in descending text order, as ingress-nginx orders its locations
   * (sorted by path descending, then stably by length descending).
   */
  private static final Comparator<Route> ROUTE_ORDER = Comparator
      .comparing((Route r) -> r.match() instanceof PathMatch.Exact ? 0 : r.match() instanceof PathMatch.RegularExpression ? 1 : 2)
      .thenComparing(r -> -r.match().path().length())
      .thenComparing((a, b) -> a.match() instanceof PathMatch.RegularExpression
          ? b.match().path().compareTo(a.match().path()) : a.match().path().compareTo(b.match().path()));

  private record Claim(RouteSource owner, Route route) {
  }

  /**
   * A route an owner asks for on a host; {@code field} names where, for problems; {@code written}
   * is the path as written, or null (app-root's route, a default backend).
   */
  private record PathClaim(String host, Route route, String field, String written) {
  }

  /**
   * What one owner (an Ingress, or a CLBListener rule) adds to a listener, computed from it alone:
   * its problems, the clusters of its backends, the routes it claims. Merging contributions in the
   * owners' order (oldest first) settles which claims win; an Ingress's contribution is kept by the
   * {@link TranslationCache} and merged again while its inputs are the same objects.
   */
  static final class Contribution {
    private final IngressInfo ingress;
    private final RouteSource source;
    /** What the resolution of each backend read, to tell whether it still holds. */
    private final List<EndpointResolver.Inputs> inputs = new ArrayList<>();
    private final List<Problem> problems = new ArrayList<>();
    private final List<Cluster> clusters = new ArrayList<>();
    private final List<PathClaim> claims = new ArrayList<>();
    private PathClaim defaultClaim;
    /** The cluster of its default-backend annotation's Service, or null. */
    private String errorCluster;

    private Contribution(IngressInfo ingress, RouteSource source) {
      this.ingress = ingress;
      this.source = source;
    }

    IngressInfo ingress() {
      return ingress;
    }

    /** Whether this was computed from these very inputs, so that computing it again would give the same. */
    private boolean holdsFor(IngressInfo other, RouteSource otherSource, EndpointResolver resolver, boolean sameBackends) {
      return ingress == other && (source == otherSource || source.equals(otherSource))
          && (sameBackends || inputs.stream().allMatch(resolver::unchanged));
    }
  }

  /**
   * The routes of one host on this listener, merged from the contributions that claim paths on it
   * (in merge order: oldest owner first, canaries last), and the problems the merge gave. Claims on
   * different hosts never meet, so a host whose owners are the very contributions of the last
   * translation, in the same order, merges to the same routes: the {@link TranslationCache} keeps
   * each host's, and a change of one Ingress among thousands merges only its own hosts again.
   */
  static final class HostRoutes {
    /** The contributions merged, in order; empty for a www alias's redirect. */
    private final List<Contribution> owners;
    private final Map<PathMatch, Claim> claims = new LinkedHashMap<>();
    private final List<Problem> problems = new ArrayList<>();
    /**
     * The virtual hosts made of these routes, under the keys of their listener and redirect
     * setting ({@link #virtualHost}); HTTP and HTTPS share one when alike. Two slots: a host is on
     * the default HTTP and HTTPS listeners, or on one CLBListener.
     */
    private String firstKey;
    private VirtualHost first;
    private String secondKey;
    private VirtualHost second;

    private HostRoutes(List<Contribution> owners) {
      this.owners = owners;
    }

    /** Whether these were merged from these very contributions in this order. */
    boolean mergedFrom(List<Contribution> others) {
      return TranslationCache.sameObjects(owners, others);
    }
  }

  /** What a backend without endpoints means for an HTTP route, at the end of its problem. */
  private static final String ANSWERS_503 = "the route answers 503";

  private final String listenerName;
  private final int port;
  private final String defaultDomain;
  private final EndpointResolver resolver;
  private final List<Problem> problems;
  private final TranslationCache cache;
  /** The last translation's contributions to this listener, and where this one's are kept (both by owner). */
  private final Map<ObjectRef, Contribution> lastContributions;
  private final Map<ObjectRef, Contribution> keptContributions;
  /** Each host's routes, by host ({@link #listener} puts them in order). */
  private final Map<String, HostRoutes> hosts;
  /** By name, the first of each name kept; in no order (the table's clusters are sorted by name later). */
  private final Map<String, Cluster> clusters;
  private Claim defaultClaim;
  /**
   * The names of {@link #hosts} in order, worked out once for the listeners made of them; null when
   * hosts changed. Once per translation ({@link TranslationCache#sortedKeys}): routes are added
   * before the first listener is made, never between two.
   */
  private List<String> sortedHosts;
  /** Contributions added and not merged yet, in the order added ({@link #mergeAll}). */
  private final List<Contribution> pending = new ArrayList<>();

  /** @param defaultDomain the host whose routes serve requests for unknown hosts, or null */
  HttpRouteBuilder(String listenerName, int port, String defaultDomain, EndpointResolver resolver, List<Problem> problems,
      TranslationCache cache) {
    this.cache = cache;
    this.listenerName = listenerName;
    this.port = port;
    this.defaultDomain = defaultDomain;
    this.resolver = resolver;
    this.problems = problems;
    this.lastContributions = cache.contributions(listenerName);
    this.keptContributions = cache.keptContributions(listenerName);
    // as many as the last translation had (thousands: no resizing while they are put)
    this.hosts = new HashMap<>(Capacity.forEntries(cache.hostRoutes(listenerName).size()));
    this.clusters = new HashMap<>(Capacity.forEntries(lastContributions.size()));
  }

  /** An Ingress's rules and default backend; what the last translation computed for it when its inputs are the same. */
  void add(IngressInfo ingress, RouteSource source) {
    Contribution contribution = lastContributions.get(ingress.ref());
    if (contribution == null || !contribution.holdsFor(ingress, source, resolver, cache.sameBackends())) {
      contribution = contribution(ingress, source);
    }
    keptContributions.put(ingress.ref(), contribution);
    pending.add(contribution);
  }

  private Contribution contribution(IngressInfo ingress, RouteSource source) {
    Contribution c = new Contribution(ingress, source);
    if (source.errorBackend() != null) {
      c.errorCluster = errorCluster(c, source.errorBackend());
    }
    Set<String> appRooted = new HashSet<>();
    for (int i = 0; i < ingress.rules().size(); i++) {
      IngressInfo.Rule rule = ingress.rules().get(i);
      String field = "spec.rules[" + i + "]";
      String host = host(c, rule.host(), field);
      if (host != null && source.appRoot() != null && appRooted.add(host)) {
        // before the Ingress's own paths: ingress-nginx answers / with app-root's redirect first
        c.claims.add(new PathClaim(host, source.appRootRoute(), Problem.annotationField(AnnotationSpec.APP_ROOT.key()),
            null));
      }
      for (int j = 0; host != null && j < rule.paths().size(); j++) {
        IngressInfo.HttpPath path = rule.paths().get(j);
        addPath(c, host, path.path(), path.pathType(), path.backend(), field + ".http.paths[" + j + "]");
      }
    }
    if (ingress.defaultBackend() != null) {
      addDefault(c, ingress.defaultBackend(), "spec.defaultBackend", withoutEndpoints(c));
    }
    return c;
  }

  /** One forwarding rule of a CLBListener: to one Service, split over several by weight, or a redirect. */
  void add(ListenerInfo.Rule rule, String field, RouteSource source) {
    Contribution c = new Contribution(null, source);
    String host = host(c, rule.host(), field);
    String pathType = rule.pathType() == null ? "Prefix" : rule.pathType();
    if (host != null && rule.redirect() != null) {
      // answered with the source's RequestRedirect: no cluster
      PathMatch match = pathMatch(c, rule.path(), pathType, field);
      if (match != null) {
        c.claims.add(new PathClaim(host, source.route(match, null), field, written(rule.path())));
      }
    } else if (host != null && rule.backends().isEmpty()) {
      addPath(c, host, rule.path(), pathType, rule.backend(), field);
    } else if (host != null) {
      PathMatch match = pathMatch(c, rule.path(), pathType, field);
      String cluster = match == null ? null : splitCluster(c, rule.backends(), field + ".backends");
      if (cluster != null) {
        c.claims.add(new PathClaim(host, source.route(match, cluster), field, written(rule.path())));
      }
    }
    pending.add(c);
  }

  /**
   * Merges the contributions added, in their order (oldest owner first; canaries last, each joins
   * the route of another owner whatever their ages), once: which hosts have regular-expression
   * paths depends on every owner of the host, so no claim is settled before all are known. Each
   * host is merged from the contributions claiming paths on it, or taken over from the last
   * translation when they are the same ({@link HostRoutes}).
   */
  private void mergeAll() {
    if (pending.isEmpty()) {
      return;
    }
    sortedHosts = null;
    List<Contribution> ordered = new ArrayList<>(pending.size());
    List<Contribution> canaries = new ArrayList<>();
    for (Contribution c : pending) {
      (c.source.canary() == null ? ordered : canaries).add(c);
    }
    ordered.addAll(canaries);
    Map<String, List<Contribution>> ownersByHost = new HashMap<>(Capacity.forEntries(pending.size()));
    for (Contribution c : ordered) {
      if (!c.problems.isEmpty()) {
        problems.addAll(c.problems);
      }
      for (Cluster cluster : c.clusters) {
        clusters.putIfAbsent(cluster.name(), cluster);
      }
      for (PathClaim claim : c.claims) {
        List<Contribution> owners = ownersByHost.computeIfAbsent(claim.host(), h -> new ArrayList<>(1));
        if (owners.isEmpty() || owners.get(owners.size() - 1) != c) {
          owners.add(c);
        }
      }
      if (c.defaultClaim != null && c.source.canary() != null) {
        problems.add(new Problem(c.source.owner(), c.defaultClaim.field(), "a canary Ingress shares the routes of"
            + " another Ingress's paths; its default backend is not used"));
      } else if (c.defaultClaim != null) {
        claimDefault(c.source, c.defaultClaim.route(), c.defaultClaim.field());
      }
    }
    Map<String, HostRoutes> lastRoutes = cache.hostRoutes(listenerName);
    Map<String, HostRoutes> keptRoutes = cache.keptHostRoutes(listenerName);
    ownersByHost.forEach((host, owners) -> {
      HostRoutes last = lastRoutes.get(host);
      HostRoutes routes = last != null && last.mergedFrom(owners) ? last : merge(host, owners);
      keptRoutes.put(host, routes);
      if (!routes.problems.isEmpty()) {
        problems.addAll(routes.problems);
      }
      if (!routes.claims.isEmpty()) { // a host only canaries claim, whose paths were ignored, has none
        hosts.put(host, routes);
      }
    });
    for (Contribution c : pending) {
      if (c.source.fromToWww() && c.source.canary() == null) {
        c.claims.forEach(claim -> addWwwAlias(c.source, claim.host()));
      }
    }
    pending.clear();
  }

  /** One host's routes from the contributions claiming paths on it, in merge order. */
  private static HostRoutes merge(String host, List<Contribution> owners) {
    HostRoutes routes = new HostRoutes(owners);
    // a canary's own annotations are not its routes' (ingress-nginx builds no location from a canary)
    boolean regex = owners.stream().anyMatch(c -> c.source.rewrite().useRegex() && c.source.canary() == null);
    for (Contribution c : owners) {
      for (PathClaim claim : c.claims) {
        if (claim.host().equals(host)) {
          claim(routes, regex, c.source, claim);
        }
      }
    }
    return routes;
  }

  /**
   * One cluster holding the endpoints of every weighted Service, each endpoint weighted so that
   * its Service gets its share: weight × (L / endpoints of that Service), L the least common
   * multiple of the endpoint counts. A Service with no endpoint (or weight 0) gets no traffic.
   *
   * @return the cluster's name, or null when no Service can take traffic (after a problem)
   */
  private String splitCluster(Contribution c, List<ListenerInfo.WeightedBackend> backends, String field) {
    RouteSource source = c.source;
    List<String> parts = new ArrayList<>();
    List<List<Endpoint>> endpointsOf = new ArrayList<>();
    List<Integer> weights = new ArrayList<>();
    for (int i = 0; i < backends.size(); i++) {
      ListenerInfo.WeightedBackend entry = backends.get(i);
      EndpointResolver.Resolution resolution = resolve(c, entry.backend(), field + "[" + i + "]", ANSWERS_503);
      if (resolution == null) {
        return null;
      }
      int weight = entry.weight() == null ? 1 : entry.weight();
      if (weight < 0 || weight > 100) {
        c.problems.add(new Problem(source.owner(), field + "[" + i + "].weight", weight
            + " is out of range (0-100); the rule is ignored"));
        return null;
      }
      parts.add(clusterName(source.owner().namespace(), entry.backend(), resolution.servicePort(), source) + "*" + weight);
      endpointsOf.add(resolution.endpoints());
      weights.add(weight);
    }
    if (weights.stream().allMatch(w -> w == 0)) {
      c.problems.add(new Problem(source.owner(), field, "every weight is 0, so no Service would get traffic; the rule is ignored"));
      return null;
    }
    long multiple = 1;
    for (int i = 0; i < endpointsOf.size(); i++) {
      if (weights.get(i) > 0 && !endpointsOf.get(i).isEmpty()) {
        multiple = lcm(multiple, endpointsOf.get(i).size());
      }
    }
    Map<String, Endpoint> merged = new TreeMap<>();
    for (int i = 0; i < endpointsOf.size(); i++) {
      for (Endpoint endpoint : endpointsOf.get(i)) {
        long share = weights.get(i) * (multiple / endpointsOf.get(i).size());
        if (share > 0) {
          Endpoint existing = merged.get(endpoint.toString());
          long weight = share + (existing == null ? 0 : existing.weightOrOne());
          merged.put(endpoint.toString(), new Endpoint(endpoint.address(), endpoint.port(),
              (int) Math.min(Integer.MAX_VALUE, weight)));
        }
      }
    }
    String name = String.join("+", parts);
    c.clusters.add(new Cluster(name, source.protocol(), source.scheduler(), List.copyOf(merged.values()),
        source.healthCheck(), source.hashBy()));
    return name;
  }

  private static long lcm(long a, long b) {
    return a / java.math.BigInteger.valueOf(a).gcd(java.math.BigInteger.valueOf(b)).longValue() * b;
  }

  private static String host(Contribution c, String host, String field) {
    String normalized = normalizeHost(host);
    if (normalized == null) {
      c.problems.add(new Problem(c.source.owner(), field + ".host", "\"" + host
          + "\" is not a DNS name or a wildcard of one label such as *.example.com; the rule is ignored"));
    }
    return normalized;
  }

  private void addPath(Contribution c, String host, String path, String pathType, BackendRef backend, String field) {
    PathMatch match = pathMatch(c, path, pathType, field);
    String problem = match != null && c.source.rewrite().useRegex() ? Rewrite.patternProblem(written(path)) : null;
    if (problem != null) {
      c.problems.add(new Problem(c.source.owner(), field + ".path", "\"" + TableText.printable(path)
          + "\" is not a usable regular expression as use-regex and rewrite-target read paths (RE2 syntax): " + problem
          + "; the path is ignored"));
      return;
    }
    String cluster = match == null ? null : cluster(c, backend, field + ".backend", withoutEndpoints(c));
    if (cluster != null) {
      c.claims.add(new PathClaim(host, withErrorBackend(c, c.source.route(match, cluster), backend), field,
          written(path)));
    }
  }

  /**
   * The cluster of an Ingress's {@code default-backend} Service (first port, plain HTTP, round
   * robin); null, after a problem naming the annotation, when there is no such Service.
   */
  private String errorCluster(Contribution c, ErrorBackend errorBackend) {
    ObjectRef owner = c.source.owner();
    String field = Problem.annotationField(IngressOptions.annotationKey(c.ingress.annotations(),
        AnnotationSpec.DEFAULT_BACKEND));
    c.inputs.add(resolver.inputs(owner.namespace(), errorBackend.service()));
    BackendRef first = resolver.firstPort(owner.namespace(), errorBackend.service());
    if (first == null) {
      c.problems.add(new Problem(owner, field, "Service " + owner.namespace() + "/" + errorBackend.service()
          + " not found, or it has no port; the Ingress's routes answer without it"));
      return null;
    }
    EndpointResolver.Resolution resolution = resolver.resolve(owner.namespace(), first, owner, field,
        "the Ingress's routes answer without it");
    if (resolution.problem() != null) {
      c.problems.add(resolution.problem());
    }
    String name = owner.namespace() + "/" + errorBackend.service() + ":" + first.portNumber();
    c.clusters.add(new Cluster(name, BackendProtocol.HTTP, Scheduler.WRR, resolution.endpoints()));
    return name;
  }

  /** What a backend without endpoints means for a route of this contribution, at the end of its problem. */
  private static String withoutEndpoints(Contribution c) {
    return c.errorCluster == null ? ANSWERS_503 : "the route's requests go to default-backend "
        + c.source.errorBackend().service();
  }

  /**
   * A route of an Ingress with a default-backend: to that Service instead when its own has no
   * endpoint (ingress-nginx's rule), and with the {@link ErrorPages} of custom-http-errors either
   * way, sent with ingress-nginx's X-Namespace, X-Ingress-Name, X-Service-Name and X-Service-Port.
   */
  private static Route withErrorBackend(Contribution c, Route route, BackendRef backend) {
    if (c.errorCluster == null) {
      return route;
    }
    boolean empty = c.clusters.stream().anyMatch(cluster -> cluster.name().equals(route.cluster())
        && cluster.endpoints().isEmpty());
    Route routed = empty ? route.withCluster(c.errorCluster) : route;
    List<Integer> codes = c.source.errorBackend().codes();
    ObjectRef owner = c.source.owner();
    return codes.isEmpty() ? routed : routed.withFilter(new ErrorPages(c.errorCluster, codes, List.of(
        new HttpHeader("X-Namespace", owner.namespace()), new HttpHeader("X-Ingress-Name", owner.name()),
        new HttpHeader("X-Service-Name", backend.service()), new HttpHeader("X-Service-Port", backend.portText()))));
  }

  /** A path as its owner wrote it: {@code /} for none (ImplementationSpecific may leave it out). */
  private static String written(String path) {
    return path == null || path.isEmpty() ? "/" : path;
  }

  /** The one Service of a TCP or TCP_SSL listener: every connection takes the listener's default route. */
  void addLayer4Backend(BackendRef backend, RouteSource source) {
    Contribution c = new Contribution(null, source);
    addDefault(c, backend, "spec.backend", "the listener closes its connections");
    pending.add(c);
  }

  private void addDefault(Contribution c, BackendRef backend, String field, String consequence) {
    String cluster = cluster(c, backend, field, consequence);
    if (cluster != null) {
      c.defaultClaim = new PathClaim(null, withErrorBackend(c, c.source.route(new PathMatch.Prefix("/"), cluster),
          backend), field, null);
    }
  }

  private void claimDefault(RouteSource source, Route route, String field) {
    if (defaultClaim != null) {
      problems.add(new Problem(source.owner(), field, "the default backend is already set by "
          + winner(defaultClaim.owner(), source) + "; this one is ignored"));
      return;
    }
    defaultClaim = new Claim(source, route);
  }

  /**
   * Claims a route for its owner, unless an older owner has its match. On a host with regular
   * expressions ({@link Rewrite}) a written path is matched as one, as ingress-nginx enforces its
   * regex modifier on every location of such a server, so {@code /a} and {@code /a/} are two routes
   * there, and Exact and Prefix {@code /a} one.
   */
  private static void claim(HostRoutes routes, boolean regex, RouteSource source, PathClaim claim) {
    String host = claim.host();
    String field = claim.field();
    Route route = claim.route();
    List<Problem> problems = routes.problems;
    if (regex && claim.written() != null) {
      try {
        route = source.regexRoute(claim.route(), claim.written());
      } catch (IllegalArgumentException e) {
        // a path too large to match as a pattern (its owner's own patterns were checked before)
        problems.add(new Problem(source.owner(), field + ".path", "host " + host + " matches paths as regular"
            + " expressions (another Ingress set use-regex or rewrite-target), and this one cannot be: "
            + e.getMessage() + "; the path is ignored"));
        return;
      }
    }
    if (source.canary() != null) {
      joinAsCanary(routes, source, host, route, field);
      return;
    }
    Claim existing = routes.claims.get(route.match());
    if (existing == null) {
      routes.claims.put(route.match(), new Claim(source, route));
      return;
    }
    String what = "host " + host + " path " + route.match().path() + " ("
        + route.match().getClass().getSimpleName() + ")";
    String reason = existing.owner().owner().equals(source.owner())
        ? what + " appears twice in this " + source.owner().kind() + "; the first one is used"
        : what + " is already served by " + winner(existing.owner(), source) + "; this path is ignored";
    problems.add(new Problem(source.owner(), field, reason));
  }

  /**
   * The www alias of a host ({@code www.example.com} for {@code example.com}, {@code example.com}
   * for {@code www.example.com}), redirecting to it, unless some owner serves the alias (or it is
   * no valid name): ingress-nginx's from-to-www-redirect, which skips an alias another Ingress has.
   */
  private void addWwwAlias(RouteSource source, String host) {
    if (host.equals(VirtualHost.ANY_HOST) || host.startsWith("*.")) {
      return;
    }
    String alias = normalizeHost(host.startsWith("www.") ? host.substring(4) : "www." + host);
    if (alias == null || hosts.containsKey(alias) || alias.equals(VirtualHost.ANY_HOST)) {
      return;
    }
    Route redirect = source.wwwAliasRoute(host);
    HostRoutes routes = new HostRoutes(List.of());
    routes.claims.put(redirect.match(), new Claim(source, redirect));
    hosts.put(alias, routes);
  }

  /**
   * A canary Ingress's path joins the route another owner has for the same host and match, as
   * its {@link Canary} to the canary's cluster (ingress-nginx merges a canary into the main
   * Ingress's location); with no such route, or one that already has a canary or forwards
   * nowhere, the path is not served, and a problem says why.
   */
  private static void joinAsCanary(HostRoutes routes, RouteSource source, String host, Route route, String field) {
    List<Problem> problems = routes.problems;
    Claim main = routes.claims.get(route.match());
    String what = "host " + host + " path " + route.match().path() + " (" + route.match().getClass().getSimpleName() + ")";
    if (main == null) {
      problems.add(new Problem(source.owner(), field, what + " is served by no other Ingress, so this canary has no"
          + " route to share; the path is ignored"));
    } else if (main.route().filter(Canary.class) != null) {
      problems.add(new Problem(source.owner(), field, what + " already has a canary; this one is ignored"));
    } else if (main.route().cluster() == null) {
      problems.add(new Problem(source.owner(), field, what + " answers with a redirect; this canary is ignored"));
    } else {
      routes.claims.put(route.match(), new Claim(main.owner(), main.route().withFilter(source.canary().filter(route.cluster()))));
    }
  }

  /** Names the owner that keeps a claim and says why it wins over {@code loser}. */
  private static String winner(RouteSource winner, RouteSource loser) {
    if (!winner.owner().kind().equals(loser.owner().kind())) {
      return "a rule of " + winner.owner() + " (a listener's rules come before the Ingresses bound to it)";
    }
    return winner.owner() + (winner.created().equals(loser.created())
        ? ", created at the same time and first by namespace/name"
        : ", which is older");
  }

  private static PathMatch pathMatch(Contribution c, String path, String type, String field) {
    RouteSource source = c.source;
    String value = path == null || path.isEmpty() ? null : path;
    if (type == null || !List.of("Exact", "Prefix", "ImplementationSpecific").contains(type)) {
      String what = type == null ? "is required" : "\"" + type + "\" is not valid";
      c.problems.add(new Problem(source.owner(), field + ".pathType", what
          + " (Exact, Prefix or ImplementationSpecific); the path is ignored"));
      return null;
    }
    if (value == null && type.equals("ImplementationSpecific")) {
      value = "/";
    }
    if (value == null || !value.startsWith("/")) {
      c.problems.add(new Problem(source.owner(), field + ".path", "\"" + path
          + "\" is not an absolute path starting with /; the path is ignored"));
      return null;
    }
    return type.equals("Exact") ? new PathMatch.Exact(value) : PathMatch.Prefix.of(value);
  }

  /** The name of the cluster for a backend (the cluster goes into the contribution); null when the backend is not usable at all. */
  private String cluster(Contribution c, BackendRef backend, String field, String consequence) {
    EndpointResolver.Resolution resolution = resolve(c, backend, field, consequence);
    if (resolution == null) {
      return null;
    }
    RouteSource source = c.source;
    String name = clusterName(source.owner().namespace(), backend, resolution.servicePort(), source);
    c.clusters.add(new Cluster(name, source.protocol(), source.scheduler(), resolution.endpoints(), source.healthCheck(),
        source.hashBy()));
    return name;
  }

  /** A backend's endpoints (a problem when they cannot be known); null when it is not a usable Service backend. */
  private EndpointResolver.Resolution resolve(Contribution c, BackendRef backend, String field, String consequence) {
    RouteSource source = c.source;
    if (backend == null || !backend.isService()) {
      c.problems.add(new Problem(source.owner(), field, "only Service backends are supported; the path is ignored"));
      return null;
    }
    if (backend.portNumber() == null && backend.portName() == null) {
      c.problems.add(new Problem(source.owner(), field + ".service.port", "a port number or name is required; the path is ignored"));
      return null;
    }
    c.inputs.add(resolver.inputs(source.owner().namespace(), backend.service()));
    EndpointResolver.Resolution resolution = resolver.resolve(source.owner().namespace(), backend, source.owner(), field,
        consequence, source.serviceUpstream());
    if (resolution.problem() != null) {
      c.problems.add(resolution.problem());
    }
    return resolution;
  }

  /** {@code namespace/service:port}, by port number once resolved, so that a port's name and number share a cluster. */
  private static String clusterName(String namespace, BackendRef backend, Integer servicePort, RouteSource options) {
    StringBuilder name = new StringBuilder(namespace).append('/').append(backend.service()).append(':')
        .append(servicePort != null ? servicePort.toString() : backend.portText());
    if (options.scheduler() != Scheduler.WRR) {
      name.append('/').append(options.scheduler());
    }
    if (options.serviceUpstream()) {
      name.append("/service-upstream"); // the cluster IP, not the endpoints: another cluster
    }
    if (options.hashBy() != null) {
      name.append('(').append(options.hashBy()).append(')'); // same Service, another key: another cluster
    }
    if (options.protocol() != BackendProtocol.HTTP) {
      name.append('/').append(options.protocol());
    }
    if (options.healthCheck() != null) {
      // Same Service, another check: another cluster. The suffix names the check briefly.
      HealthCheck check = options.healthCheck();
      String text = String.join("|", check.path(), Long.toString(check.intervalMillis()),
          Long.toString(check.timeoutMillis()), Integer.toString(check.healthyThreshold()),
          Integer.toString(check.unhealthyThreshold()), String.join(",", check.httpCodes()));
      name.append("/hc-").append(String.format("%08x", text.hashCode()));
    }
    return name.toString();
  }

  /** Lower-case host, {@code *} for a rule without one; null when it is not a valid host. */
  static String normalizeHost(String host) {
    if (host == null || host.isEmpty()) {
      return VirtualHost.ANY_HOST;
    }
    if (!host.chars().allMatch(c -> c < 0x80)) {
      return null; // before case folding: Unicode's makes the Kelvin sign a k
    }
    String lower = host.toLowerCase(Locale.ROOT);
    String name = lower.startsWith("*.") ? lower.substring(2) : lower;
    return DNS_NAME.matcher(name).matches() && lower.length() <= 253 ? lower : null;
  }

  /** The listener (HTTP); with a default domain, requests for unknown hosts get that host's routes. */
  Listener listener() {
    return listener(listenerName, Protocol.HTTP, false);
  }

  /**
   * The listener under a name and protocol: the default HTTP and HTTPS listeners share the routes
   * of Ingresses, and on plain HTTP the routes of TLS hosts redirect to HTTPS.
   */
  Listener listener(String name, Protocol protocol, boolean redirectTlsHosts) {
    mergeAll();
    List<VirtualHost> virtualHosts = new ArrayList<>(hosts.size() + 1);
    String key = redirectTlsHosts ? name + " redirecting TLS hosts" : name;
    if (sortedHosts == null) {
      sortedHosts = cache.sortedKeys("hosts of " + listenerName, hosts);
    }
    for (String host : sortedHosts) {
      virtualHosts.add(virtualHost(key, host, hosts.get(host), redirectTlsHosts));
    }
    String domain = defaultDomain == null ? null : normalizeHost(defaultDomain);
    if (domain != null && hosts.containsKey(domain) && !hosts.containsKey(VirtualHost.ANY_HOST)) {
      virtualHosts.add(cache.virtualHost(name, VirtualHost.ANY_HOST, routes(domain, hosts.get(domain).claims,
          redirectTlsHosts)));
    }
    return new Listener(name, protocol, port, virtualHosts, defaultClaim == null ? null : defaultClaim.route());
  }

  /**
   * A host's virtual host on a listener ({@code key}: its name and redirect setting): made once
   * from its routes (kept with them, so taken over while they are), and the very object another
   * listener got when the routes come out the same (the default HTTPS listener's and the default
   * HTTP listener's, when no route redirects to HTTPS).
   */
  private static VirtualHost virtualHost(String key, String host, HostRoutes routes, boolean redirectTlsHosts) {
    if (key.equals(routes.firstKey)) {
      return routes.first;
    }
    if (key.equals(routes.secondKey)) {
      return routes.second;
    }
    List<Route> list = routes(host, routes.claims, redirectTlsHosts);
    if (routes.first == null) {
      routes.firstKey = key;
      routes.first = new VirtualHost(host, list);
      return routes.first;
    }
    VirtualHost made = TranslationCache.sameObjects(routes.first.routes(), list) ? routes.first : new VirtualHost(host, list);
    routes.secondKey = key; // a third key (not made by translation today) replaces the second
    routes.second = made;
    return made;
  }

  private static List<Route> routes(String host, Map<PathMatch, Claim> claims, boolean redirectTlsHosts) {
    if (claims.size() == 1) {
      Claim only = claims.values().iterator().next();
      return List.of(only.route().withRedirectToHttps(redirectTlsHosts && coveredBy(only.owner().redirectHosts(), host)));
    }
    return claims.values().stream()
        .map(c -> c.route().withRedirectToHttps(redirectTlsHosts && coveredBy(c.owner().redirectHosts(), host)))
        .sorted(ROUTE_ORDER).toList();
  }

  /**
   * Whether a rule's host is one of {@code tlsHosts} as hosts are matched, not as strings: the
   * same name, or a one-label wildcard ({@code *.example.com} covers {@code a.example.com}, not
   * {@code a.b.example.com} nor {@code example.com}), as Kubernetes defines Ingress wildcards.
   *
   * @param tlsHosts normalised (lower-case) hosts of {@code spec.tls}
   * @param host a normalised rule host; {@link VirtualHost#ANY_HOST} is covered only when the set holds
   *     it (force-ssl-redirect on a rule without a host)
   */
  static boolean coveredBy(java.util.Set<String> tlsHosts, String host) {
    if (tlsHosts.isEmpty()) {
      return false; // most Ingresses: no string built for the wildcard look-up below
    }
    if (tlsHosts.contains(host)) {
      return true;
    }
    int firstDot = host.indexOf('.');
    return firstDot > 0 && !host.startsWith("*.") && tlsHosts.contains("*" + host.substring(firstDot));
  }

  /**
   * The clusters of the routes, by name (read only; of each name, the first merged: canaries' come
   * after all others).
   */
  Map<String, Cluster> clusters() {
    mergeAll();
    return java.util.Collections.unmodifiableMap(clusters);
  }
}
