package io.clbingress.dataplane.routing;

import com.google.re2j.Pattern;
import io.clbingress.dataplane.table.Canary;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.VirtualHost;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The routes of one virtual host, indexed so that a request costs one hash lookup for Exact and
 * one per path element for Prefix: never a scan over all routes. RegularExpression routes, tried
 * between the two in the table's order, are the one scan (a host has them only when its owners
 * asked for regex paths).
 */
final class PathRoutes {

  private final VirtualHost vhost;
  private final Map<String, CompiledRoute> exact;
  private final Map<String, CompiledRoute> prefix;
  /** In the table's order, with their patterns compiled (the same index). */
  private final CompiledRoute[] regex;
  private final Pattern[] patterns;

  /** @param regex the RegularExpression routes in the order they are tried */
  PathRoutes(VirtualHost vhost, Map<String, CompiledRoute> exact, Map<String, CompiledRoute> prefix,
      List<CompiledRoute> regex) {
    this.vhost = vhost;
    this.exact = Map.copyOf(exact);
    this.prefix = Map.copyOf(prefix);
    this.regex = regex.toArray(CompiledRoute[]::new);
    this.patterns = new Pattern[this.regex.length];
    for (int i = 0; i < patterns.length; i++) {
      patterns[i] = Pattern.compile(this.regex[i].route().match().path());
    }
  }

  /**
   * Whether these are the routes of {@code other} and none of them names a cluster compiled anew,
   * so that a new table can keep them.
   *
   * @param replaced the names of the clusters the new table compiled anew (new or changed)
   */
  boolean isCompiledFrom(VirtualHost other, Set<String> replaced) {
    if (vhost != other && !vhost.equals(other)) {
      return false;
    }
    if (replaced.isEmpty()) {
      return true;
    }
    for (Route route : vhost.routes()) {
      Canary canary = route.filter(Canary.class);
      if (replaced.contains(route.cluster()) || canary != null && replaced.contains(canary.cluster())) {
        return false;
      }
    }
    return true;
  }

  /** The route with this key's match (its canary side for a canary key), or null. */
  CompiledRoute route(RouteKey key) {
    CompiledRoute route = route(key.match());
    if (route == null || !key.canary()) {
      return route;
    }
    return route.canary() == null ? null : route.canary().side();
  }

  /** The route with this match, or null. */
  private CompiledRoute route(PathMatch match) {
    if (match instanceof PathMatch.RegularExpression) {
      for (CompiledRoute route : regex) {
        if (route.route().match().equals(match)) {
          return route;
        }
      }
      return null;
    }
    return (match instanceof PathMatch.Exact ? exact : prefix).get(match.path());
  }

  /**
   * Exact first, then the first regular expression that matches from the start of the path, then
   * the longest element-wise prefix; null when nothing matches.
   */
  CompiledRoute match(String path) {
    CompiledRoute route = exact.get(path);
    if (route != null) {
      return route;
    }
    for (int i = 0; i < patterns.length; i++) {
      if (patterns[i].matcher(path).lookingAt()) {
        return regex[i];
      }
    }
    if (prefix.isEmpty()) {
      return null;
    }
    String candidate = withoutTrailingSlashes(path);
    while (true) {
      route = prefix.get(candidate);
      if (route != null || candidate.equals("/")) {
        return route;
      }
      int lastSlash = candidate.lastIndexOf('/');
      candidate = lastSlash <= 0 ? "/" : candidate.substring(0, lastSlash);
    }
  }

  private static String withoutTrailingSlashes(String path) {
    int end = path.length();
    while (end > 1 && path.charAt(end - 1) == '/') {
      end--;
    }
    return end == path.length() ? path : path.substring(0, end);
  }
}
