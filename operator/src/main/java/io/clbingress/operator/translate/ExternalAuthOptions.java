package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.ExternalAuth;
import io.clbingress.operator.state.IngressInfo;
import java.util.List;
import java.util.Map;

/**
 * ingress-nginx's external authentication annotations ({@code auth-url}, {@code auth-method},
 * {@code auth-signin}, {@code auth-signin-redirect-param}, {@code auth-response-headers},
 * {@code auth-request-redirect}, {@code auth-cache-key}, {@code auth-cache-duration},
 * {@code auth-always-set-cookie}; its "External Authentication" annotations reference) as a route's
 * {@link ExternalAuth}. The others are read only with {@code auth-url}, as in ingress-nginx. A wrong
 * value is a problem naming the annotation; as every one of them guards the routes, the Ingress's
 * paths then refuse every client until it is fixed ({@link FailClosed}).
 */
final class ExternalAuthOptions {

  /** Every annotation read here. */
  static final List<AnnotationSpec> ALL = List.of(AnnotationSpec.AUTH_URL, AnnotationSpec.AUTH_METHOD,
      AnnotationSpec.AUTH_SIGNIN, AnnotationSpec.AUTH_SIGNIN_REDIRECT_PARAM, AnnotationSpec.AUTH_RESPONSE_HEADERS,
      AnnotationSpec.AUTH_REQUEST_REDIRECT, AnnotationSpec.AUTH_CACHE_KEY, AnnotationSpec.AUTH_CACHE_DURATION,
      AnnotationSpec.AUTH_ALWAYS_SET_COOKIE);

  private ExternalAuthOptions() {
  }

  /** Whether the URL's authority (between {@code ://} and the path) holds a variable. */
  static boolean hostFromRequest(String url) {
    return authority(url).indexOf('$') >= 0;
  }

  private static String authority(String url) {
    int start = url.indexOf("://") + 3;
    int end = start;
    while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
      end++;
    }
    return url.substring(start, end);
  }

  /** The routes' external authentication, or null when {@code auth-url} is not set (or a value is wrong, after a problem). */
  static ExternalAuth parse(IngressInfo ingress, List<Problem> problems) {
    Map<String, String> annotations = ingress.annotations();
    String url = IngressOptions.valid(ingress, problems, AnnotationParser.urlTemplate(annotations, AnnotationSpec.AUTH_URL),
        null);
    if (url == null) {
      return null;
    }
    int before = problems.size();
    String authority = authority(url);
    if (authority.replace("${host}", "").replace("$host", "").indexOf('$') >= 0) {
      // $http_*, $arg_*, $cookie_*...: the client would write the service's host itself
      problems.add(new Problem(ingress.ref(), Problem.annotationField(IngressOptions.annotationKey(annotations,
          AnnotationSpec.AUTH_URL)), "names the service's host with a request value the client chooses; only $host"
          + " (the host the route matched) may be part of it"));
    } else if (hostFromRequest(url) && (ingress.defaultBackend() != null
        || ingress.rules().stream().anyMatch(rule -> rule.host() == null || rule.host().startsWith("*.")))) {
      // nginx's $host is the host the request named: on a rule that serves any host (or any
      // subdomain), the client would choose the authentication service that lets it in.
      problems.add(new Problem(ingress.ref(), Problem.annotationField(IngressOptions.annotationKey(annotations,
          AnnotationSpec.AUTH_URL)), "names the service's host with a variable, and a rule of this Ingress serves"
          + " requests for any host (no host or a wildcard): the client would choose the authentication service;"
          + " name its host outright"));
    }
    String method = IngressOptions.valid(ingress, problems, AnnotationParser.choice(annotations, AnnotationSpec.AUTH_METHOD),
        null);
    String signin = IngressOptions.valid(ingress, problems,
        AnnotationParser.urlTemplate(annotations, AnnotationSpec.AUTH_SIGNIN), null);
    String param = IngressOptions.valid(ingress, problems,
        AnnotationParser.token(annotations, AnnotationSpec.AUTH_SIGNIN_REDIRECT_PARAM), ExternalAuth.DEFAULT_REDIRECT_PARAM);
    List<String> responseHeaders = IngressOptions.valid(ingress, problems,
        AnnotationParser.tokens(annotations, AnnotationSpec.AUTH_RESPONSE_HEADERS), List.of());
    String requestRedirect = IngressOptions.valid(ingress, problems,
        AnnotationParser.hashKey(annotations, AnnotationSpec.AUTH_REQUEST_REDIRECT), null);
    String cacheKey = IngressOptions.valid(ingress, problems,
        AnnotationParser.hashKey(annotations, AnnotationSpec.AUTH_CACHE_KEY), null);
    List<ExternalAuth.CacheDuration> durations = IngressOptions.valid(ingress, problems,
        AnnotationParser.cacheDurations(annotations, AnnotationSpec.AUTH_CACHE_DURATION),
        AnnotationParser.cacheDurations(Map.of(AnnotationSpec.AUTH_CACHE_DURATION.key(),
            AnnotationSpec.AUTH_CACHE_DURATION.defaultValue()), AnnotationSpec.AUTH_CACHE_DURATION).orElse(List.of()));
    boolean alwaysSetCookie = IngressOptions.valid(ingress, problems,
        AnnotationParser.bool(annotations, AnnotationSpec.AUTH_ALWAYS_SET_COOKIE), false);
    if (problems.size() > before) {
      return null;
    }
    return new ExternalAuth(url, method, signin, param, responseHeaders, requestRedirect, cacheKey,
        cacheKey == null ? List.of() : durations, alwaysSetCookie);
  }
}
