package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.RequestValues;
import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.routing.ConnectionLimitZone;
import io.clbingress.dataplane.routing.CorsPolicy;
import io.clbingress.dataplane.routing.ListenerRouter;
import io.clbingress.dataplane.routing.PathRewriter;
import io.clbingress.dataplane.tls.ClientVerification;
import io.vertx.core.net.HostAndPort;
import javax.net.ssl.SSLSession;

/**
 * What the proxy does with a request head, the same whichever engine read it (Vert.x for HTTP/2,
 * {@link ClientConnection} for HTTP/1.x). In order: a head {@link RequestHead} refuses, or whose
 * target is malformed, holds a {@code #}, or is in neither origin nor absolute form
 * ({@link RequestPath}, {@link AbsoluteForm}) is refused (400); no route is 404; a route with a
 * {@link io.clbingress.dataplane.table.Canary} is first replaced by its canary side when the
 * canary's rules choose it; on a route whose virtual host asks for client certificates
 * ({@link io.clbingress.dataplane.tls.ClientVerification}), a request over TLS whose connection's
 * SNI name reaches another virtual host (or that sent none) is 421 Misdirected Request (RFC 9110
 * §15.5.20: domain fronting, or an HTTP/2 connection reused for another host, must not skip the
 * handshake that host asks for), and a certificate that does not do is 400 or the host's error
 * page ({@link Action#CLIENT_CERTIFICATE}), or 403 when its subject does not match (the TLS
 * checks come first, as nginx's run when the request is read); a client address the route's
 * {@link io.clbingress.dataplane.table.SourceRanges} do not serve is 403, before anything else but
 * those TLS checks; an
 * {@code OPTIONS} request of an origin the route's {@link io.clbingress.dataplane.table.Cors} allows
 * is a preflight answered 204 (ingress-nginx's CORS block returns before its redirects); a route
 * with a {@link io.clbingress.dataplane.table.RequestRedirect} answers with it (as ingress-nginx's
 * {@code return} comes before its HTTPS redirect); a route that redirects to HTTPS answers 308;
 * either one, when it keeps the request's host and the request named none, is 400; a request over
 * the route's {@link io.clbingress.dataplane.table.LocalRateLimit} is refused with the rate limit's
 * status (counted only when it passes; redirects and preflights, answered before, are not counted,
 * as in ingress-nginx, whose limit_req comes after its rewrite phase); a request over the route's
 * {@link io.clbingress.dataplane.table.ConnectionLimit} is refused with the connection limit's status
 * (after the rate limit, as nginx runs limit_req before limit_conn; a request that passes takes a
 * {@link #lease} its engine gives back however the request ends); a route without endpoints is
 * 503; a WebSocket upgrade is tunnelled; a declared body over the route's limit is 413; anything
 * else is forwarded. A forwarded or tunnelled request's target is the route's path rewrite when it
 * has one ({@link io.clbingress.dataplane.table.RegexSubstitution}); a redirect uses the normalised
 * target, not the rewritten one.
 *
 * @param action what to do
 * @param status the refusal's status ({@link Action#REFUSE} and {@link Action#LIMITED} only)
 * @param route the matched route, or null
 * @param uri the request target to send on (the normalised path, rewritten when the route says so,
 *     and the client's query), or null for a refused head
 * @param host the authority the request names exactly as sent (an absolute target's, else the Host
 *     header's, {@code :80} and all), which is the Host the backend receives; null when it names none
 * @param authority {@code host} parsed, or null
 * @param balanceKey what the route's cluster hashes for this request ({@link RequestTemplate}), or null
 *     for the client's address
 * @param corsOrigin the {@code Access-Control-Allow-Origin} of every answer to this request, when
 *     the route has CORS and allows the request's origin ({@link CorsPolicy#allowOrigin}); else null
 * @param lease the request's place in its route's connection limit, which the engine gives back when
 *     the request ends however it ends (answered, the client gone, its tunnel closed, its stream
 *     reset); null when the route has no connection limit or the request was refused before it
 * @param auth for a request to forward or tunnel on a route with authentication
 *     ({@link io.clbingress.dataplane.table.BasicAuth}, {@link io.clbingress.dataplane.table.ExternalAuth}):
 *     what is checked before the request goes on ({@link AuthClient}); else null. (As in nginx, where auth_request runs in
 *     the access phase: after the access list, preflights, redirects and the limits, before the
 *     proxy.)
 */
record Dispatch(Action action, int status, CompiledRoute route, String uri, String host, HostAndPort authority,
    String balanceKey, String corsOrigin, ConnectionLimitZone.Lease lease, AuthCall auth) {

  /** The proxy's choices for a request head. */
  enum Action { REFUSE, CLIENT_CERTIFICATE, NOT_FOUND, FORBIDDEN, LIMITED, PREFLIGHT, REDIRECT, REDIRECT_TO_HTTPS, NO_ENDPOINT, UPGRADE, TOO_LARGE, FORWARD }

  /**
   * Runs of slashes in a path are merged before routing and forwarding, as nginx's default
   * {@code merge_slashes on}: {@code //admin} must not slip past a {@code /admin} route's policy.
   */
  static final boolean MERGE_SLASHES = true;

  /**
   * @param listener the listener in force, or null (none: every request is 404)
   * @param headRefusal what {@link RequestHead} refuses the head with, 0 when it may be routed
   * @param uri the request target as sent
   * @param rawPath the target's path as sent ({@code /} when it has none); the very instance
   *     {@code uri} is when the target is a path without a query
   * @param query the target's query, or null
   * @param hostHeader the Host header (or HTTP/2 {@code :authority}) as sent, or null
   * @param hostParsed {@code hostHeader} parsed ({@link AbsoluteForm#parse}), or null
   * @param upgrade the request asks for a WebSocket upgrade
   * @param options its method is {@code OPTIONS}
   * @param declaredLength its Content-Length, -1 when it has none
   * @param values its headers, cookies and client address, read only for a route with a canary, CORS,
   *     source ranges, a rate or connection limit or a cluster with a hash key, during this call only
   */
  static Dispatch of(ListenerRouter listener, int headRefusal, String uri, String rawPath, String query,
      String hostHeader, HostAndPort hostParsed, boolean upgrade, boolean options, long declaredLength,
      RequestValues values) {
    // RFC 9112 §3.2.2: an absolute-form target's authority wins over the Host header.
    boolean absolute = AbsoluteForm.isAbsolute(uri);
    String host = absolute ? AbsoluteForm.targetAuthority(uri) : hostHeader;
    HostAndPort named = absolute ? AbsoluteForm.parse(host) : hostParsed;
    // RFC 9112 §3.2: origin-form (/...) or absolute-form; "@evil.example", "evil.example/x" or "*"
    // would reach a backend as written and follow a redirect's host into its Location.
    boolean originOrAbsolute = absolute ? named != null : uri.startsWith("/");
    // RFC 9112 §3.2: a request target has no fragment; a raw "#" would reach a backend (or a
    // rewrite's query) as written, where another parser may cut the target at it. (Nor has it a
    // space or control character in its query: RequestHead refuses those.)
    boolean unusable = uri.indexOf('#') >= 0;
    String path = headRefusal != 0 || !originOrAbsolute || unusable ? null : RequestPath.normalize(rawPath, MERGE_SLASHES);
    if (path == null) {
      return new Dispatch(Action.REFUSE, headRefusal != 0 ? headRefusal : 400, null, null, host, named, null, null, null, null);
    }
    String forwarded = path == rawPath && uri.startsWith("/") ? uri // RequestPath changed nothing
        : query == null ? path : path + "?" + query;
    CompiledRoute route = listener == null ? null : listener.match(named == null ? null : named.host(), path);
    if (route != null && route.canary() != null) {
      route = route.canary().choose(route, values); // before the rest: its cluster decides 503
    }
    if (route != null && route.clientCertificates() != null && route.clientCertificates().perHost()) {
      int refusal = clientCertificateRefusal(listener, route, named, values);
      if (refusal != 0) {
        return new Dispatch(refusal == 403 ? Action.FORBIDDEN : refusal == 421 ? Action.REFUSE : Action.CLIENT_CERTIFICATE,
            refusal, route, null, host, named, null, null, null, null);
      }
    }
    String corsOrigin = route == null || route.cors() == null ? null
        : route.cors().allowOrigin(values.header("origin"));
    Action action;
    ConnectionLimitZone.Lease lease = null;
    if (route == null) {
      action = Action.NOT_FOUND;
    } else if (route.sourceRanges() != null && !route.sourceRanges().allows(values.clientAddress())) {
      return new Dispatch(Action.FORBIDDEN, 403, route, null, host, named, null, null, null, null);
    } else if (options && corsOrigin != null) {
      action = Action.PREFLIGHT;
    } else if (named == null && route.redirectKeepsHost()) {
      // a redirect that keeps the request's host, and the request named none (HTTP/1.0 without Host,
      // an empty or unreadable Host): "https:///x" would let the path choose the host in a browser
      return new Dispatch(Action.REFUSE, 400, route, null, host, null, null, null, null, null);
    } else if (route.redirect() != null) {
      action = Action.REDIRECT;
    } else if (route.route().redirectToHttps() && !"https".equals(values.scheme())) {
      // (a trusted proxy that ended the client's TLS says so in X-Forwarded-Proto: no redirect loop)
      action = Action.REDIRECT_TO_HTTPS;
    } else if (route.rateLimit() != null && !route.rateLimit().admit(values.clientAddress(), System.nanoTime() / 1_000_000)) {
      return new Dispatch(Action.LIMITED, route.rateLimit().status(), route, null, host, named, null, corsOrigin, null,
          null);
    } else if (route.connectionLimit() != null
        && (lease = route.connectionLimit().acquire(values.clientAddress())) == null) {
      return new Dispatch(Action.LIMITED, route.connectionLimit().status(), route, null, host, named, null, corsOrigin,
          null, null);
    } else if (!route.cluster().hasEndpoints()) {
      action = Action.NO_ENDPOINT;
    } else if (upgrade) {
      action = Action.UPGRADE;
    } else if (route.maxBodyBytes() > 0 && declaredLength > route.maxBodyBytes()) {
      action = Action.TOO_LARGE;
    } else {
      action = Action.FORWARD;
    }
    boolean sends = action == Action.UPGRADE || action == Action.FORWARD; // (sends() of the result)
    String balanceKey = sends && route.cluster().hashKey() != null ? RequestTemplate.render(route.cluster().hashKey(), forwarded,
        path, named == null ? null : named.host(), query, values) : null;
    AuthCall auth = sends && route.auth() != null ? AuthCall.of(route.auth(), forwarded, path, host,
        named == null ? null : named.host(), query, values) : null;
    if (sends && route.pathRewriter() != null) {
      forwarded = rewritten(route, path, query, forwarded);
      if (forwarded == null) {
        if (lease != null) {
          lease.release();
        }
        return new Dispatch(Action.REFUSE, 400, route, null, host, named, null, null, null, null);
      }
    }
    return new Dispatch(action, 0, route, forwarded, host, named, balanceKey, corsOrigin, lease, auth);
  }

  /** Whether the request goes to a backend: forwarded, or its WebSocket upgrade tunnelled. */
  boolean sends() {
    return action == Action.UPGRADE || action == Action.FORWARD;
  }

  /**
   * What a request to a virtual host with client certificates gets before anything else, 0 when
   * it passes: over TLS, 421 when the connection's SNI name reaches another virtual host (nginx
   * answers the same when the host of a request differs from the SNI name and that host verifies
   * client certificates), else its certificate's refusal ({@link ClientVerification#refusal}).
   * A plain HTTP request has no certificate (verify {@code NONE}), unless the route sends it to
   * HTTPS first.
   */
  private static int clientCertificateRefusal(ListenerRouter listener, CompiledRoute route, HostAndPort named,
      RequestValues values) {
    SSLSession session = values.tlsSession();
    if (session == null && route.route().redirectToHttps()) {
      return 0;
    }
    if (session != null && !listener.sameVirtualHost(values.serverName(), named == null ? null : named.host())) {
      return 421;
    }
    ClientVerification checks = route.clientCertificates();
    return checks.refusal(checks.verify(session));
  }

  /**
   * The target a route's path rewrite sends on: its substitution, normalised as a client's path is
   * (a group that captured {@code .} next to another must not make a dot segment the route did not
   * allow), with nginx's query rules; {@code unchanged} when the pattern is not found; null to
   * refuse (a substitution that normalises to nothing valid).
   */
  private static String rewritten(CompiledRoute route, String path, String query, String unchanged) {
    String substituted = route.pathRewriter().rewrite(path);
    if (substituted == null) {
      return unchanged;
    }
    int mark = substituted.indexOf('?');
    String newPath = RequestPath.normalize(mark < 0 ? substituted : substituted.substring(0, mark), MERGE_SLASHES);
    if (newPath == null || !newPath.startsWith("/")) {
      return null;
    }
    return newPath + PathRewriter.query(mark < 0 ? null : substituted.substring(mark + 1), query);
  }

  /**
   * The path of a request target as Vert.x reads it: an absolute target's path after its
   * authority ({@code /} when it has none), up to the query; the very {@code uri} instance when
   * it is a path without a query; {@code /} for an empty target.
   */
  static String pathOf(String uri) {
    if (uri.isEmpty()) {
      return "/";
    }
    int start = 0;
    if (uri.charAt(0) != '/') {
      int scheme = uri.indexOf("://");
      if (scheme >= 0) {
        start = uri.indexOf('/', scheme + 3);
        if (start < 0) {
          return "/";
        }
      }
    }
    int query = uri.indexOf('?', start);
    if (query < 0) {
      return start == 0 ? uri : uri.substring(start);
    }
    String path = uri.substring(start, query);
    return path.isEmpty() ? "/" : path;
  }

  /** The Location of a {@link Action#REDIRECT}, for a request that came over {@code scheme}. */
  String redirectLocation(String scheme) {
    return route.redirect().location(scheme, authority == null ? null : authority.host(),
        authority == null ? -1 : authority.port(), uri);
  }

  /** The query of a request target, or null. */
  static String queryOf(String uri) {
    int query = uri.indexOf('?');
    return query < 0 ? null : uri.substring(query + 1);
  }

  /** A Content-Length value, or -1 when absent or unreadable (a chunked body is counted as it streams). */
  static long declaredLength(String contentLength) {
    try {
      return contentLength == null ? -1 : Long.parseLong(contentLength.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
