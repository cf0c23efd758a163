package io.clbingress.dataplane.routing;

import com.google.re2j.Pattern;
import io.clbingress.dataplane.table.Canary;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A route's {@link Canary} compiled: its rules, its header pattern, and the canary side of the
 * route. {@link #choose} is ingress-nginx's canary decision (see {@link Canary} for the order).
 */
public final class CanarySplit {

  private final Canary rules;
  private final Pattern headerPattern;
  private final CompiledRoute side;

  CanarySplit(Canary rules, CompiledRoute side) {
    this.rules = rules;
    this.headerPattern = rules.compiledHeaderPattern();
    this.side = side;
  }

  /** The canary side: the route to the canary's cluster, under its own key. */
  public CompiledRoute side() {
    return side;
  }

  /**
   * The route a request takes: {@code main} or the canary side (never the canary side while its
   * cluster has no endpoint). On a route with sticky sessions, a request whose session cookie names
   * an endpoint of one side stays on that side before any rule is asked (as ingress-nginx keeps
   * an affinitized request off the alternative backend), so that a weighted split does not move a
   * client, and start a new session, at every request.
   */
  public CompiledRoute choose(CompiledRoute main, RequestValues request) {
    if (!side.cluster().hasEndpoints()) {
      return main;
    }
    if (main.route().sessionTtlSeconds() != null) {
      String cookie = request.cookie(main.sessionCookie().name());
      if (cookie != null) {
        int dot = cookie.indexOf('.');
        String session = dot > 0 ? cookie.substring(0, dot) : cookie;
        if (main.cluster().indexOfSession(session) >= 0) {
          return main;
        }
        if (side.cluster().indexOfSession(session) >= 0) {
          return side;
        }
      }
    }
    return toCanary(request) ? side : main;
  }

  private boolean toCanary(RequestValues request) {
    if (rules.header() != null) {
      String value = request.header(rules.header());
      if (value != null) {
        if (rules.headerValue() != null) {
          if (rules.headerValue().equals(value)) {
            return true;
          }
        } else if (headerPattern != null) {
          if (headerPattern.matcher(value).find()) {
            return true;
          }
        } else if (value.equals("always")) {
          return true;
        } else if (value.equals("never")) {
          return false;
        }
      }
    }
    if (rules.cookie() != null) {
      String value = request.cookie(rules.cookie());
      if ("always".equals(value)) {
        return true;
      }
      if ("never".equals(value)) {
        return false;
      }
    }
    return rules.weight() > 0 && ThreadLocalRandom.current().nextInt(rules.weightTotal()) < rules.weight();
  }
}
