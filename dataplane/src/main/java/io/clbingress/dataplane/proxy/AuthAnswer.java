package io.clbingress.dataplane.proxy;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an external authentication service answered, as much of it as the proxy uses (and caches):
 * the status and the headers that go on.
 *
 * @param status the service's status
 * @param forwardedHeaders the values of the route's {@code auth-response-headers} in the answer, by
 *     lower-case name; a name the answer lacked maps to an empty list
 * @param setCookies the answer's {@code Set-Cookie} lines
 * @param wwwAuthenticate the answer's {@code WWW-Authenticate} lines (passed to the client with a 401,
 *     as nginx's auth_request does)
 */
record AuthAnswer(int status, Map<String, List<String>> forwardedHeaders, List<String> setCookies,
    List<String> wwwAuthenticate) {

  /** The part of {@code headers} a route with these {@code responseHeaders} uses. */
  static AuthAnswer of(int status, MultiMap headers, Set<String> responseHeaders) {
    Map<String, List<String>> forwarded = new LinkedHashMap<>();
    for (String name : responseHeaders) {
      forwarded.put(name, List.copyOf(headers.getAll(name)));
    }
    return new AuthAnswer(status, forwarded, List.copyOf(headers.getAll("set-cookie")),
        List.copyOf(headers.getAll("www-authenticate")));
  }

  /** An estimate of the bytes the answer holds, for the cache's bound. */
  int weight() {
    int bytes = 64;
    List<List<String>> all = new ArrayList<>(forwardedHeaders.values());
    all.add(setCookies);
    all.add(wwwAuthenticate);
    for (List<String> values : all) {
      for (String value : values) {
        bytes += 16 + value.length();
      }
    }
    return bytes;
  }
}
