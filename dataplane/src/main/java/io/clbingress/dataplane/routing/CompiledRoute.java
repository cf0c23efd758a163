package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.Canary;
import io.clbingress.dataplane.table.ConnectionLimit;
import io.clbingress.dataplane.table.Cors;
import io.clbingress.dataplane.table.ErrorPages;
import io.clbingress.dataplane.table.ExternalAuth;
import io.clbingress.dataplane.table.HttpHeader;
import io.clbingress.dataplane.table.LocalRateLimit;
import io.clbingress.dataplane.table.RegexSubstitution;
import io.clbingress.dataplane.table.RequestHeaderModifier;
import io.clbingress.dataplane.table.RequestRedirect;
import io.clbingress.dataplane.table.Retry;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.SessionCookie;
import io.clbingress.dataplane.table.SourceRanges;
import io.clbingress.dataplane.table.Timeouts;
import io.clbingress.dataplane.table.URLRewrite;
import io.clbingress.dataplane.tls.ClientVerification;
import io.clbingress.dataplane.upstream.UpstreamCluster;

/**
 * A route with everything the request path needs resolved at compile time.
 *
 * @param clientCertificates the client certificate checks of its virtual host (ingress-nginx's
 *     {@code auth-tls-*}) or of its listener (a CLBListener's mutual TLS): the request's certificate
 *     decides its answer and the {@code ssl-client-*} headers the backend receives; null when none
 * @param maxBodyBytes the route's body limit, else its listener's; 0 = none
 * @param redirect the route's {@link RequestRedirect} filter, or null (looked up once, when compiled)
 * @param pathRewriter its {@link URLRewrite}'s path compiled, or null when the path is sent as requested
 * @param upstreamHost its {@link URLRewrite}'s hostname: the Host the backend receives; null for the client's
 * @param setHeaders its {@link RequestHeaderModifier}'s headers to set, compiled; {@link SetHeaders#NONE} for none
 * @param canary its {@link Canary} compiled, or null (none, or this is the canary side itself)
 * @param sessionCookie its sticky sessions' cookie: its {@link SessionCookie} filter, else the default
 * @param errorPages its {@link ErrorPages} compiled, or null
 * @param retry its {@link Retry} filter, else {@link Retry#DEFAULT}
 * @param cors its {@link Cors} filter compiled, or null
 * @param sourceRanges its {@link SourceRanges} compiled, or null (every client is served)
 * @param rateLimit the counts of its {@link LocalRateLimit}, or null (no limit)
 * @param connectionLimit the counts of its {@link ConnectionLimit}, or null (no limit)
 * @param auth its {@link io.clbingress.dataplane.table.BasicAuth} and {@link ExternalAuth} compiled, or null (no authentication)
 */
public record CompiledRoute(RouteKey key, Route route, UpstreamCluster cluster, ClientVerification clientCertificates,
    long maxBodyBytes, RequestRedirect redirect, PathRewriter pathRewriter, String upstreamHost,
    SetHeaders setHeaders, CanarySplit canary, SessionCookie sessionCookie, ErrorPageRoute errorPages,
    Retry retry, CorsPolicy cors, SourceRangeRules sourceRanges, RateLimitZone rateLimit,
    ConnectionLimitZone connectionLimit, RouteAuth auth) {

  public CompiledRoute(RouteKey key, Route route, UpstreamCluster cluster, ClientVerification clientCertificates,
      long maxBodyBytes) {
    this(key, route, cluster, clientCertificates, maxBodyBytes, route.requestRedirect(), pathRewriter(route),
        upstreamHost(route), setHeaders(route), null, sessionCookie(route), null, retry(route), cors(route),
        sourceRanges(route), null, null, RouteAuth.compile(key, route));
  }

  /**
   * A route of a table compiled with everything it refers to: its cluster, its canary side, its
   * error pages.
   *
   * @param clusters the table's clusters compiled, by name
   * @param maxBodyBytes the route's body limit, else its listener's; 0 = none
   * @param zones the data plane's rate-limit and connection-limit counts, which a route with a
   *     {@link LocalRateLimit} or a {@link ConnectionLimit} joins
   */
  static CompiledRoute compile(RouteKey key, Route route, java.util.Map<String, UpstreamCluster> clusters,
      ClientVerification clientCertificates, long maxBodyBytes, RateLimitZones zones) {
    CompiledRoute compiled = new CompiledRoute(key, route, clusters.get(route.cluster()), clientCertificates, maxBodyBytes);
    LocalRateLimit limit = route.filter(LocalRateLimit.class);
    ConnectionLimit connections = route.filter(ConnectionLimit.class);
    if (limit != null || connections != null) {
      compiled = new CompiledRoute(key, route, compiled.cluster, clientCertificates, maxBodyBytes, compiled.redirect,
          compiled.pathRewriter, compiled.upstreamHost, compiled.setHeaders, null, compiled.sessionCookie, null,
          compiled.retry, compiled.cors, compiled.sourceRanges, limit == null ? null : zones.zone(route.source(), limit),
          connections == null ? null : zones.connections(route.source(), connections), compiled.auth);
    }
    ErrorPages errorPages = route.filter(ErrorPages.class);
    if (errorPages != null) {
      compiled = new CompiledRoute(key, route, compiled.cluster, clientCertificates, maxBodyBytes, compiled.redirect,
          compiled.pathRewriter, compiled.upstreamHost, compiled.setHeaders, null, compiled.sessionCookie,
          ErrorPageRoute.compile(compiled, errorPages, clusters.get(errorPages.cluster())), compiled.retry,
          compiled.cors, compiled.sourceRanges, compiled.rateLimit, compiled.connectionLimit, compiled.auth);
    }
    Canary canary = route.filter(Canary.class);
    return canary == null ? compiled : compiled.withCanary(clusters.get(canary.cluster()));
  }

  private static SessionCookie sessionCookie(Route route) {
    SessionCookie cookie = route.filter(SessionCookie.class);
    return cookie == null ? SessionCookie.DEFAULT : cookie;
  }

  /**
   * The route compiled with its canary side, when it has a {@link Canary}: the same route to the
   * canary's cluster, under its own key.
   *
   * @param canaryCluster the canary's cluster compiled
   */
  private CompiledRoute withCanary(UpstreamCluster canaryCluster) {
    Canary rules = route.filter(Canary.class);
    if (rules == null) {
      return this;
    }
    CompiledRoute side = new CompiledRoute(key.canarySide(), route, canaryCluster, clientCertificates, maxBodyBytes,
        redirect, pathRewriter, upstreamHost, setHeaders, null, sessionCookie, errorPages, retry, cors, sourceRanges, rateLimit,
        connectionLimit, auth);
    return new CompiledRoute(key, route, cluster, clientCertificates, maxBodyBytes, redirect, pathRewriter,
        upstreamHost, setHeaders, new CanarySplit(rules, side), sessionCookie, errorPages, retry, cors, sourceRanges, rateLimit,
        connectionLimit, auth);
  }

  private static PathRewriter pathRewriter(Route route) {
    URLRewrite rewrite = route.filter(URLRewrite.class);
    return rewrite != null && rewrite.path() instanceof RegexSubstitution substitution
        ? new PathRewriter(substitution) : null;
  }

  private static String upstreamHost(Route route) {
    URLRewrite rewrite = route.filter(URLRewrite.class);
    return rewrite == null ? null : rewrite.hostname();
  }

  private static SetHeaders setHeaders(Route route) {
    RequestHeaderModifier modifier = route.filter(RequestHeaderModifier.class);
    return modifier == null ? SetHeaders.NONE : SetHeaders.of(modifier.set());
  }

  /**
   * Whether the route's requests go to the access log: no {@link io.clbingress.dataplane.table.AccessLogging}
   * filter, or one that enables it. (A look through the route's few filters, made only when the
   * data plane logs.)
   */
  public boolean accessLogged() {
    io.clbingress.dataplane.table.AccessLogging logging = route.filter(io.clbingress.dataplane.table.AccessLogging.class);
    return logging == null || logging.enabled();
  }

  /** Whether the route answers with a redirect whose Location keeps the request's host (to HTTPS, or a filter without a host). */
  public boolean redirectKeepsHost() {
    return redirect != null ? redirect.host() == null : route.redirectToHttps();
  }

  /** Whether an answer with this status (the backend's, or the proxy's own 502/504) is replaced by the route's error page. */
  public boolean replacedByPage(int status) {
    return errorPages != null && errorPages.replaces(status);
  }

  /**
   * Whether the backend's answer heads on this route may go to an HTTP/1.x client as the bytes
   * they came in (hop-by-hop lines dropped, the proxy's lines added) rather than decoded into header
   * objects and encoded again: true unless a filter reads or edits the answer's headers as objects.
   * Of the route's filters only {@link Cors} does (it replaces the backend's Access-Control-*
   * headers); a status the route acts on (a {@link Retry} on status, an {@link ErrorPages} page) is
   * read from the bytes, and the sticky and authentication Set-Cookie lines are added to them.
   * Compression is the listener's and the request's, decided per request.
   */
  public boolean headsPassThrough() {
    return cors == null;
  }

  private static SourceRangeRules sourceRanges(Route route) {
    SourceRanges ranges = route.filter(SourceRanges.class);
    return ranges == null ? null : new SourceRangeRules(ranges);
  }

  private static CorsPolicy cors(Route route) {
    Cors cors = route.filter(Cors.class);
    return cors == null ? null : new CorsPolicy(cors);
  }

  private static Retry retry(Route route) {
    Retry retry = route.filter(Retry.class);
    return retry == null ? Retry.DEFAULT : retry;
  }

  public Timeouts timeouts() {
    return route.timeouts();
  }
}
