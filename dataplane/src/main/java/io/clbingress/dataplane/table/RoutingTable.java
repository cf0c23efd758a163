package io.clbingress.dataplane.table;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The whole configuration of a data plane: listeners, their virtual hosts and routes, and the
 * clusters the routes send traffic to. Immutable: a change is a new table (which the control channel
 * may carry as a patch against the one before, rebuilt whole on the data plane).
 *
 * @param version monotonic number given by the publisher; 0 for a table not yet published
 * @param hash content hash over listeners, clusters and certificates (not the version); empty when
 *     not stamped
 * @param certificates the TLS material of HTTPS listeners, chosen by SNI
 * @param defaultCertificate the name of the certificate that answers handshakes without SNI or for
 *     an unknown name ({@code --default-cert}); null for the data plane's self-signed one
 */
public record RoutingTable(long version, String hash, List<Listener> listeners, List<Cluster> clusters,
    List<Certificate> certificates, String defaultCertificate) {

  public RoutingTable(long version, String hash, List<Listener> listeners, List<Cluster> clusters,
      List<Certificate> certificates) {
    this(version, hash, listeners, clusters, certificates, null);
  }

  public RoutingTable {
    if (version < 0) {
      throw new IllegalArgumentException("version must not be negative: " + version);
    }
    hash = Objects.requireNonNullElse(hash, "");
    listeners = List.copyOf(listeners);
    clusters = List.copyOf(clusters);
    certificates = certificates == null ? List.of() : List.copyOf(certificates);
    Content content = new Content(listeners, clusters, certificates, defaultCertificate);
    content.validateOnce();
  }

  /**
   * The contents validated last, the latest first, at most two (a process that both translates
   * and rebuilds tables from patches, as tests do, has two series): a table made from another by
   * {@link #withVersion} (the publisher stamps every table) or {@link #withDefaultCertificate}
   * holds the very same immutable lists, so its checks, which read every route of every virtual
   * host, are not run again; and a table that shares virtual hosts with one of them (translation
   * hands over unchanged ones, a control-channel patch keeps them) reads only the others' routes,
   * while no cluster name went away. Only a cache: every table is as checked as without it.
   */
  private static volatile Validated[] recentlyValidated = new Validated[0];

  /** A table's content as validated: its cluster names, and its virtual hosts (by identity), whose routes name only those. */
  private record Validated(Content content, Set<String> clusterNames, Set<VirtualHost> checkedHosts) {

    boolean checked(VirtualHost vhost) {
      return vhost != null && checkedHosts.contains(vhost);
    }
  }

  /** A table's content, compared by the identity of its (immutable) lists. */
  private record Content(List<Listener> listeners, List<Cluster> clusters, List<Certificate> certificates,
      String defaultCertificate) {

    @Override
    public boolean equals(Object other) {
      return other instanceof Content c && c.listeners == listeners && c.clusters == clusters
          && c.certificates == certificates && Objects.equals(c.defaultCertificate, defaultCertificate);
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(listeners);
    }

    /** Validates this content unless it is the very content of a table checked recently ({@link #recentlyValidated}). */
    void validateOnce() {
      Validated[] recent = recentlyValidated;
      Validated base = null;
      for (Validated validated : recent) {
        if (equals(validated.content())) {
          return;
        }
        if (base == null && validated.checked(firstHost())) {
          base = validated;
        }
      }
      Validated fresh = validate(base);
      Validated other = recent.length == 0 ? null : recent[0] != base ? recent[0] : recent.length > 1 ? recent[1] : null;
      recentlyValidated = other == null ? new Validated[] {fresh} : new Validated[] {fresh, other};
    }

    /** The first virtual host of the first listener that has one, or null. */
    VirtualHost firstHost() {
      for (Listener listener : listeners) {
        if (!listener.virtualHosts().isEmpty()) {
          return listener.virtualHosts().get(0);
        }
      }
      return null;
    }

    /**
     * Cluster and listener names are unique, every route names a cluster of the table, the default
     * certificate is in it. A virtual host that {@code last} checked is not read again when every
     * cluster name of {@code last} is still here (its routes' clusters are then still here). When
     * the clusters equal {@code last}'s, one by one, their names are {@code last}'s (already found
     * unique): no set of thousands of names is made again.
     */
    Validated validate(Validated last) {
      boolean sameClusters = last != null && clusters.equals(last.content().clusters());
      Set<String> clusterNames = sameClusters ? last.clusterNames()
          : DistinctNames.of(clusters, Cluster::name, "duplicate cluster ");
      if (defaultCertificate != null && certificates.stream().noneMatch(c -> c.name().equals(defaultCertificate))) {
        throw new IllegalArgumentException("default certificate " + defaultCertificate + " is not in the table");
      }
      Set<VirtualHost> checkedBefore = last != null && (sameClusters || clusterNames.containsAll(last.clusterNames()))
          ? last.checkedHosts() : Set.of();
      Set<VirtualHost> checked = Collections.newSetFromMap(new IdentityHashMap<>(checkedBefore.size() + 16));
      DistinctNames.of(listeners, Listener::name, "duplicate listener ");
      for (Listener listener : listeners) {
        for (VirtualHost vhost : listener.virtualHosts()) {
          if (checked.add(vhost) && !checkedBefore.contains(vhost)) {
            for (Route route : vhost.routes()) {
              requireCluster(clusterNames, route);
            }
          }
        }
        if (listener.defaultRoute() != null) {
          requireCluster(clusterNames, listener.defaultRoute());
        }
      }
      return new Validated(this, clusterNames, checked);
    }
  }

  /** A table with content only, as translation produces it. */
  public static RoutingTable unpublished(List<Listener> listeners, List<Cluster> clusters) {
    return new RoutingTable(0, "", listeners, clusters, List.of());
  }

  public static RoutingTable unpublished(List<Listener> listeners, List<Cluster> clusters,
      List<Certificate> certificates) {
    return new RoutingTable(0, "", listeners, clusters, certificates);
  }

  /** @param defaultCertificate as {@link #defaultCertificate()}: one of {@code certificates}, or null */
  public static RoutingTable unpublished(List<Listener> listeners, List<Cluster> clusters,
      List<Certificate> certificates, String defaultCertificate) {
    return new RoutingTable(0, "", listeners, clusters, certificates, defaultCertificate);
  }

  public RoutingTable withVersion(long newVersion, String newHash) {
    return new RoutingTable(newVersion, newHash, listeners, clusters, certificates, defaultCertificate);
  }

  public RoutingTable withDefaultCertificate(String name) {
    return new RoutingTable(version, hash, listeners, clusters, certificates, name);
  }

  /** The certificate named by {@link #defaultCertificate()}, or null. */
  public Certificate defaultCertificateOrNull() {
    return certificates.stream().filter(c -> c.name().equals(defaultCertificate)).findFirst().orElse(null);
  }

  /** The default HTTPS listener (HTTPS on the port from flags, without TLS settings of its own), or null. */
  public Listener defaultHttpsListener() {
    for (Listener listener : listeners) {
      if (listener.protocol() == Protocol.HTTPS && listener.port() == Listener.PORT_FROM_FLAGS && listener.tls() == null) {
        return listener;
      }
    }
    return null;
  }

  public static RoutingTable empty() {
    return unpublished(List.of(), List.of());
  }

  private static void requireCluster(Set<String> clusterNames, Route route) {
    if (route.cluster() != null && !clusterNames.contains(route.cluster())) {
      throw new IllegalArgumentException("route " + route.match() + " names unknown cluster " + route.cluster());
    }
    Canary canary = route.filter(Canary.class);
    if (canary != null && !clusterNames.contains(canary.cluster())) {
      throw new IllegalArgumentException("route " + route.match() + " has a canary to unknown cluster " + canary.cluster());
    }
    ErrorPages errorPages = route.filter(ErrorPages.class);
    if (errorPages != null && !clusterNames.contains(errorPages.cluster())) {
      throw new IllegalArgumentException("route " + route.match() + " has error pages from unknown cluster "
          + errorPages.cluster());
    }
  }
}
