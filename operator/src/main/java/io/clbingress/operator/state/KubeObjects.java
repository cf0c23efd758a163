package io.clbingress.operator.state;

import io.clbingress.operator.crd.CLBListener;
import io.clbingress.operator.crd.CLBListenerSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressRuleValue;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressSpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Copies what translation reads out of Fabric8's mutable API objects into immutable records, once,
 * at the edge. The Kubernetes source and the folder source both use it.
 */
public final class KubeObjects {

  public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  public static final String DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

  private KubeObjects() {
  }

  public static ObjectRef ref(HasMetadata object) {
    ObjectMeta meta = object.getMetadata();
    return new ObjectRef(object.getKind(), meta.getNamespace(), meta.getName());
  }

  /** @param fallbackCreated used when the object carries no creationTimestamp (a YAML file) */
  public static IngressInfo ingress(Ingress ingress, Instant fallbackCreated) {
    ObjectMeta meta = ingress.getMetadata();
    IngressSpec spec = Objects.requireNonNullElseGet(ingress.getSpec(), IngressSpec::new);
    List<IngressInfo.Rule> rules = list(spec.getRules()).stream()
        .map(rule -> new IngressInfo.Rule(rule.getHost(), paths(rule.getHttp())))
        .toList();
    List<IngressInfo.Tls> tls = list(spec.getTls()).stream()
        .map(t -> new IngressInfo.Tls(list(t.getHosts()), t.getSecretName()))
        .toList();
    return new IngressInfo(ref(ingress), created(meta, fallbackCreated), spec.getIngressClassName(),
        map(meta.getAnnotations()), backend(spec.getDefaultBackend()), rules, tls);
  }

  public static IngressClassInfo ingressClass(IngressClass ingressClass) {
    String isDefault = map(ingressClass.getMetadata().getAnnotations()).get(DEFAULT_CLASS_ANNOTATION);
    String controller = ingressClass.getSpec() == null ? null : ingressClass.getSpec().getController();
    return new IngressClassInfo(ingressClass.getMetadata().getName(), controller, "true".equals(isDefault));
  }

  public static ServiceInfo service(Service service) {
    List<ServiceInfo.Port> ports = service.getSpec() == null ? List.of() : list(service.getSpec().getPorts()).stream()
        .filter(p -> p.getPort() != null)
        .map(p -> new ServiceInfo.Port(p.getName(), p.getPort()))
        .toList();
    return new ServiceInfo(ref(service), map(service.getMetadata().getAnnotations()), ports,
        service.getSpec() == null ? null : service.getSpec().getClusterIP());
  }

  public static EndpointSliceInfo endpointSlice(EndpointSlice slice) {
    String serviceName = map(slice.getMetadata().getLabels()).get(SERVICE_NAME_LABEL);
    List<EndpointSliceInfo.Port> ports = list(slice.getPorts()).stream()
        .map(p -> new EndpointSliceInfo.Port(p.getName(), p.getPort()))
        .toList();
    List<EndpointSliceInfo.Endpoint> endpoints = list(slice.getEndpoints()).stream()
        .map(e -> new EndpointSliceInfo.Endpoint(list(e.getAddresses()),
            e.getConditions() == null ? null : e.getConditions().getReady()))
        .toList();
    return new EndpointSliceInfo(ref(slice), serviceName, ports, endpoints);
  }

  /** A rule's edge policy fields as written. */
  private static ListenerInfo.Policies policies(CLBListenerSpec.ForwardingRule rule) {
    var ranges = rule.sourceRanges;
    var rate = rule.rateLimit;
    var connections = rule.connectionLimit;
    var tunnels = rule.tunnelLimits;
    var cors = rule.cors;
    return new ListenerInfo.Policies(
        ranges == null ? null : new ListenerInfo.SourceRanges(ranges.allow, ranges.deny),
        rate == null ? null : new ListenerInfo.RateLimit(rate.rps, rate.rpm, rate.burstMultiplier, rate.exempt),
        connections == null ? null : new ListenerInfo.ConnectionLimit(connections.connections, connections.exempt),
        tunnels == null ? null : new ListenerInfo.TunnelLimits(tunnels.maxTunnels, tunnels.maxTunnelsPerClient),
        cors == null ? null : new ListenerInfo.Cors(cors.allowOrigins, cors.allowMethods, cors.allowHeaders,
            cors.exposeHeaders, cors.allowCredentials, cors.maxAgeSeconds));
  }

  public static ListenerInfo listener(CLBListener listener, Instant fallbackCreated) {
    ObjectMeta meta = listener.getMetadata();
    CLBListenerSpec spec = Objects.requireNonNullElseGet(listener.getSpec(), CLBListenerSpec::new);
    ListenerInfo.Timeouts defaults = spec.defaults == null ? ListenerInfo.Timeouts.NONE
        : new ListenerInfo.Timeouts(spec.defaults.proxyReadTimeout, spec.defaults.proxySendTimeout,
            spec.defaults.proxyConnectTimeout);
    ListenerInfo.Limits limits = spec.defaults == null ? ListenerInfo.Limits.NONE
        : new ListenerInfo.Limits(spec.defaults.keepaliveTimeout, spec.defaults.clientHeaderTimeout,
            spec.defaults.clientMaxBodySize, spec.defaults.maxRequestLineBytes, spec.defaults.maxHeaderBytes);
    List<ListenerInfo.Rule> rules = list(spec.rules).stream().map(rule -> new ListenerInfo.Rule(rule.host, rule.path,
            rule.pathType == null ? null : rule.pathType.name(), backend(rule.backend),
            list(rule.backends).stream().map(b -> new ListenerInfo.WeightedBackend(
                backend(b.service), b.weight)).toList(),
            rule.scheduler == null ? null : rule.scheduler.name(),
            rule.sessionPersistence == null ? null : rule.sessionPersistence.ttlSeconds,
            new ListenerInfo.Timeouts(rule.proxyReadTimeout, rule.proxySendTimeout, rule.proxyConnectTimeout),
            healthCheck(rule.healthCheck), rule.redirect == null ? null : new ListenerInfo.Redirect(
                rule.redirect.scheme == null ? null : rule.redirect.scheme.name(), rule.redirect.host, rule.redirect.port,
                rule.redirect.path, rule.redirect.statusCode), policies(rule)))
        .toList();
    ListenerInfo.Tls tls = spec.certificate == null ? null : new ListenerInfo.Tls(spec.certificate.secretName,
        spec.certificate.mode == null ? null : spec.certificate.mode.name(), spec.certificate.caSecretName,
        spec.http2, spec.defaults == null || spec.defaults.sslProtocols == null ? List.of()
            : spec.defaults.sslProtocols.stream().map(p -> p == null ? null : switch (p) {
              case TLSv1 -> "TLSv1";
              case TLSv1_1 -> "TLSv1.1";
              case TLSv1_2 -> "TLSv1.2";
              case TLSv1_3 -> "TLSv1.3";
            }).filter(Objects::nonNull).toList());
    return new ListenerInfo(ref(listener), meta.getGeneration() == null ? 0 : meta.getGeneration(),
        created(meta, fallbackCreated), spec.port, spec.protocol == null ? null : spec.protocol.name(),
        spec.defaultDomain, defaults, limits, rules, tls, backend(spec.backend), spec.proxyProtocol,
        spec.backendProxyProtocol == null ? null : switch (spec.backendProxyProtocol) {
          case V1 -> "v1";
          case V2 -> "v2";
        }, spec.defaults == null || spec.defaults.gzip == null ? null : new ListenerInfo.Gzip(spec.defaults.gzip.enabled,
            spec.defaults.gzip.minLength, spec.defaults.gzip.types));
  }

  private static ListenerInfo.HealthCheck healthCheck(CLBListenerSpec.HealthCheck check) {
    return check == null ? null : new ListenerInfo.HealthCheck(check.enabled, check.path, check.intervalSeconds,
        check.timeoutSeconds, check.healthyThreshold, check.unhealthyThreshold, check.httpCodes);
  }

  private static BackendRef backend(CLBListenerSpec.Backend backend) {
    return backend == null ? null : backend(backend.service);
  }

  private static BackendRef backend(CLBListenerSpec.ServiceRef service) {
    if (service == null) {
      return null;
    }
    CLBListenerSpec.ServicePort port = service.port;
    Integer number = port == null ? null : port.number;
    return new BackendRef(service.name, number, port == null || number != null ? null : port.name);
  }

  /**
   * {@code tls.crt}, {@code tls.key}, {@code ca.crt} and {@code ca.crl} decoded; of a Secret of
   * another type, every key too; {@code stringData} counts too, and wins over {@code data}.
   */
  public static SecretInfo secret(Secret secret) {
    Map<String, String> data = map(secret.getData());
    Map<String, String> stringData = map(secret.getStringData());
    Map<String, String> all = new java.util.TreeMap<>();
    if (!SecretInfo.TLS_TYPE.equals(secret.getType())) {
      data.keySet().forEach(key -> all.put(key, decoded(data, stringData, key)));
      all.putAll(stringData);
    }
    return new SecretInfo(ref(secret), secret.getType(), decoded(data, stringData, "tls.crt"),
        decoded(data, stringData, "tls.key"), decoded(data, stringData, "ca.crt"), decoded(data, stringData, "ca.crl"),
        all);
  }

  private static String decoded(Map<String, String> data, Map<String, String> stringData, String key) {
    if (stringData.containsKey(key)) {
      return stringData.get(key);
    }
    String encoded = data.get(key);
    if (encoded == null) {
      return null;
    }
    try {
      return new String(Base64.getMimeDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  private static List<IngressInfo.HttpPath> paths(HTTPIngressRuleValue http) {
    if (http == null) {
      return List.of();
    }
    return list(http.getPaths()).stream()
        .map(p -> new IngressInfo.HttpPath(p.getPath(), p.getPathType(), backend(p.getBackend())))
        .toList();
  }

  private static BackendRef backend(IngressBackend backend) {
    if (backend == null) {
      return null;
    }
    if (backend.getService() == null) {
      return new BackendRef(null, null, null);
    }
    var port = backend.getService().getPort();
    Integer number = port == null ? null : port.getNumber();
    String name = port == null || number != null ? null : port.getName();
    return new BackendRef(backend.getService().getName(), number, name);
  }

  private static Instant created(ObjectMeta meta, Instant fallback) {
    String timestamp = meta.getCreationTimestamp();
    if (timestamp == null || timestamp.isEmpty()) {
      return fallback;
    }
    try {
      return Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return fallback;
    }
  }

  private static <T> List<T> list(List<T> list) {
    return list == null ? List.of() : list.stream().filter(Objects::nonNull).toList();
  }

  private static Map<String, String> map(Map<String, String> map) {
    if (map == null) {
      return Map.of();
    }
    return map.entrySet().stream()
        .filter(e -> e.getKey() != null && e.getValue() != null)
        .collect(java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
  }
}
