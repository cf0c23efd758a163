package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
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
 * @param clientCertificates the client certificates its requests need (ingress-nginx's
 *     {@code auth-tls-*}): on the default HTTPS listener, also what its handshakes ask for; null
 *     when none are asked for
 */
public record VirtualHost(String host, List<Route> routes,
    @JsonInclude(JsonInclude.Include.NON_NULL) ClientCertificateAuth clientCertificates) {

  public static final String ANY_HOST = "*";

  public VirtualHost(String host, List<Route> routes) {
    this(host, routes, null);
  }

  /** This virtual host asking for client certificates as {@code auth} says. */
  public VirtualHost withClientCertificates(ClientCertificateAuth auth) {
    return new VirtualHost(host, routes, auth);
  }

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
