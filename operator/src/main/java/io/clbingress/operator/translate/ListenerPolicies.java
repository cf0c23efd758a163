package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.ConnectionLimit;
import io.clbingress.dataplane.table.Cors;
import io.clbingress.dataplane.table.LocalRateLimit;
import io.clbingress.dataplane.table.RouteFilter;
import io.clbingress.dataplane.table.SourceRanges;
import io.clbingress.dataplane.table.TunnelLimits;
import io.clbingress.operator.state.ListenerInfo;
import io.clbingress.operator.state.ObjectRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The edge policies of a CLBListener rule ({@code sourceRanges}, {@code rateLimit},
 * {@code connectionLimit}, {@code tunnelLimits}, {@code cors}) as the same route filters the
 * Ingress annotations give ({@link EdgePolicyOptions}), with the annotations' defaults for what is
 * not written. The routes of one CLBListener with equal limits share their counts, as the paths of
 * one Ingress do.
 *
 * <p>A wrong value is a problem naming the listener and the field. A wrong access list or limit
 * (a guard) must not open the rule: the rule stays, and refuses every client with 403 until it is
 * fixed ({@link FailClosed#NOBODY}, as for an Ingress), so its requests do not fall through to a
 * less guarded rule. A wrong {@code cors} guards nothing: the rule is ignored, as for the rules'
 * other fields, unless the rule has a guard (valid or not), which ignoring would take away: then
 * it refuses every client too, as it does when one of its other fields is wrong (a timeout, a
 * health check; see {@code Translator.addRules}).
 */
final class ListenerPolicies {

  private static final String CLOSED = "; the rule refuses every client (403) until it is fixed";

  private ListenerPolicies() {
  }

  /**
   * @param field the rule's field ({@code spec.rules[0]})
   * @return the rule's policy filters; null when the rule is ignored (a wrong {@code cors})
   */
  static List<RouteFilter> parse(ObjectRef ref, ListenerInfo.Policies policies, String field, List<Problem> problems) {
    List<RouteFilter> filters = new ArrayList<>();
    boolean open = true;
    ListenerInfo.SourceRanges ranges = policies.sourceRanges();
    if (hasRanges(ranges)) {
      open &= add(filters, ref, field + ".sourceRanges", CLOSED, problems,
          () -> new SourceRanges(list(ranges.allow()), list(ranges.deny())));
    }
    ListenerInfo.RateLimit rate = policies.rateLimit();
    if (rate != null) {
      open &= add(filters, ref, field + ".rateLimit", CLOSED, problems, () -> new LocalRateLimit(number(rate.rps()),
          number(rate.rpm()), rate.burstMultiplier() == null
              ? Integer.parseInt(AnnotationSpec.LIMIT_BURST_MULTIPLIER.defaultValue()) : rate.burstMultiplier(),
          list(rate.exempt())));
    }
    ListenerInfo.ConnectionLimit connections = policies.connectionLimit();
    if (connections != null) {
      open &= add(filters, ref, field + ".connectionLimit", CLOSED, problems, () -> new ConnectionLimit(
          Objects.requireNonNull(connections.connections(), "connections is required"), list(connections.exempt())));
    }
    ListenerInfo.TunnelLimits tunnels = policies.tunnelLimits();
    if (tunnels != null) {
      open &= add(filters, ref, field + ".tunnelLimits", CLOSED, problems,
          () -> new TunnelLimits(number(tunnels.maxTunnels()), number(tunnels.maxTunnelsPerClient())));
    }
    boolean guarded = !filters.isEmpty() || !open;
    ListenerInfo.Cors cors = policies.cors();
    if (cors != null && !add(filters, ref, field + ".cors", guarded ? CLOSED : "; the rule is ignored", problems,
        () -> cors(cors))) {
      if (!guarded) {
        return null;
      }
      open = false; // ignored, its requests would fall through to a less guarded rule
    }
    if (!open) {
      filters.removeIf(filter -> filter instanceof SourceRanges || filter instanceof Cors);
      filters.add(FailClosed.NOBODY);
    }
    return filters;
  }

  /**
   * The first guard field a rule's policies set ({@code sourceRanges}, {@code rateLimit},
   * {@code connectionLimit}, {@code tunnelLimits}), or null when it has no guard.
   */
  static String guardField(ListenerInfo.Policies policies) {
    return hasRanges(policies.sourceRanges()) ? "sourceRanges" : policies.rateLimit() != null ? "rateLimit"
        : policies.connectionLimit() != null ? "connectionLimit" : policies.tunnelLimits() != null ? "tunnelLimits"
        : null;
  }

  private static boolean hasRanges(ListenerInfo.SourceRanges ranges) {
    return ranges != null && !(empty(ranges.allow()) && empty(ranges.deny()));
  }

  /** The rule's CORS, with the cors-* annotations' defaults (ingress-nginx's) for what is not written. */
  private static Cors cors(ListenerInfo.Cors cors) {
    return new Cors(cors.allowOrigins() == null ? List.of(Cors.ANY_ORIGIN) : list(cors.allowOrigins()),
        cors.allowCredentials() == null || cors.allowCredentials(),
        cors.allowMethods() == null ? CorsOptions.defaults(AnnotationSpec.CORS_ALLOW_METHODS) : list(cors.allowMethods()),
        cors.allowHeaders() == null ? CorsOptions.defaults(AnnotationSpec.CORS_ALLOW_HEADERS) : list(cors.allowHeaders()),
        list(cors.exposeHeaders()), cors.maxAgeSeconds() == null
            ? Long.parseLong(AnnotationSpec.CORS_MAX_AGE.defaultValue()) : cors.maxAgeSeconds());
  }

  /**
   * Adds the filter {@code make} builds (the data plane's records check their values); a wrong
   * value is a problem on {@code field}, its message followed by {@code consequence}.
   *
   * @return whether it was built
   */
  private static boolean add(List<RouteFilter> filters, ObjectRef ref, String field, String consequence,
      List<Problem> problems, Supplier<RouteFilter> make) {
    try {
      filters.add(make.get());
      return true;
    } catch (IllegalArgumentException | NullPointerException e) {
      String reason = e.getMessage() == null ? "has an empty entry" : e.getMessage();
      problems.add(new Problem(ref, field, reason + consequence));
      return false;
    }
  }

  private static boolean empty(List<String> values) {
    return values == null || values.isEmpty();
  }

  private static List<String> list(List<String> values) {
    return values == null ? List.of() : List.copyOf(values);
  }

  private static int number(Integer value) {
    return value == null ? 0 : value;
  }
}
