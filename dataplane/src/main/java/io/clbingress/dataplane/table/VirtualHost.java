package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The routes of one host name.
 *
 * @param host lower-case exact name, {@code *.suffix} for a wildcard of exactly one DNS label, or
 *     {@code *} for requests whose host matches no other virtual host
 */
public record VirtualHost(String host, List<Route> routes) {

  public static final String ANY_HOST = "*";

  public VirtualHost {
    Objects.requireNonNull(host, "host");
    if (!host.equals(host.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("virtual host must be lower case: " + host);
    }
    if (host.indexOf('*') > 0 || (host.startsWith("*") && !host.equals(ANY_HOST) && !host.startsWith("*."))) {
      throw new IllegalArgumentException("virtual host wildcard must be a whole first label: " + host);
    }
    routes = List.copyOf(routes);
    Set<PathMatch> matches = new HashSet<>();
    for (Route route : routes) {
      if (!matches.add(route.match())) {
        throw new IllegalArgumentException("virtual host " + host + ": duplicate route " + route.match());
      }
    }
  }

  @JsonIgnore
  public boolean isWildcard() {
    return host.startsWith("*.");
  }
}
