package io.clbingress.dataplane.table;

import java.util.Objects;

/**
 * A match and where it goes.
 *
 * @param cluster name of a {@link Cluster} of the same table
 * @param source the object this route came from, {@code Kind namespace/name}, for logs and metrics
 * @param redirectToHttps answer 308 to the same URL on HTTPS instead of proxying (plain HTTP
 *     listener, a host with TLS)
 */
public record Route(PathMatch match, String cluster, Timeouts timeouts, String source, boolean redirectToHttps) {

  public Route {
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(timeouts, "timeouts");
    source = Objects.requireNonNullElse(source, "");
  }

  public Route(PathMatch match, String cluster, Timeouts timeouts, String source) {
    this(match, cluster, timeouts, source, false);
  }

  public Route withRedirectToHttps(boolean redirect) {
    return new Route(match, cluster, timeouts, source, redirect);
  }
}
