package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.ConnectionLimit;
import io.clbingress.dataplane.table.LocalRateLimit;
import io.clbingress.dataplane.table.RouteFilter;
import io.clbingress.dataplane.table.SourceRanges;
import io.clbingress.dataplane.table.TunnelLimits;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.SecretInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The edge policies of an Ingress's routes, as route filters: its access list ({@link SourceRanges}),
 * rate limit ({@link LocalRateLimit}), connection limit ({@link ConnectionLimit}), tunnel caps
 * ({@link TunnelLimits}), basic authentication ({@link BasicAuthOptions}), external authentication
 * ({@link ExternalAuthOptions}) and CORS ({@link CorsOptions}). Wrong values are problems naming the
 * annotation.
 */
final class EdgePolicyOptions {

  /** The annotations whose wrong value must not open a route ({@link FailClosed}), client certificates' included. */
  static final List<AnnotationSpec> GUARDS = java.util.stream.Stream.of(java.util.stream.Stream.of(
      AnnotationSpec.ALLOW_SOURCE_RANGE, AnnotationSpec.DENY_SOURCE_RANGE, AnnotationSpec.LIMIT_RPS,
      AnnotationSpec.LIMIT_RPM, AnnotationSpec.LIMIT_BURST_MULTIPLIER, AnnotationSpec.LIMIT_CONNECTIONS,
      AnnotationSpec.LIMIT_WHITELIST, AnnotationSpec.MAX_TUNNELS, AnnotationSpec.MAX_TUNNELS_PER_CLIENT),
      BasicAuthOptions.ALL.stream(), ExternalAuthOptions.ALL.stream(), ClientCertificateOptions.ALL.stream())
      .flatMap(specs -> specs).toList();
  /** Every annotation read here: the guards and CORS's (a canary Ingress takes them all from its main one). */
  static final List<AnnotationSpec> ALL = java.util.stream.Stream.concat(GUARDS.stream(), java.util.stream.Stream.of(
      AnnotationSpec.ENABLE_CORS, AnnotationSpec.CORS_ALLOW_ORIGIN, AnnotationSpec.CORS_ALLOW_METHODS,
      AnnotationSpec.CORS_ALLOW_HEADERS, AnnotationSpec.CORS_EXPOSE_HEADERS, AnnotationSpec.CORS_ALLOW_CREDENTIALS,
      AnnotationSpec.CORS_MAX_AGE)).toList();

  private EdgePolicyOptions() {
  }

  /**
   * The filters the Ingress's policy annotations ask for, in the order the routes list them.
   *
   * @param secrets the Secrets basic authentication reads its users from; null to check the annotations only
   */
  static List<RouteFilter> parse(IngressInfo ingress, Map<ObjectRef, SecretInfo> secrets, List<Problem> problems) {
    Map<String, String> annotations = ingress.annotations();
    List<RouteFilter> filters = new ArrayList<>();
    List<String> allow = IngressOptions.valid(ingress, problems,
        AnnotationParser.cidrs(annotations, AnnotationSpec.ALLOW_SOURCE_RANGE), List.of());
    List<String> deny = IngressOptions.valid(ingress, problems,
        AnnotationParser.cidrs(annotations, AnnotationSpec.DENY_SOURCE_RANGE), List.of());
    if (!allow.isEmpty() || !deny.isEmpty()) {
      filters.add(new SourceRanges(allow, deny));
    }
    long rps = number(ingress, problems, AnnotationSpec.LIMIT_RPS);
    long rpm = number(ingress, problems, AnnotationSpec.LIMIT_RPM);
    long burst = number(ingress, problems, AnnotationSpec.LIMIT_BURST_MULTIPLIER);
    List<String> exempt = IngressOptions.valid(ingress, problems,
        AnnotationParser.cidrs(annotations, AnnotationSpec.LIMIT_WHITELIST), List.of());
    if (rps > 0 || rpm > 0) {
      filters.add(new LocalRateLimit(rps, rpm, (int) burst, exempt));
    }
    long connections = number(ingress, problems, AnnotationSpec.LIMIT_CONNECTIONS);
    if (connections > 0) {
      filters.add(new ConnectionLimit((int) connections, exempt));
    }
    long maxTunnels = number(ingress, problems, AnnotationSpec.MAX_TUNNELS);
    long perClient = number(ingress, problems, AnnotationSpec.MAX_TUNNELS_PER_CLIENT);
    if (maxTunnels > 0 || perClient > 0) {
      filters.add(new TunnelLimits((int) maxTunnels, (int) perClient));
    }
    var basicAuth = BasicAuthOptions.parse(ingress, secrets, problems);
    if (basicAuth != null) {
      filters.add(basicAuth);
    }
    var auth = ExternalAuthOptions.parse(ingress, problems);
    if (auth != null) {
      filters.add(auth);
    }
    var cors = CorsOptions.parse(ingress, problems);
    if (cors != null) {
      filters.add(cors);
    }
    return filters;
  }

  /** A whole-number annotation, its documented default when absent or wrong. */
  private static long number(IngressInfo ingress, List<Problem> problems, AnnotationSpec spec) {
    return IngressOptions.valid(ingress, problems, AnnotationParser.number(ingress.annotations(), spec),
        Long.parseLong(spec.defaultValue()));
  }
}
