package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Certificate;
import io.clbingress.dataplane.table.ClientCertificateAuth;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.HealthCheck;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.ListenerTls;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.RequestRedirect;
import io.clbingress.dataplane.table.RouteFilter;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.VirtualHost;
import io.clbingress.dataplane.util.Capacity;
import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ListenerInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.SecretInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The one pure function from cluster state to routing table: no I/O, no clock, no logging.
 * Ingresses with invalid annotations keep the configuration last accepted for them (or are not
 * programmed); every rejection becomes a {@link Problem}. The default HTTP listener serves
 * Ingresses bound to no CLBListener; each accepted CLBListener is a listener of its own with its
 * rules and the Ingresses bound to it.
 */
public final class Translator {

  /** The listener on the data plane's {@code --http-port}. */
  public static final String DEFAULT_HTTP_LISTENER = "default-http";
  /** The listener on the data plane's {@code --https-port}: the same routes, TLS offloaded. */
  public static final String DEFAULT_HTTPS_LISTENER = "default-https";

  private static final Comparator<IngressInfo> OLDEST_INGRESS_FIRST =
      Comparator.comparing(IngressInfo::created).thenComparing(IngressInfo::ref);
  private static final Comparator<Effective> OLDEST_EFFECTIVE_FIRST =
      (a, b) -> a.ingress() == b.ingress() ? 0 : OLDEST_INGRESS_FIRST.compare(a.ingress(), b.ingress());
  private static final Comparator<ListenerInfo> OLDEST_LISTENER_FIRST =
      Comparator.comparing(ListenerInfo::created).thenComparing(ListenerInfo::ref);

  private Translator() {
  }

  private record Effective(IngressInfo ingress, IngressOptions options) {
  }

  /** An accepted CLBListener and the builder of its routes. */
  private record Planned(ListenerInfo info, ListenerCheck.Accepted settings, HttpRouteBuilder routes, int[] attached) {
    TimeoutOverrides defaults() {
      return settings.defaults();
    }
  }

  /**
   * @param lastAccepted the version of each Ingress accepted by the previous translation
   * @param now the time certificates must be valid at
   */
  public static Translation translate(ClusterState state, Settings settings, Map<ObjectRef, IngressInfo> lastAccepted,
      Instant now) {
    return translate(state, settings, lastAccepted, now, new TranslationCache());
  }

  /**
   * The same translation, taking over from {@code cache} what the previous one computed from the
   * same objects, and leaving in it what this one computed: the result equals the one without.
   */
  public static Translation translate(ClusterState state, Settings settings, Map<ObjectRef, IngressInfo> lastAccepted,
      Instant now, TranslationCache cache) {
    cache.begin(settings, state);
    Translation translation = translate(state, settings, lastAccepted, now, cache, new ArrayList<>());
    cache.end();
    return translation;
  }

  private static Translation translate(ClusterState state, Settings settings, Map<ObjectRef, IngressInfo> lastAccepted,
      Instant now, TranslationCache cache, List<Problem> problems) {
    EndpointResolver resolver = cache.resolver(() -> new EndpointResolver(state, settings));
    Map<ObjectRef, SecretInfo> secrets = state.secrets().stream()
        .collect(Collectors.toMap(SecretInfo::ref, secret -> secret, (a, b) -> a));
    Map<ObjectRef, Planned> listeners = planListeners(state, resolver, secrets, now, problems, cache);
    Map<ObjectRef, IngressInfo> accepted = new HashMap<>(Capacity.forEntries(lastAccepted.size()));
    List<Effective> effective = acceptIngresses(state, settings, lastAccepted, problems, accepted, cache, secrets);

    HttpRouteBuilder defaultRoutes = new HttpRouteBuilder(DEFAULT_HTTP_LISTENER, Listener.PORT_FROM_FLAGS, null,
        resolver, problems, cache);
    // A listener's own rules come first: on its port they win a path that a bound Ingress also claims.
    for (Planned planned : listeners.values()) {
      addRules(planned, settings, problems);
    }
    Map<String, Certificate> certificates = new TreeMap<>();
    for (Effective e : effective) {
      IngressOptions options = e.options();
      Set<String> tlsHosts = tlsHosts(e.ingress(), secrets, certificates, now, problems);
      if (options.listeners().isEmpty()) {
        defaultRoutes.add(e.ingress(), cache.defaultListenerSource(e.ingress(), options, () -> source(e.ingress(),
            options, TimeoutOverrides.NONE, settings,
            options.forceSslRedirect() ? ruleHosts(e.ingress()) : options.sslRedirect() ? tlsHosts : Set.of())));
      }
      for (String name : options.listeners()) {
        Planned planned = listeners.get(new ObjectRef("CLBListener", e.ingress().ref().namespace(), name));
        if (planned != null && ListenerCheck.isLayer4(planned.info())) {
          problems.add(new Problem(e.ingress().ref(), Problem.annotationField(AnnotationSpec.LISTENER.key()),
              "CLBListener " + e.ingress().ref().namespace() + "/" + name + " is a " + planned.info().protocol()
                  + " listener, which forwards connections, not HTTP rules; this Ingress is not served on it"));
        } else if (planned != null) {
          // auth-tls-* on a listener that verifies no client certificate: its routes there fail closed
          IngressOptions onListener = options.extras().clientCertificates() != null && !isMutual(planned)
              ? FailClosed.refusingEveryone(options) : options;
          planned.routes().add(e.ingress(), source(e.ingress(), onListener, planned.defaults(), settings, Set.of()));
          planned.attached()[0]++;
        } else {
          problems.add(new Problem(e.ingress().ref(), Problem.annotationField(AnnotationSpec.LISTENER.key()),
              "CLBListener " + e.ingress().ref().namespace() + "/" + name
                  + " is not programmed (see its conditions); this Ingress is not served on it"));
        }
      }
    }

    Map<String, ClientCertificateAuth> clientCertificates = clientCertificates(effective, secrets, problems);
    List<Listener> tableListeners = new ArrayList<>();
    tableListeners.add(withClientCertificates(defaultRoutes.listener(DEFAULT_HTTP_LISTENER, Protocol.HTTP, true),
        clientCertificates));
    tableListeners.add(withClientCertificates(defaultRoutes.listener(DEFAULT_HTTPS_LISTENER, Protocol.HTTPS, false),
        clientCertificates));
    // by name, the first of each name in listener order (the default listeners' first)
    Map<String, Cluster> clusters = defaultRoutes.clusters();
    if (!listeners.isEmpty()) {
      clusters = new HashMap<>(clusters);
    }
    for (Planned planned : listeners.values()) {
      tableListeners.add(listener(planned));
      for (Cluster cluster : planned.routes().clusters().values()) {
        clusters.putIfAbsent(cluster.name(), cluster);
      }
      Certificate own = planned.settings().certificate();
      if (own != null) {
        certificates.putIfAbsent(own.name(), own);
      }
    }
    Certificate fallback = defaultCertificate(settings, secrets, now, problems);
    if (fallback != null) {
      certificates.putIfAbsent(fallback.name(), fallback);
    }
    RoutingTable table = RoutingTable.unpublished(tableListeners, sortedByName(clusters, cache),
        List.copyOf(certificates.values()), fallback == null ? null : fallback.name());
    problems.sort(Comparator.comparing(Problem::object).thenComparing(Problem::field).thenComparing(Problem::reason));
    return new Translation(table, problems, accepted, statuses(state, listeners, problems));
  }

  /**
   * What the hosts of the default listeners ask of clients' certificates ({@code auth-tls-*}), by
   * virtual host name: each rule host of an Ingress with the annotations (served on the default
   * listeners, not a canary), the oldest Ingress's when two ask differently for one host (the
   * other gets a problem). As nginx's {@code ssl_verify_client}, it is the host's: every path of
   * the host is checked, whichever Ingress claims it; on the plain HTTP listener, a request for
   * such a host has no certificate (unless it is redirected to HTTPS).
   */
  private static Map<String, ClientCertificateAuth> clientCertificates(List<Effective> effective,
      Map<ObjectRef, SecretInfo> secrets, List<Problem> problems) {
    Map<String, ClientCertificateAuth> byHost = new TreeMap<>();
    for (Effective e : effective) {
      ClientCertificateOptions options = e.options().extras().clientCertificates();
      if (options == null || e.options().extras().canary() != null) {
        continue; // a canary's are reported not read (AnnotationCoverage): the main Ingress's apply
      }
      ObjectRef ref = e.ingress().ref();
      if (!e.options().listeners().isEmpty()) {
        problems.add(new Problem(ref, Problem.annotationField(options.secretKey()), "client certificates are asked"
            + " for on the default HTTPS listener only; on a CLBListener, set spec.certificate mode MUTUAL (on a"
            + " listener without it, this Ingress's routes refuse every client: 403)"));
        continue;
      }
      ClientCertificateAuth auth = options.resolve(ref, secrets, problems);
      for (String host : ruleHosts(e.ingress())) {
        ClientCertificateAuth first = byHost.putIfAbsent(host, auth);
        if (first != null && !sameChecks(first, auth)) {
          problems.add(new Problem(ref, Problem.annotationField(options.secretKey()), "host " + host
              + " asks for client certificates as " + first.source() + " says (the oldest Ingress of the host);"
              + " this Ingress's auth-tls annotations are not applied to it"));
        }
      }
    }
    return byHost;
  }

  private static boolean sameChecks(ClientCertificateAuth a, ClientCertificateAuth b) {
    return new ClientCertificateAuth(b.source(), a.caPem(), a.crlPem(), a.verify(), a.depth(), a.passCertificate(),
        a.errorPage(), a.matchCn()).equals(b);
  }

  /** A default listener whose virtual hosts named in {@code byHost} ask for client certificates. */
  private static Listener withClientCertificates(Listener listener, Map<String, ClientCertificateAuth> byHost) {
    if (byHost.isEmpty()) {
      return listener;
    }
    List<VirtualHost> hosts = listener.virtualHosts().stream().map(vhost -> byHost.containsKey(vhost.host())
        ? vhost.withClientCertificates(byHost.get(vhost.host())) : vhost).toList();
    return new Listener(listener.name(), listener.protocol(), listener.port(), hosts, listener.defaultRoute(),
        listener.tls(), listener.clientLimits(), listener.proxyProtocol(), listener.backendProxyProtocol());
  }

  /** Whether a CLBListener verifies client certificates in its handshakes (HTTPS with mode MUTUAL). */
  private static boolean isMutual(Planned planned) {
    return planned.settings().tls() != null && planned.settings().tls().isMutual();
  }

  /** The certificate of {@code --default-cert}, or null (none set, or a problem naming the Secret). */
  private static Certificate defaultCertificate(Settings settings, Map<ObjectRef, SecretInfo> secrets, Instant now,
      List<Problem> problems) {
    ObjectRef ref = settings.defaultCertificate();
    return ref == null ? null : CertificateCheck.certificate(ref, "--default-cert", ref.namespace(), ref.name(),
        List.of(), "; the self-signed default certificate is used", secrets, now, problems);
  }

  private static Map<ObjectRef, Planned> planListeners(ClusterState state, EndpointResolver resolver,
      Map<ObjectRef, SecretInfo> secrets, Instant now, List<Problem> problems, TranslationCache cache) {
    Map<ObjectRef, Planned> planned = new LinkedHashMap<>();
    Map<Integer, ObjectRef> portOwners = new HashMap<>();
    for (ListenerInfo listener : state.listeners().stream().sorted(OLDEST_LISTENER_FIRST).toList()) {
      ListenerCheck.Accepted accepted = ListenerCheck.accept(listener, portOwners, secrets, now, problems);
      if (accepted != null) {
        String name = listener.ref().namespacedName();
        planned.put(listener.ref(), new Planned(listener, accepted,
            new HttpRouteBuilder(name, listener.port(), listener.defaultDomain(), resolver, problems, cache), new int[1]));
      }
    }
    return planned;
  }

  /**
   * A CLBListener's table entry: its routes (for TCP and TCP_SSL, the default route to its
   * backend), and for HTTPS and TCP_SSL its certificate and TLS settings.
   */
  private static Listener listener(Planned planned) {
    ListenerTls tls = planned.settings().tls();
    Listener plain = planned.routes().listener(planned.info().ref().namespacedName(),
        Protocol.valueOf(planned.info().protocol()), false);
    return new Listener(plain.name(), plain.protocol(), plain.port(), plain.virtualHosts(), plain.defaultRoute(), tls,
        planned.settings().limits(), planned.settings().proxyProtocol(), planned.settings().backendProxyProtocol(),
        planned.settings().gzip());
  }

  private static List<Effective> acceptIngresses(ClusterState state, Settings settings,
      Map<ObjectRef, IngressInfo> lastAccepted, List<Problem> problems, Map<ObjectRef, IngressInfo> accepted,
      TranslationCache cache, Map<ObjectRef, SecretInfo> secrets) {
    Set<ObjectRef> existingListeners = state.listeners().stream().map(ListenerInfo::ref).collect(Collectors.toSet());
    List<Effective> effective = new ArrayList<>();
    for (IngressInfo ingress : IngressClassFilter.ours(state, settings)) {
      TranslationCache.Reading reading = cache.reading(ingress, secrets, read -> {
        ObjectRef authSecret = BasicAuthOptions.secretRef(read);
        return new TranslationCache.Reading(IngressOptions.parse(read, existingListeners, secrets),
            UnsupportedAnnotations.of(read), authSecret, authSecret == null ? null : secrets.get(authSecret));
      });
      IngressOptions.Parsed parsed = reading.parsed();
      problems.addAll(parsed.problems());
      reading.unsupported().ifPresent(problems::add); // reported; the route is served regardless
      IngressInfo chosen = ingress;
      if (!parsed.problems().isEmpty()) {
        chosen = lastAccepted.get(ingress.ref());
        parsed = chosen == null ? null : IngressOptions.parse(chosen, existingListeners, secrets);
        // the last accepted no longer reads when its Secret or CLBListener changed since: none to fall back on
        IngressInfo fallback = parsed != null && parsed.problems().isEmpty() ? chosen : null;
        List<Problem> refused = reading.parsed().problems();
        if (FailClosed.applies(ingress, refused, fallback)) {
          FailClosed.changedGuardProblem(ingress, refused, fallback).ifPresent(problems::add);
          IngressOptions.Parsed closed = FailClosed.parse(ingress, refused, existingListeners, secrets);
          if (closed != null) {
            // served, refusing everyone; the refused version is never remembered as accepted, the last one is
            effective.add(new Effective(ingress, closed.options()));
            if (fallback != null) {
              accepted.put(fallback.ref(), fallback);
            }
          }
          continue;
        }
      }
      if (parsed != null && parsed.problems().isEmpty()) {
        effective.add(new Effective(chosen, parsed.options()));
        accepted.put(chosen.ref(), chosen);
      }
    }
    return cache.sorted("accepted Ingresses", effective, OLDEST_EFFECTIVE_FIRST);
  }

  private static RouteSource source(IngressInfo ingress, IngressOptions options, TimeoutOverrides listenerDefaults,
      Settings settings, Set<String> redirectHosts) {
    return new RouteSource(ingress.ref(), ingress.created(),
        TimeoutOverrides.resolve(settings.defaultTimeouts(), options.timeouts(), listenerDefaults),
        options.scheduler(), options.hashBy(), options.serviceUpstream(), options.backendProtocol(), redirectHosts,
        (int) options.sessionPersistenceSeconds(), null,
        options.filters(), options.maxBodyBytes(), options.extras());
  }

  /**
   * Every host of an Ingress's rules, normalised ({@link VirtualHost#ANY_HOST} for a rule without
   * one): the hosts ingress-nginx's {@code force-ssl-redirect} redirects, TLS or not.
   */
  private static Set<String> ruleHosts(IngressInfo ingress) {
    Set<String> hosts = new java.util.TreeSet<>();
    for (IngressInfo.Rule rule : ingress.rules()) {
      String host = HttpRouteBuilder.normalizeHost(rule.host());
      if (host != null) {
        hosts.add(host);
      }
    }
    return hosts;
  }

  /**
   * The hosts of an Ingress's {@code spec.tls}, lower case; their Secrets' certificates go into
   * {@code certificates} (each once), wrong ones become problems (the hosts stay TLS hosts and get
   * the default certificate, as with ingress-nginx).
   */
  private static Set<String> tlsHosts(IngressInfo ingress, Map<ObjectRef, SecretInfo> secrets,
      Map<String, Certificate> certificates, Instant now, List<Problem> problems) {
    if (ingress.tls().isEmpty()) {
      return Set.of(); // most Ingresses: nothing to check, no set made
    }
    Set<String> hosts = new java.util.TreeSet<>();
    for (int i = 0; i < ingress.tls().size(); i++) {
      IngressInfo.Tls tls = ingress.tls().get(i);
      List<String> tlsHosts = tls.hosts().stream().map(HttpRouteBuilder::normalizeHost)
          .filter(h -> h != null && !h.equals(io.clbingress.dataplane.table.VirtualHost.ANY_HOST)).toList();
      hosts.addAll(tlsHosts);
      if (tls.secretName() == null || tls.secretName().isEmpty()) {
        continue;
      }
      Certificate certificate = CertificateCheck.certificate(ingress.ref(), "spec.tls[" + i + "].secretName",
          ingress.ref().namespace(), tls.secretName(), tlsHosts, secrets, now, problems);
      if (certificate != null) {
        certificates.merge(certificate.name(), certificate, (a, b) -> mergeHosts(a, b));
      }
    }
    return hosts;
  }

  private static Certificate mergeHosts(Certificate a, Certificate b) {
    List<String> hosts = new ArrayList<>(new java.util.TreeSet<>(a.hosts()));
    b.hosts().stream().filter(h -> !hosts.contains(h)).forEach(hosts::add);
    return new Certificate(a.name(), hosts.stream().sorted().toList(), a.certificatePem(), a.privateKeyPem(),
        a.subject(), a.subjectAltNames(), a.notAfter(), a.sha256());
  }

  private static void addRules(Planned planned, Settings settings, List<Problem> problems) {
    ListenerInfo listener = planned.info();
    if (ListenerCheck.isLayer4(listener)) {
      if (!listener.rules().isEmpty()) {
        problems.add(new Problem(listener.ref(), "spec.rules", listener.protocol()
            + " listeners forward every connection to spec.backend and have no forwarding rules; the rules are ignored"));
      }
      planned.routes().addLayer4Backend(listener.backend(), new RouteSource(listener.ref(), listener.created(),
          TimeoutOverrides.resolve(settings.defaultTimeouts(), TimeoutOverrides.NONE, planned.defaults()),
          Scheduler.WRR, BackendProtocol.HTTP, Set.of(), 0, null));
      return;
    }
    for (int i = 0; i < listener.rules().size(); i++) {
      ListenerInfo.Rule rule = listener.rules().get(i);
      String field = "spec.rules[" + i + "]";
      int before = problems.size();
      TimeoutOverrides timeouts = ListenerCheck.timeouts(listener.ref(), rule.timeouts(), field, problems);
      if ((rule.backend() != null ? 1 : 0) + (rule.backends().isEmpty() ? 0 : 1) + (rule.redirect() != null ? 1 : 0) > 1) {
        problems.add(new Problem(listener.ref(), field + (rule.redirect() != null ? ".redirect" : ".backends"),
            "set one of backend, backends or redirect; the rule is ignored"));
      }
      RequestRedirect redirect = rule.redirect() == null ? null
          : ListenerCheck.redirect(listener.ref(), rule.redirect(), field + ".redirect", problems);
      HealthCheck check = HealthChecks.parse(listener.ref(), rule.healthCheck(), field + ".healthCheck", problems);
      Integer ttl = rule.sessionTtlSeconds();
      if (ttl != null && ttl != 0 && (ttl < 30 || ttl > 86400)) {
        problems.add(new Problem(listener.ref(), field + ".sessionPersistence.ttlSeconds",
            ttl + " is out of range (0 for off, or 30–86400); the rule is ignored"));
      }
      boolean wrong = problems.size() > before;
      List<RouteFilter> filters = ListenerPolicies.parse(listener.ref(), rule.policies(), field, problems);
      if (wrong && ListenerPolicies.guardField(rule.policies()) != null) {
        addClosedRule(planned, rule, field, settings, problems);
        continue;
      }
      if (wrong || filters == null) {
        continue;
      }
      if (redirect != null) {
        filters.add(redirect);
      }
      Scheduler scheduler = rule.scheduler() == null ? Scheduler.WRR : Scheduler.valueOf(rule.scheduler());
      RouteSource source = new RouteSource(listener.ref(), listener.created(),
          TimeoutOverrides.resolve(settings.defaultTimeouts(), timeouts, planned.defaults()), scheduler, null, false,
          BackendProtocol.HTTP, Set.of(), ttl == null ? 0 : ttl, check, filters, null, RouteExtras.NONE);
      planned.routes().add(rule, field, source);
    }
  }

  /**
   * A CLBListener rule with a guard and a wrong other field: ignoring it would let its requests fall
   * through to a less guarded rule, so its path is kept, refusing every client (403) until it is
   * fixed, with a problem naming the guard. Its other settings are left out (they do not matter to
   * a route that forwards nothing); a rule that only redirects, wrongly, has no backend to claim its
   * path with and stays ignored.
   */
  private static void addClosedRule(Planned planned, ListenerInfo.Rule rule, String field, Settings settings,
      List<Problem> problems) {
    ListenerInfo listener = planned.info();
    if (rule.backend() == null && rule.backends().isEmpty()) {
      return;
    }
    problems.add(new Problem(listener.ref(), field + "." + ListenerPolicies.guardField(rule.policies()),
        "the rule has a guard and a wrong field (see the other problems): it refuses every client (403) until"
            + " it is fixed, rather than be ignored and let its requests reach a less guarded rule"));
    ListenerInfo.Rule target = new ListenerInfo.Rule(rule.host(), rule.path(), rule.pathType(), rule.backend(),
        rule.backend() != null ? List.of() : rule.backends(), null, null, null, null, null, null);
    RouteSource source = new RouteSource(listener.ref(), listener.created(),
        TimeoutOverrides.resolve(settings.defaultTimeouts(), TimeoutOverrides.NONE, planned.defaults()),
        Scheduler.WRR, null, false, BackendProtocol.HTTP, Set.of(), 0, null, List.of(FailClosed.NOBODY), null,
        RouteExtras.NONE);
    planned.routes().add(target, field, source);
  }

  private static List<ListenerStatus> statuses(ClusterState state, Map<ObjectRef, Planned> planned, List<Problem> problems) {
    List<ListenerStatus> statuses = new ArrayList<>();
    Set<Integer> heldPorts = planned.values().stream().map(p -> p.info().port()).collect(Collectors.toSet());
    for (ListenerInfo listener : state.listeners()) {
      List<Problem> own = problems.stream().filter(p -> p.object().equals(listener.ref())).toList();
      String notAccepted = own.stream().filter(p -> !p.field().startsWith("spec.rules"))
          .map(p -> p.field() + ": " + p.reason()).collect(Collectors.joining("; "));
      String unresolved = own.stream().filter(p -> p.field().matches(".*\\.backend(\\..*)?"))
          .map(p -> p.field() + ": " + p.reason()).collect(Collectors.joining("; "));
      Planned plan = planned.get(listener.ref());
      String reason = plan != null ? "Accepted" : heldPorts.contains(listener.port()) ? "PortConflict" : "Invalid";
      statuses.add(new ListenerStatus(listener.ref(), listener.generation(), plan != null, reason, notAccepted,
          unresolved.isEmpty(), unresolved, plan == null ? 0 : plan.attached()[0]));
    }
    statuses.sort(Comparator.comparing(ListenerStatus::ref));
    return statuses;
  }

  /** The clusters sorted by name. */
  private static List<Cluster> sortedByName(Map<String, Cluster> byName, TranslationCache cache) {
    List<Cluster> sorted = new ArrayList<>(byName.size());
    for (String name : cache.sortedKeys("clusters", byName)) {
      sorted.add(byName.get(name));
    }
    return sorted;
  }

}
