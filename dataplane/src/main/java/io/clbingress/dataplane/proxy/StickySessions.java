package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.upstream.EndpointPicker;
import io.clbingress.dataplane.upstream.UpstreamCluster;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;

/**
 * The endpoint for a request: the route's scheduler, unless the route has sticky sessions and the
 * client's cookie names an endpoint of the route's cluster whose session has not expired. A new
 * session sets the cookie {@value #COOKIE} = {@code <endpoint id>.<expiry, epoch seconds>} for the
 * route's path, so an endpoint that leaves breaks only its own sessions, and an expired cookie is
 * refused here even when a client keeps sending it.
 */
final class StickySessions {

  static final String COOKIE = "clb_session";

  private final Clock clock;

  StickySessions(Clock clock) {
    this.clock = clock;
  }

  int choose(HttpServerRequest request, CompiledRoute route) {
    UpstreamCluster cluster = route.cluster();
    EndpointPicker picker = cluster.picker();
    Integer ttl = route.route().sessionTtlSeconds();
    if (ttl == null) {
      return picker.pick(ProxyHeaders.clientIp(request));
    }
    long now = clock.millis() / 1000;
    Cookie cookie = request.getCookie(COOKIE);
    if (cookie != null) {
      int index = stillValid(cluster, cookie.getValue(), now);
      if (index >= 0) {
        return index;
      }
    }
    int index = picker.pick(ProxyHeaders.clientIp(request));
    request.response().addCookie(Cookie.cookie(COOKIE, cluster.sessionId(index) + "." + (now + ttl))
        .setPath(route.route().match().path())
        .setMaxAge(ttl)
        .setHttpOnly(true)
        .setSecure(request.isSSL())
        .setSameSite(CookieSameSite.LAX));
    return index;
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
