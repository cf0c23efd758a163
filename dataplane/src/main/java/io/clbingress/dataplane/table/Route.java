package io.clbingress.dataplane.table;

import java.util.Objects;

/**
 * A match and where it goes.
 *
 * @param cluster name of a {@link Cluster} of the same table
 * @param source the object this route came from, {@code Kind namespace/name}, for logs and metrics
 */
public record Route(PathMatch match, String cluster, Timeouts timeouts, String source) {

  public Route {
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(timeouts, "timeouts");
    source = Objects.requireNonNullElse(source, "");
  }
}
