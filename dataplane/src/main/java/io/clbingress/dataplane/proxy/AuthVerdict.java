package io.clbingress.dataplane.proxy;

import java.util.List;
import java.util.Map;

/**
 * What the proxy does with a request after its external authentication ({@link AuthClient}).
 *
 * @param status 0: the request goes on; else the status of the proxy's answer instead (401, 403,
 *     302 to the sign-in page, 500)
 * @param requestHeaders for a request that goes on: headers to set on it (an empty list: to remove)
 * @param setCookies for a request that goes on: the service's {@code Set-Cookie} lines, added to the
 *     backend's answer when the route says so for its status
 * @param answerHeaders for a refused request: the headers of the proxy's answer ({@code Location},
 *     {@code WWW-Authenticate}, {@code Set-Cookie})
 */
record AuthVerdict(int status, Map<String, List<String>> requestHeaders, List<String> setCookies,
    List<Map.Entry<String, String>> answerHeaders) {

  /** The service could not be asked, or answered something else than 2xx, 401 or 403. */
  static final AuthVerdict ERROR = new AuthVerdict(500, Map.of(), List.of(), List.of());
  /** Too many password checks are waiting already ({@link BasicVerifier}): try again later. */
  static final AuthVerdict BUSY = new AuthVerdict(503, Map.of(), List.of(), List.of());
  /**
   * Basic authentication passed: the request goes on without its {@code Authorization} (as
   * ingress-nginx's {@code proxy_set_header Authorization ""}: the backend never sees the password).
   */
  static final AuthVerdict BASIC_PASSED = new AuthVerdict(0, Map.of("authorization", List.of()), List.of(), List.of());

  /** 401 with the route's {@code WWW-Authenticate: Basic} challenge (RFC 7617 §2). */
  static AuthVerdict challenge(String challenge) {
    return new AuthVerdict(401, Map.of(), List.of(), List.of(Map.entry("www-authenticate", challenge)));
  }

  /** This allowing verdict, the request's {@code Authorization} removed as well ({@link #BASIC_PASSED}). */
  AuthVerdict withoutAuthorization() {
    Map<String, List<String>> headers = new java.util.LinkedHashMap<>(requestHeaders);
    headers.putIfAbsent("authorization", List.of()); // unless the service sets it for the backend
    return new AuthVerdict(status, Map.copyOf(headers), setCookies, answerHeaders);
  }

  boolean allowed() {
    return status == 0;
  }

  /**
   * Sets {@link #requestHeaders} on a request that goes on: each name's client-sent lines removed
   * (in any case), and so are spellings with {@code _} for {@code -} ({@code X_User} for
   * {@code X-User}), which CGI-style backends read as the same header (nginx drops names with
   * underscores by default); then the verdict's values added.
   *
   * @param names the request's header names now
   */
  void applyTo(Iterable<String> names, java.util.function.Consumer<String> remove,
      java.util.function.BiConsumer<String, String> add) {
    if (requestHeaders.isEmpty()) {
      return;
    }
    List<String> underscored = new java.util.ArrayList<>();
    for (String name : names) {
      if (name.indexOf('_') >= 0
          && requestHeaders.containsKey(name.replace('_', '-').toLowerCase(java.util.Locale.ROOT))) {
        underscored.add(name);
      }
    }
    underscored.forEach(remove);
    requestHeaders.forEach((name, values) -> {
      remove.accept(name);
      values.forEach(value -> add.accept(name, value));
    });
  }

  /** The verdict on a request of {@code call} that the service answered so. */
  static AuthVerdict of(AuthCall call, AuthAnswer answer) {
    int status = answer.status();
    if (status >= 200 && status < 300) {
      // the route's names now, not those of when the answer was cached: a name added since, which
      // the cached answer never held, is removed from the request, not left to the client
      Map<String, List<String>> forwarded = new java.util.LinkedHashMap<>();
      for (String name : call.policy().responseHeaders()) {
        forwarded.put(name, answer.forwardedHeaders().getOrDefault(name, List.of()));
      }
      return new AuthVerdict(0, Map.copyOf(forwarded), answer.setCookies(), List.of());
    }
    if (status != 401 && status != 403) {
      return ERROR;
    }
    int refusal = status == 401 && call.signinLocation() != null ? 302 : status;
    List<Map.Entry<String, String>> headers = new java.util.ArrayList<>();
    if (refusal == 302) {
      headers.add(Map.entry("location", call.signinLocation()));
    } else if (refusal == 401) {
      answer.wwwAuthenticate().forEach(value -> headers.add(Map.entry("www-authenticate", value)));
    }
    if (call.policy().setsCookieOn(refusal)) {
      answer.setCookies().forEach(value -> headers.add(Map.entry("set-cookie", value)));
    }
    return new AuthVerdict(refusal, Map.of(), List.of(), List.copyOf(headers));
  }
}
