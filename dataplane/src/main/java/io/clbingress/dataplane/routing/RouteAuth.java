package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.auth.Htpasswd;
import io.clbingress.dataplane.table.BasicAuth;
import io.clbingress.dataplane.table.ExternalAuth;
import io.clbingress.dataplane.table.Route;

/**
 * A route's authentication compiled: HTTP Basic against its users ({@link BasicAuth}), an external
 * service ({@link ExternalAuth}), or both, checked in that order (nginx's access phase with
 * {@code satisfy all}, ingress-nginx's default): a request goes on only when every one allowed it.
 *
 * @param basic the route's {@link BasicAuth}, or null
 * @param users its users, read once, or null
 * @param external its {@link ExternalAuth} compiled, or null
 */
public record RouteAuth(BasicAuth basic, Htpasswd users, ExternalAuthPolicy external) {

  /** The route's authentication, or null when it has none; {@code key} scopes its cached answers. */
  static RouteAuth compile(RouteKey key, Route route) {
    BasicAuth basic = route.filter(BasicAuth.class);
    ExternalAuth external = route.filter(ExternalAuth.class);
    if (basic == null && external == null) {
      return null;
    }
    return new RouteAuth(basic, basic == null ? null : Htpasswd.of(basic),
        external == null ? null : ExternalAuthPolicy.compile(external, route.source() + " " + key));
  }
}
