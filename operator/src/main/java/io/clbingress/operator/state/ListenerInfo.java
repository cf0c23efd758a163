package io.clbingress.operator.state;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What translation reads of a CLBListener, copied out of the API object. Optional values are
 * null; durations stay text so that translation reports a wrong one with its field.
 *
 * @param generation {@code metadata.generation}, echoed as {@code status.observedGeneration}
 * @param backend {@code spec.backend}: the Service of a TCP or TCP_SSL listener; null when absent
 * @param proxyProtocol {@code spec.proxyProtocol}; null when absent (false)
 * @param backendProxyProtocol {@code spec.backendProxyProtocol} as written ({@code v1}, {@code v2}); null when absent
 * @param gzip {@code spec.defaults.gzip} as written; null when absent
 */
public record ListenerInfo(ObjectRef ref, long generation, Instant created, Integer port, String protocol,
    String defaultDomain, Timeouts defaults, Limits limits, List<Rule> rules, Tls tls, BackendRef backend,
    Boolean proxyProtocol, String backendProxyProtocol, Gzip gzip) {

  /** A listener that sets no compression. */
  public ListenerInfo(ObjectRef ref, long generation, Instant created, Integer port, String protocol,
      String defaultDomain, Timeouts defaults, Limits limits, List<Rule> rules, Tls tls, BackendRef backend,
      Boolean proxyProtocol, String backendProxyProtocol) {
    this(ref, generation, created, port, protocol, defaultDomain, defaults, limits, rules, tls, backend, proxyProtocol,
        backendProxyProtocol, null);
  }

  /** A listener that sets no PROXY protocol field. */
  public ListenerInfo(ObjectRef ref, long generation, Instant created, Integer port, String protocol,
      String defaultDomain, Timeouts defaults, Limits limits, List<Rule> rules, Tls tls, BackendRef backend) {
    this(ref, generation, created, port, protocol, defaultDomain, defaults, limits, rules, tls, backend, null, null);
  }

  public ListenerInfo {
    Objects.requireNonNull(ref, "ref");
    created = Objects.requireNonNullElse(created, Instant.EPOCH);
    defaults = Objects.requireNonNullElse(defaults, Timeouts.NONE);
    limits = Objects.requireNonNullElse(limits, Limits.NONE);
    rules = List.copyOf(rules);
  }

  /**
   * {@code spec.certificate} with {@code http2} and {@code defaults.sslProtocols}.
   *
   * @param mode UNIDIRECTIONAL or MUTUAL; null for the default (UNIDIRECTIONAL)
   */
  public record Tls(String secretName, String mode, String caSecretName, Boolean http2, List<String> sslProtocols) {
    public Tls {
      sslProtocols = List.copyOf(sslProtocols);
    }
  }

  /**
   * {@code spec.defaults} keepaliveTimeout, clientHeaderTimeout, clientMaxBodySize, maxRequestLineBytes
   * and maxHeaderBytes as written; null where not set.
   */
  public record Limits(String keepalive, String header, String maxBody, String maxRequestLine, String maxHeaders) {
    public static final Limits NONE = new Limits(null, null, null, null, null);
  }

  /**
   * {@code spec.defaults.gzip} as written; null fields were not set.
   *
   * @param types the list as written (entries may be null or wrong); empty when not set
   */
  public record Gzip(Boolean enabled, Long minLength, List<String> types) {
    public Gzip {
      types = types == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(types));
    }
  }

  /** Timeout texts as written ({@code 900s}); null where not set. */
  public record Timeouts(String read, String send, String connect) {
    public static final Timeouts NONE = new Timeouts(null, null, null);
  }

  /**
   * One {@code spec.rules[]} entry.
   *
   * @param backends {@code backends}: a traffic split over Services by weight; empty when not set
   * @param redirect {@code redirect} as written; null when not set
   * @param policies its edge policies as written ({@link Policies#NONE} when none is set)
   */
  public record Rule(String host, String path, String pathType, BackendRef backend, List<WeightedBackend> backends,
      String scheduler, Integer sessionTtlSeconds, Timeouts timeouts, HealthCheck healthCheck, Redirect redirect,
      Policies policies) {
    public Rule {
      backends = List.copyOf(backends);
      timeouts = Objects.requireNonNullElse(timeouts, Timeouts.NONE);
      policies = Objects.requireNonNullElse(policies, Policies.NONE);
    }

    public Rule(String host, String path, String pathType, BackendRef backend, List<WeightedBackend> backends,
        String scheduler, Integer sessionTtlSeconds, Timeouts timeouts, HealthCheck healthCheck) {
      this(host, path, pathType, backend, backends, scheduler, sessionTtlSeconds, timeouts, healthCheck, null,
          Policies.NONE);
    }
  }

  /**
   * A rule's edge policy fields as written; a null block was not set, and null fields or lists
   * inside a block were not set either.
   */
  public record Policies(SourceRanges sourceRanges, RateLimit rateLimit, ConnectionLimit connectionLimit,
      TunnelLimits tunnelLimits, Cors cors) {
    /** No policy. */
    public static final Policies NONE = new Policies(null, null, null, null, null);
  }

  /** {@code sourceRanges}: CIDRs or addresses. */
  public record SourceRanges(List<String> allow, List<String> deny) {
  }

  /** {@code rateLimit}. */
  public record RateLimit(Integer rps, Integer rpm, Integer burstMultiplier, List<String> exempt) {
  }

  /** {@code connectionLimit}. */
  public record ConnectionLimit(Integer connections, List<String> exempt) {
  }

  /** {@code tunnelLimits}. */
  public record TunnelLimits(Integer maxTunnels, Integer maxTunnelsPerClient) {
  }

  /** {@code cors}. */
  public record Cors(List<String> allowOrigins, List<String> allowMethods, List<String> allowHeaders,
      List<String> exposeHeaders, Boolean allowCredentials, Integer maxAgeSeconds) {
  }

  /** A rule's {@code redirect} as written; null fields were not set. */
  public record Redirect(String scheme, String host, Integer port, String path, Integer statusCode) {
  }

  /** A rule's {@code healthCheck} as written; null fields were not set. */
  public record HealthCheck(Boolean enabled, String path, Integer intervalSeconds, Integer timeoutSeconds,
      Integer healthyThreshold, Integer unhealthyThreshold, List<String> httpCodes) {
  }

  /** One entry of a rule's {@code backends}; {@code weight} null when not written (counts as 1). */
  public record WeightedBackend(BackendRef backend, Integer weight) {
  }
}
