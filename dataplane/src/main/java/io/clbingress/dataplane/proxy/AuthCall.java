package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.auth.BasicCredentials;
import io.clbingress.dataplane.routing.ExternalAuthPolicy;
import io.clbingress.dataplane.routing.RequestValues;
import io.clbingress.dataplane.routing.RouteAuth;

/**
 * What a request's authentication ({@link RouteAuth}: basic, external or both) needs of the
 * request, filled in by {@link Dispatch} while the request's values are at hand, so that the check
 * can run after the head is let go. The external fields are null on a route without an external
 * service.
 *
 * @param auth the route's authentication
 * @param credentials the request's {@code Authorization: Basic} credentials ({@link BasicCredentials#parse}),
 *     or null (none, malformed, or the route has no basic authentication)
 * @param policy the route's external authentication, or null
 * @param url the service's URL, its template filled in
 * @param originalUrl the request's URL: scheme, the host as sent, path and query
 *     ({@code X-Original-URL})
 * @param requestUri the request's path and query ({@code X-Original-URI}, nginx's {@code $request_uri})
 * @param requestRedirect {@code X-Auth-Request-Redirect}: the template's, else the path and query
 * @param signinLocation where a 401 sends the client instead, or null
 * @param cacheKey the answer's key in the cache (scoped to the route's source), or null for none
 * @param scheme {@code http} or {@code https}
 * @param host the host the request named as sent, or null
 * @param clientIp the client's address ({@link RealIp})
 */
record AuthCall(RouteAuth auth, BasicCredentials credentials, ExternalAuthPolicy policy, String url, String originalUrl, String requestUri, String requestRedirect,
    String signinLocation, String cacheKey, String scheme, String host, String clientIp) {

  /**
   * @param requestUri the normalised path and the query, before a rewrite
   * @param path the normalised path
   * @param host the authority the request named as sent, or null
   * @param hostName its host, or null
   * @param query the query as sent, or null
   */
  static AuthCall of(RouteAuth auth, String requestUri, String path, String host, String hostName,
      String query, RequestValues values) {
    BasicCredentials credentials = auth.basic() == null ? null : BasicCredentials.parse(values.header("authorization"));
    ExternalAuthPolicy policy = auth.external();
    String scheme = values.scheme();
    if (policy == null) {
      return new AuthCall(auth, credentials, null, null, null, requestUri, null, null, null, scheme, host,
          values.clientAddress());
    }
    String originalUrl = scheme + "://" + (host == null ? "" : host) + requestUri;
    String url = RequestTemplate.render(policy.url(), requestUri, path, hostName, query, values);
    String redirect = policy.requestRedirect() == null ? requestUri
        : RequestTemplate.render(policy.requestRedirect(), requestUri, path, hostName, query, values);
    String signin = policy.signin() == null ? null : withRedirect(
        RequestTemplate.render(policy.signin(), requestUri, path, hostName, query, values),
        policy.filter().signinRedirectParam(), originalUrl);
    String key = policy.cacheKey() == null ? "" : RequestTemplate.render(policy.cacheKey(), requestUri, path, hostName,
        query, values);
    // An answer holds for the URL it came from on the route it was asked for (its host and path
    // match: a service may decide by X-Original-URI), never another Ingress's, host's or path's; a
    // key that renders empty (a request without the credential it names) is not cached at all.
    String cacheKey = key.isEmpty() ? null : policy.cacheScope() + url + " " + key;
    return new AuthCall(auth, credentials, policy, url, originalUrl, requestUri, redirect, signin, cacheKey, scheme, host,
        values.clientAddress());
  }

  /**
   * The sign-in URL with the request's URL as its {@code param} argument, unless it names that
   * argument already (ingress-nginx's {@code buildAuthSignURL}).
   */
  static String withRedirect(String signin, String param, String originalUrl) {
    int query = signin.indexOf('?');
    if (query >= 0) {
      for (String pair : signin.substring(query + 1).split("&")) {
        if (pair.startsWith(param + "=")) {
          return signin;
        }
      }
    }
    return signin + (query < 0 ? "?" : "&") + param + "=" + RequestTemplate.escape(originalUrl);
  }
}
