package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.ErrorPages;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.upstream.UpstreamCluster;

/**
 * A route's {@link ErrorPages} compiled: which of its backend's answers are replaced, and the route
 * that fetches the replacement from the error backend (the route's timeouts, source and key; no
 * filter of its own, so a page is never rewritten or replaced again, and a failed connect to the
 * error backend is tried once more on its next endpoint, {@link io.clbingress.dataplane.table.Retry#DEFAULT}).
 */
public record ErrorPageRoute(ErrorPages rules, CompiledRoute route) {

  static ErrorPageRoute compile(CompiledRoute of, ErrorPages rules, UpstreamCluster cluster) {
    Route fetch = new Route(PathMatch.Prefix.of("/"), rules.cluster(), of.timeouts(), of.route().source());
    return new ErrorPageRoute(rules, new CompiledRoute(of.key(), fetch, cluster, null, 0));
  }

  /** Whether an answer with this status is replaced by the error backend's. */
  public boolean replaces(int status) {
    return rules.replaces(status);
  }
}
