package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.ExternalAuth;
import io.clbingress.dataplane.table.HashKeyPart;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A route's {@link ExternalAuth} compiled: its templates parsed once, its cache durations by status.
 *
 * @param filter the filter as the table has it
 * @param url the service URL's template
 * @param signin the sign-in URL's template, or null
 * @param requestRedirect {@code X-Auth-Request-Redirect}'s template, or null for the request's path and query
 * @param cacheKey the cache key's template, or null (nothing cached)
 * @param cacheScope what every cache key of this route starts with: its source and key (listener,
 *     host, path match), so that no other Ingress, host or path ever shares an answer (a service may
 *     decide by X-Original-URI); the service URL asked follows it in the key
 */
public record ExternalAuthPolicy(ExternalAuth filter, List<HashKeyPart> url, List<HashKeyPart> signin,
    List<HashKeyPart> requestRedirect, List<HashKeyPart> cacheKey, String cacheScope,
    Map<Integer, Long> cacheSecondsByStatus, Set<String> responseHeaders) {

  /** The statuses whose answers get the service's {@code Set-Cookie} without {@code alwaysSetCookie} (nginx's add_header). */
  private static final Set<Integer> COOKIE_STATUSES = Set.of(200, 201, 204, 206, 301, 302, 303, 304, 307, 308);

  /** @param scope the route's source (its Ingress) and key, which scope the cache */
  public static ExternalAuthPolicy compile(ExternalAuth filter, String scope) {
    Map<Integer, Long> seconds = new HashMap<>();
    for (ExternalAuth.CacheDuration duration : filter.cacheDurations()) {
      for (int status : duration.statuses()) {
        seconds.putIfAbsent(status, duration.seconds()); // the first entry naming a status wins, as nginx's
      }
    }
    return new ExternalAuthPolicy(filter, HashKeyPart.parse(filter.url()),
        filter.signin() == null ? null : HashKeyPart.parse(filter.signin()),
        filter.requestRedirect() == null ? null : HashKeyPart.parse(filter.requestRedirect()),
        filter.cacheKey() == null ? null : HashKeyPart.parse(filter.cacheKey()),
        scope + " ", Map.copyOf(seconds), Set.copyOf(filter.responseHeaders()));
  }

  /** How long an answer of {@code status} is cached, in seconds; 0 for not at all. */
  public long cacheSeconds(int status) {
    return cacheKey == null ? 0 : cacheSecondsByStatus.getOrDefault(status, 0L);
  }

  /** Whether an answer of {@code status} to the client gets the service's {@code Set-Cookie}. */
  public boolean setsCookieOn(int status) {
    return filter.alwaysSetCookie() || COOKIE_STATUSES.contains(status);
  }

  /** The method of the service's request. */
  public String method() {
    return filter.method() == null ? "GET" : filter.method();
  }
}
