package io.clbingress.dataplane.table;

import java.util.List;
import java.util.Locale;

/**
 * Authentication by an external service before a route's requests and WebSocket upgrades go on:
 * ingress-nginx's {@code auth-url} family (its "External Authentication" annotations, nginx's
 * {@code auth_request}). For each request the proxy sends the service a request without a body,
 * with the client's headers and the {@code X-Original-*} headers; the service's answer decides:
 * <ul>
 *   <li>2xx: the request goes on, with {@code responseHeaders} taken from the service's answer
 *       (a header the service did not send is removed from the request, so a client cannot set
 *       it itself);
 *   <li>401 and 403: that status to the client, with the service's {@code WWW-Authenticate};
 *       a 401 becomes a 302 to {@code signin} when one is set;
 *   <li>anything else, no answer within the time, or no connection: 500, never the backend.
 * </ul>
 * URLs and the cache key are templates of nginx variables ({@link HashKeyPart#VARIABLES}), filled in
 * per request.
 *
 * @param url the service's URL, {@code http://} or {@code https://}; a template (ingress-nginx's
 *     {@code auth-url}, e.g. {@code https://$host/oauth2/auth})
 * @param method the method of the service's request ({@code auth-method}, an RFC 9110 token), or null
 *     for {@code GET} (nginx's subrequests are GETs)
 * @param signin where a 401 redirects the client, or null ({@code auth-signin}); a template. Unless it
 *     has a {@code signinRedirectParam=} argument already, the proxy adds one with the request's
 *     URL (scheme, host and path with query), as ingress-nginx
 * @param signinRedirectParam the query argument naming the request's URL on the sign-in page
 *     ({@code auth-signin-redirect-param}; {@code rd} by default), a token
 * @param responseHeaders the service's answer headers copied onto the request that goes on
 *     ({@code auth-response-headers}), header names
 * @param requestRedirect the {@code X-Auth-Request-Redirect} sent to the service
 *     ({@code auth-request-redirect}), or null for the request's path and query; a template
 * @param cacheKey what a service's answer is cached under ({@code auth-cache-key}, e.g.
 *     {@code $http_authorization}), or null for no cache; a template. The answers of
 *     requests with the same key are taken to be the same: put every credential in it
 * @param cacheDurations how long answers are cached, by status ({@code auth-cache-duration}); only
 *     with a cache key; a status not listed is not cached
 * @param alwaysSetCookie the service's {@code Set-Cookie} goes to the client on every answer, not only
 *     on the success and redirect statuses nginx's {@code add_header} covers
 *     (200, 201, 204, 206, 301, 302, 303, 304, 307, 308) ({@code auth-always-set-cookie})
 * @throws IllegalArgumentException for a template {@link HashKeyPart#parse} refuses, a URL that is not
 *     {@code http(s)://} with a host, a method or header name that is not a token, or cache durations
 *     without a key
 */
public record ExternalAuth(String url, String method, String signin, String signinRedirectParam,
    List<String> responseHeaders, String requestRedirect, String cacheKey, List<CacheDuration> cacheDurations,
    boolean alwaysSetCookie) implements RouteFilter {

  /** ingress-nginx's {@code auth-signin-redirect-param} default. */
  public static final String DEFAULT_REDIRECT_PARAM = "rd";

  public ExternalAuth {
    checkUrl("auth URL", url);
    if (method != null && !TableText.token(method)) {
      throw new IllegalArgumentException("auth method \"" + TableText.printable(method) + "\" is not a token");
    }
    if (signin != null) {
      checkUrl("sign-in URL", signin);
    }
    signinRedirectParam = signinRedirectParam == null ? DEFAULT_REDIRECT_PARAM : signinRedirectParam;
    if (!TableText.token(signinRedirectParam)) {
      throw new IllegalArgumentException("sign-in redirect parameter \"" + TableText.printable(signinRedirectParam)
          + "\" is not a token");
    }
    responseHeaders = responseHeaders == null ? List.of()
        : responseHeaders.stream().map(name -> name.toLowerCase(Locale.ROOT)).toList();
    if (!responseHeaders.stream().allMatch(TableText::token)) {
      throw new IllegalArgumentException("auth response headers must be header names: " + responseHeaders);
    }
    if (requestRedirect != null) {
      HashKeyPart.parse("auth request redirect", requestRedirect);
    }
    if (cacheKey != null) {
      HashKeyPart.parse("auth cache key", cacheKey);
    }
    cacheDurations = cacheDurations == null ? List.of() : List.copyOf(cacheDurations);
    if (cacheKey == null && !cacheDurations.isEmpty()) {
      throw new IllegalArgumentException("auth cache durations without a cache key");
    }
  }

  private static void checkUrl(String what, String template) {
    HashKeyPart.parse(what, template);
    String lower = template.toLowerCase(Locale.ROOT);
    int scheme = lower.startsWith("http://") ? 7 : lower.startsWith("https://") ? 8 : -1;
    if (scheme < 0 || template.length() == scheme || template.charAt(scheme) == '/') {
      throw new IllegalArgumentException(what + " \"" + TableText.printable(template)
          + "\" is not an http:// or https:// URL with a host");
    }
  }

  /**
   * How long answers of some statuses are cached (one entry of ingress-nginx's
   * {@code auth-cache-duration}, nginx's {@code proxy_cache_valid}: {@code 200 202 401 5m}).
   *
   * @param statuses the statuses, 200–599, at least one
   * @param seconds 1–31536000
   * @throws IllegalArgumentException for a value out of range
   */
  public record CacheDuration(List<Integer> statuses, long seconds) {

    public CacheDuration {
      statuses = List.copyOf(statuses);
      if (statuses.isEmpty() || statuses.stream().anyMatch(status -> status < 200 || status > 599)) {
        throw new IllegalArgumentException("cached statuses must be 200–599: " + statuses);
      }
      if (seconds < 1 || seconds > 31_536_000) {
        throw new IllegalArgumentException("auth cache duration out of 1 s–365 d: " + seconds);
      }
    }
  }
}
