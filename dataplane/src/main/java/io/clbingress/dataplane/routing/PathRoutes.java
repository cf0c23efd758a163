package io.clbingress.dataplane.routing;

import java.util.Map;

/**
 * The routes of one virtual host, indexed so that a request costs one hash lookup for Exact and
 * one per path element for Prefix: never a scan over all routes.
 */
final class PathRoutes {

  private final Map<String, CompiledRoute> exact;
  private final Map<String, CompiledRoute> prefix;

  PathRoutes(Map<String, CompiledRoute> exact, Map<String, CompiledRoute> prefix) {
    this.exact = Map.copyOf(exact);
    this.prefix = Map.copyOf(prefix);
  }

  /** Exact first, then the longest element-wise prefix; null when nothing matches. */
  CompiledRoute match(String path) {
    CompiledRoute route = exact.get(path);
    if (route != null || prefix.isEmpty()) {
      return route;
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
