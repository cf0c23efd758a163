package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.AccessLogging;
import io.clbingress.dataplane.table.HttpHeader;
import io.clbingress.dataplane.table.RequestHeaderModifier;
import io.clbingress.dataplane.table.RequestRedirect;
import io.clbingress.dataplane.table.Retry;
import io.clbingress.dataplane.table.RouteFilter;
import io.clbingress.dataplane.table.SessionCookie;
import io.clbingress.dataplane.table.Tracing;
import io.clbingress.dataplane.table.URLRewrite;
import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.SecretInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The annotations of one Ingress, parsed and validated; timeouts it does not set stay unset, to be
 * filled from the listener's defaults and the controller's flags.
 *
 * @param hashBy what IP_HASH hashes instead of the client's address (upstream-hash-by), or null
 * @param serviceUpstream its backends are their Services' cluster IPs
 * @param listeners the CLBListeners named by {@code clb.ingress.io/listener}; empty for the defaults
 * @param filters the filters of every route of this Ingress (a redirect, upstream-vhost's host,
 *     x-forwarded-prefix's header, the proxy-next-upstream retry, the source ranges, the rate limit,
 *     the tunnel caps, basic authentication, enable-cors, enable-opentelemetry); a rewrite-target joins upstream-vhost's URLRewrite per path
 * @param maxBodyBytes the body limit of its routes (0 = none), or null for the listener's
 * @param forceSslRedirect redirect every host of the Ingress to HTTPS, TLS or not
 * @param extras use-regex, rewrite-target and app-root; its canary rules when it is a canary Ingress
 *     ({@code canary: "true"}); from-to-www-redirect; default-backend with custom-http-errors
 */
record IngressOptions(TimeoutOverrides timeouts, boolean sslRedirect, BackendProtocol backendProtocol, Scheduler scheduler,
    String hashBy, boolean serviceUpstream,
    long sessionPersistenceSeconds, List<String> listeners, List<RouteFilter> filters, Long maxBodyBytes,
    boolean forceSslRedirect, RouteExtras extras) {

  /** Options, or the problems that keep this Ingress from being accepted. */
  record Parsed(IngressOptions options, List<Problem> problems) {
  }

  /**
   * @param existingListeners the CLBListeners there are, which the listener annotation may name
   * @param secrets the Secrets by reference, which auth-secret may name; null to check the
   *     annotations without reading a Secret
   */
  static Parsed parse(IngressInfo ingress, Set<ObjectRef> existingListeners, Map<ObjectRef, SecretInfo> secrets) {
    Map<String, String> annotations = ingress.annotations();
    List<Problem> problems = new ArrayList<>();
    Long read = valid(ingress, problems, AnnotationParser.seconds(annotations, AnnotationSpec.PROXY_READ_TIMEOUT), null);
    Long send = valid(ingress, problems, AnnotationParser.seconds(annotations, AnnotationSpec.PROXY_SEND_TIMEOUT), null);
    Long connect = valid(ingress, problems,
        AnnotationParser.seconds(annotations, AnnotationSpec.PROXY_CONNECT_TIMEOUT), null);
    boolean sslRedirect = valid(ingress, problems, AnnotationParser.bool(annotations, AnnotationSpec.SSL_REDIRECT), true);
    String protocol = valid(ingress, problems,
        AnnotationParser.choice(annotations, AnnotationSpec.BACKEND_PROTOCOL), "HTTP");
    AnnotationValue<String> ours = AnnotationParser.choice(annotations, AnnotationSpec.SCHEDULER);
    String scheduler = valid(ingress, problems, ours, "WRR");
    String balance = valid(ingress, problems, AnnotationParser.choice(annotations, AnnotationSpec.LOAD_BALANCE), null);
    String hashBy = valid(ingress, problems, AnnotationParser.hashKey(annotations, AnnotationSpec.UPSTREAM_HASH_BY), null);
    if (ours instanceof AnnotationValue.Absent<String>) {
      // ingress-nginx's names: upstream-hash-by wins over load-balance; $remote_addr alone is IP_HASH itself
      scheduler = hashBy != null ? "IP_HASH" : "EWMA".equals(balance) ? "LEAST_CONN" : "WRR";
      hashBy = "$remote_addr".equals(hashBy) ? null : hashBy;
    } else {
      hashBy = null;
    }
    AnnotationValue<Long> persistence = AnnotationParser.secondsOrOff(annotations, AnnotationSpec.SESSION_PERSISTENCE);
    long session = valid(ingress, problems, persistence, 0L);
    Affinity affinity = persistence instanceof AnnotationValue.Absent<Long> ? affinity(ingress, problems) : null;
    if (affinity != null) {
      session = affinity.ttlSeconds();
    }
    List<String> listeners = valid(ingress, problems, AnnotationParser.names(annotations, AnnotationSpec.LISTENER),
        List.of());
    for (String listener : listeners) {
      ObjectRef wanted = new ObjectRef("CLBListener", ingress.ref().namespace(), listener);
      if (!existingListeners.contains(wanted)) {
        problems.add(new Problem(ingress.ref(), Problem.annotationField(AnnotationSpec.LISTENER.key()),
            wanted + " not found"));
      }
    }
    RequestRedirect redirect = redirect(ingress, problems);
    Long maxBody = valid(ingress, problems, AnnotationParser.size(annotations, AnnotationSpec.PROXY_BODY_SIZE), null);
    boolean forceSsl = valid(ingress, problems, AnnotationParser.bool(annotations, AnnotationSpec.FORCE_SSL_REDIRECT),
        false);
    String appRoot = valid(ingress, problems, AnnotationParser.path(annotations, AnnotationSpec.APP_ROOT), null);
    boolean useRegex = valid(ingress, problems, AnnotationParser.bool(annotations, AnnotationSpec.USE_REGEX), false);
    String target = valid(ingress, problems,
        AnnotationParser.rewriteTarget(annotations, AnnotationSpec.REWRITE_TARGET), null);
    String vhost = valid(ingress, problems, AnnotationParser.host(annotations, AnnotationSpec.UPSTREAM_VHOST), null);
    String prefix = valid(ingress, problems,
        AnnotationParser.headerValue(annotations, AnnotationSpec.X_FORWARDED_PREFIX), null);
    // accepted, validated, and documented as what streaming does
    valid(ingress, problems, AnnotationParser.size(annotations, AnnotationSpec.CLIENT_BODY_BUFFER_SIZE), null);
    valid(ingress, problems, AnnotationParser.choice(annotations, AnnotationSpec.PROXY_BUFFERING), null);
    valid(ingress, problems, AnnotationParser.choice(annotations, AnnotationSpec.PROXY_REQUEST_BUFFERING), null);
    List<RouteFilter> filters = new ArrayList<>();
    if (redirect != null) {
      filters.add(redirect);
    }
    if (vhost != null) {
      filters.add(new URLRewrite(vhost, null));
    }
    if (affinity != null) {
      filters.add(affinity.cookie());
    }
    Retry retry = NextUpstreamOptions.parse(ingress, problems);
    if (retry != null) {
      filters.add(retry);
    }
    filters.addAll(EdgePolicyOptions.parse(ingress, secrets, problems));
    if (!valid(ingress, problems, AnnotationParser.bool(annotations, AnnotationSpec.ENABLE_ACCESS_LOG), true)) {
      filters.add(new AccessLogging(false)); // ingress-nginx's access_log off for the Ingress's locations
    }
    Tracing tracing = tracing(ingress, problems);
    if (tracing != null) {
      filters.add(tracing);
    }
    if (prefix != null && prefix.indexOf('$') >= 0) {
      problems.add(new Problem(ingress.ref(), Problem.annotationField(annotationKey(annotations,
          AnnotationSpec.X_FORWARDED_PREFIX)), "\"" + prefix + "\": nginx variables are not expanded"));
      prefix = null;
    }
    if (prefix != null && target != null) {
      // as ingress-nginx: the header goes with rewrite-target's rewrite only
      filters.add(new RequestHeaderModifier(List.of(new HttpHeader("X-Forwarded-Prefix", prefix))));
    }
    IngressOptions options = new IngressOptions(new TimeoutOverrides(read, send, connect), sslRedirect,
        BackendProtocol.valueOf(protocol), Scheduler.valueOf(scheduler), hashBy,
        valid(ingress, problems, AnnotationParser.bool(annotations, AnnotationSpec.SERVICE_UPSTREAM), false), session,
        listeners, filters, maxBody,
        forceSsl, new RouteExtras(new Rewrite(useRegex, target, appRoot), canary(ingress, problems),
            valid(ingress, problems, AnnotationParser.bool(annotations, AnnotationSpec.FROM_TO_WWW_REDIRECT), false),
            errorBackend(ingress, problems), ClientCertificateOptions.parse(ingress, problems)));
    return new Parsed(options, List.copyOf(problems));
  }

  /**
   * ingress-nginx's redirect annotations: temporal-redirect (with temporal-redirect-code, 302 by
   * default) wins over permanent-redirect (with permanent-redirect-code, 301 by default), as in its
   * redirect annotation parser; null when neither is set.
   */
  private static RequestRedirect redirect(IngressInfo ingress, List<Problem> problems) {
    Map<String, String> annotations = ingress.annotations();
    RequestRedirect temporal = valid(ingress, problems,
        AnnotationParser.redirectUrl(annotations, AnnotationSpec.TEMPORAL_REDIRECT), null);
    int temporalCode = valid(ingress, problems,
        AnnotationParser.status(annotations, AnnotationSpec.TEMPORAL_REDIRECT_CODE), 302);
    RequestRedirect permanent = valid(ingress, problems,
        AnnotationParser.redirectUrl(annotations, AnnotationSpec.PERMANENT_REDIRECT), null);
    int permanentCode = valid(ingress, problems,
        AnnotationParser.status(annotations, AnnotationSpec.PERMANENT_REDIRECT_CODE), 301);
    RequestRedirect chosen = temporal != null ? temporal : permanent;
    return chosen == null ? null : new RequestRedirect(chosen.scheme(), chosen.host(), chosen.port(), chosen.path(),
        chosen == temporal ? temporalCode : permanentCode);
  }

  /**
   * ingress-nginx's {@code default-backend} with its {@code custom-http-errors}; null without
   * default-backend (custom-http-errors alone is reported as not honoured: there is no
   * controller-wide error backend here).
   */
  private static ErrorBackend errorBackend(IngressInfo ingress, List<Problem> problems) {
    Map<String, String> annotations = ingress.annotations();
    List<Integer> codes = valid(ingress, problems, AnnotationParser.codes(annotations, AnnotationSpec.CUSTOM_HTTP_ERRORS),
        List.of());
    String service = valid(ingress, problems, AnnotationParser.name(annotations, AnnotationSpec.DEFAULT_BACKEND), null);
    return service == null ? null : new ErrorBackend(service, codes);
  }

  /**
   * {@code enable-opentelemetry} and {@code opentelemetry-trust-incoming-span}: the routes'
   * {@link Tracing} when it differs from the data plane's default (traced, the client's context
   * trusted), else null. A wrong value is a problem; tracing guards nothing, so it is not fail-closed.
   */
  private static Tracing tracing(IngressInfo ingress, List<Problem> problems) {
    Map<String, String> annotations = ingress.annotations();
    boolean enabled = valid(ingress, problems, AnnotationParser.bool(annotations, AnnotationSpec.ENABLE_OPENTELEMETRY),
        true);
    boolean trustIncoming = valid(ingress, problems,
        AnnotationParser.bool(annotations, AnnotationSpec.OPENTELEMETRY_TRUST_INCOMING_SPAN), true);
    return enabled && trustIncoming ? null : new Tracing(enabled, trustIncoming);
  }

  /** ingress-nginx's cookie affinity: the session's lifetime and its cookie. */
  private record Affinity(long ttlSeconds, SessionCookie cookie) {
  }

  /** The server-side lifetime of a browser-session affinity cookie (one without max-age or expires). */
  static final long SESSION_COOKIE_TTL_SECONDS = 30L * 24 * 3600;

  /**
   * ingress-nginx's {@code affinity: cookie} with its {@code session-cookie-*} annotations, or null
   * when affinity is not set (or a value is wrong, after a problem).
   */
  private static Affinity affinity(IngressInfo ingress, List<Problem> problems) {
    Map<String, String> annotations = ingress.annotations();
    String kind = valid(ingress, problems, AnnotationParser.choice(annotations, AnnotationSpec.AFFINITY), null);
    valid(ingress, problems, AnnotationParser.choice(annotations, AnnotationSpec.AFFINITY_MODE), null);
    valid(ingress, problems, AnnotationParser.bool(annotations, AnnotationSpec.SESSION_COOKIE_CHANGE_ON_FAILURE), null);
    if (kind == null) {
      return null;
    }
    String name = valid(ingress, problems, AnnotationParser.token(annotations, AnnotationSpec.SESSION_COOKIE_NAME),
        AnnotationSpec.SESSION_COOKIE_NAME.defaultValue());
    Long maxAge = valid(ingress, problems, AnnotationParser.number(annotations, AnnotationSpec.SESSION_COOKIE_MAX_AGE),
        null);
    Long expires = valid(ingress, problems, AnnotationParser.number(annotations, AnnotationSpec.SESSION_COOKIE_EXPIRES),
        null);
    String path = valid(ingress, problems, AnnotationParser.path(annotations, AnnotationSpec.SESSION_COOKIE_PATH), null);
    String sameSite = valid(ingress, problems,
        AnnotationParser.choice(annotations, AnnotationSpec.SESSION_COOKIE_SAMESITE), null);
    boolean secure = valid(ingress, problems, AnnotationParser.bool(annotations, AnnotationSpec.SESSION_COOKIE_SECURE),
        false);
    Long lifetime = maxAge != null ? maxAge : expires;
    try {
      return new Affinity(lifetime != null ? lifetime : SESSION_COOKIE_TTL_SECONDS, new SessionCookie(name, path,
          sameSite == null ? null : sameSite.charAt(0) + sameSite.substring(1).toLowerCase(java.util.Locale.ROOT),
          secure, lifetime == null));
    } catch (IllegalArgumentException e) {
      // a path with ";", "#" or non-ASCII, which AnnotationParser.path lets through and a cookie cannot carry
      problems.add(new Problem(ingress.ref(), Problem.annotationField(annotationKey(annotations,
          AnnotationSpec.SESSION_COOKIE_PATH)), e.getMessage()));
      return null;
    }
  }

  /**
   * ingress-nginx's canary annotations, read when {@code canary} is true (as ingress-nginx, the
   * others are inert without it); null for a main Ingress. A header value or pattern without a
   * header, and a weight above its total, are problems.
   */
  private static CanaryOptions canary(IngressInfo ingress, List<Problem> problems) {
    Map<String, String> annotations = ingress.annotations();
    if (!valid(ingress, problems, AnnotationParser.bool(annotations, AnnotationSpec.CANARY), false)) {
      return null;
    }
    String header = valid(ingress, problems, AnnotationParser.token(annotations, AnnotationSpec.CANARY_BY_HEADER), null);
    String value = valid(ingress, problems,
        AnnotationParser.headerValue(annotations, AnnotationSpec.CANARY_BY_HEADER_VALUE), null);
    String pattern = valid(ingress, problems,
        AnnotationParser.regex(annotations, AnnotationSpec.CANARY_BY_HEADER_PATTERN), null);
    String cookie = valid(ingress, problems, AnnotationParser.token(annotations, AnnotationSpec.CANARY_BY_COOKIE), null);
    long weight = valid(ingress, problems, AnnotationParser.number(annotations, AnnotationSpec.CANARY_WEIGHT), 0L);
    long total = valid(ingress, problems, AnnotationParser.number(annotations, AnnotationSpec.CANARY_WEIGHT_TOTAL), 100L);
    if (header == null && (value != null || pattern != null)) {
      AnnotationSpec needing = value != null ? AnnotationSpec.CANARY_BY_HEADER_VALUE : AnnotationSpec.CANARY_BY_HEADER_PATTERN;
      problems.add(new Problem(ingress.ref(), Problem.annotationField(annotationKey(annotations, needing)),
          "needs canary-by-header, the header it is the value of"));
      return null;
    }
    // as ingress-nginx's balancer, which takes a total only above 100: 10 of a total of 10 is 10%
    total = Math.max(total, 100);
    if (weight > total) {
      problems.add(new Problem(ingress.ref(), Problem.annotationField(annotationKey(annotations, AnnotationSpec.CANARY_WEIGHT)),
          weight + " is above canary-weight-total (" + total + ")"));
      return null;
    }
    return new CanaryOptions(header, value, pattern, cookie, (int) weight, (int) total);
  }

  /** The key an annotation is set under: ours when set, else the first of ingress-nginx's that is (else ours). */
  static String annotationKey(Map<String, String> annotations, AnnotationSpec spec) {
    if (annotations.containsKey(spec.key())) {
      return spec.key();
    }
    return spec.nginxKeys().stream().filter(annotations::containsKey).findFirst().orElse(spec.key());
  }

  static <T> T valid(IngressInfo ingress, List<Problem> problems, AnnotationValue<T> value, T fallback) {
    if (value instanceof AnnotationValue.Invalid<T> invalid) {
      problems.add(new Problem(ingress.ref(), Problem.annotationField(invalid.key()), invalid.reason()));
    }
    return value.orElse(fallback);
  }
}
