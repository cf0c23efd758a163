package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.SessionCookie;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;

import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.upstream.EndpointPicker;
import io.clbingress.dataplane.upstream.UpstreamCluster;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;

/**
 * The endpoint for a request: the route's scheduler, unless the route has sticky sessions and the
 * client's cookie names an endpoint of the route's cluster whose session has not expired. A new
 * session sets the route's cookie ({@link SessionCookie}, {@code clb_session} by default) =
 * {@code <endpoint id>.<expiry, epoch seconds>} for the route's path, so an endpoint that leaves
 * breaks only its own sessions, and an expired cookie is refused here even when a client keeps
 * sending it.
 */
final class StickySessions {

  private final Clock clock;

  StickySessions(Clock clock) {
    this.clock = clock;
  }

  /**
   * @param clientIp the client's address ({@link RealIp})
   * @param balanceKey what the cluster hashes instead of the client's address ({@link Dispatch#balanceKey}), or null */
  int choose(HttpServerRequest request, String clientIp, CompiledRoute route, String balanceKey) {
    String hashed = balanceKey != null ? balanceKey : clientIp;
    if (route.route().sessionTtlSeconds() == null) {
      return route.cluster().picker().pick(hashed);
    }
    return choose(route, hashed, cookieIn(request.headers(), route.sessionCookie().name()), request.isSSL(),
        request.response().headers()::add);
  }

  /**
   * @param clientIp what IP_HASH hashes: the client's address, or the cluster's balance key
   * @param cookie the value of the client's session cookie, or null
   * @param secure the client came over TLS: a new session's cookie is {@code Secure}
   * @param setCookie given the {@code Set-Cookie} header of a new session
   * @return the endpoint index
   */
  int choose(CompiledRoute route, String clientIp, String cookie, boolean secure, ProxyHeaders.Sink setCookie) {
    UpstreamCluster cluster = route.cluster();
    EndpointPicker picker = cluster.picker();
    Integer ttl = route.route().sessionTtlSeconds();
    if (ttl == null) {
      return picker.pick(clientIp);
    }
    long now = clock.millis() / 1000;
    if (cookie != null) {
      int index = stillValid(cluster, cookie, now);
      if (index >= 0) {
        return index;
      }
    }
    int index = picker.pick(clientIp);
    setCookie.set("set-cookie", newSession(route, index, secure));
    return index;
  }

  /**
   * The Set-Cookie value of a new session of a sticky route on endpoint {@code index}: for a
   * client's first request, or after its request was passed on from a failed endpoint (ingress-nginx's
   * {@code session-cookie-change-on-failure}).
   *
   * @param secure the client came over TLS: the cookie is {@code Secure}
   */
  String newSession(CompiledRoute route, int index, boolean secure) {
    int ttl = route.route().sessionTtlSeconds();
    long now = clock.millis() / 1000;
    SessionCookie shape = route.sessionCookie();
    DefaultCookie session = new DefaultCookie(shape.name(), route.cluster().sessionId(index) + "." + (now + ttl));
    // A regular expression is no cookie path: the cookie then holds for the whole host, as
    // ingress-nginx asks for session-cookie-path with use-regex.
    PathMatch match = route.route().match();
    session.setPath(shape.path() != null ? shape.path() : match instanceof PathMatch.RegularExpression ? "/" : match.path());
    if (!shape.session()) {
      session.setMaxAge(ttl);
    }
    session.setHttpOnly(true);
    session.setSecure(secure || shape.secure());
    session.setSameSite(shape.sameSite() == null ? CookieHeaderNames.SameSite.Lax
        : CookieHeaderNames.SameSite.valueOf(shape.sameSite()));
    return ServerCookieEncoder.STRICT.encode(session);
  }

  /**
   * The value of the cookie {@code name} in an HTTP/1 request's Cookie header lines (one, from a
   * browser; a gateway may send several), decoded strictly (RFC 6265 §4.2.1), or null. The one
   * reading of a cookie for the Netty engine: sticky sessions, canary and hash keys alike.
   */
  static String cookieIn(io.netty.handler.codec.http.HttpHeaders headers, String name) {
    return cookieIn(headers.valueStringIterator(io.netty.handler.codec.http.HttpHeaderNames.COOKIE), name);
  }

  /**
   * The value of the cookie {@code name} in a request Vert.x read, over every {@code cookie}
   * field: an HTTP/2 client may split its cookies into one field per cookie (RFC 9113 §8.2.3), and
   * an HTTP/1 gateway may send several lines. Vert.x (5.0) joins h2 crumbs when its header map of
   * the request is first made, but its {@code getCookie} reads the first field of the stream's
   * headers, so it sees the others only when the map was made before. Sticky sessions, canary
   * and hash keys of HTTP/2 (and of the Vert.x engine) alike.
   */
  static String cookieIn(io.vertx.core.MultiMap headers, String name) {
    return cookieIn(headers.getAll(io.vertx.core.http.HttpHeaders.COOKIE).iterator(), name);
  }

  private static String cookieIn(java.util.Iterator<String> lines, String name) {
    while (lines.hasNext()) {
      String line = lines.next();
      if (line.contains(name)) {
        for (io.netty.handler.codec.http.cookie.Cookie cookie : ServerCookieDecoder.STRICT.decode(line)) {
          if (cookie.name().equals(name)) {
            return cookie.value();
          }
        }
      }
    }
    return null;
  }

  /** The endpoint index a cookie value names, or -1 when it is malformed, expired or gone. */
  private static int stillValid(UpstreamCluster cluster, String value, long now) {
    int dot = value.indexOf('.');
    if (dot <= 0) {
      return -1;
    }
    try {
      if (Long.parseLong(value.substring(dot + 1)) <= now) {
        return -1;
      }
    } catch (NumberFormatException e) {
      return -1;
    }
    return cluster.indexOfSession(value.substring(0, dot));
  }
}
