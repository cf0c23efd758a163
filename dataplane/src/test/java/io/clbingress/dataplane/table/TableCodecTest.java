package io.clbingress.dataplane.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clbingress.dataplane.codec.ContentHasher;
import io.clbingress.dataplane.codec.TableCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableCodecTest {

  private static RoutingTable sample(long readSeconds) {
    Cluster cluster = new Cluster("default/web:80", BackendProtocol.HTTP, Scheduler.WRR,
        List.of(new Endpoint("10.0.0.1", 8080)));
    Route exact = new Route(new PathMatch.Exact("/x"), cluster.name(), Timeouts.ofSeconds(readSeconds, 60, 5), "Ingress default/web");
    Route prefix = new Route(PathMatch.Prefix.of("/api/"), cluster.name(), Timeouts.ofSeconds(60, 60, 5), "Ingress default/web");
    Listener listener = new Listener("default-http", Protocol.HTTP, Listener.PORT_FROM_FLAGS,
        List.of(new VirtualHost("*.example.com", List.of(exact, prefix))), prefix);
    return RoutingTable.unpublished(List.of(listener), List.of(cluster));
  }

  @Test
  void jsonRoundTripKeepsEverything() {
    // Given
    RoutingTable table = TableCodec.stamp(sample(30), 7);
    // When
    RoutingTable back = TableCodec.fromJson(TableCodec.toJson(table));
    // Then
    assertThat(back).isEqualTo(table);
    assertThat(back.version()).isEqualTo(7);
    assertThat(((PathMatch.Prefix) back.listeners().get(0).virtualHosts().get(0).routes().get(1).match()).path())
        .isEqualTo("/api");
  }

  /** A listener's gzip goes through JSON whole, and a change of it is a change of the table (ContentHasher). */
  @Test
  void aListenersGzipSurvivesTheRoundTripAndChangesTheHash() {
    // Given
    Listener listener = sample(30).listeners().get(0);
    RoutingTable compressed = TableCodec.stamp(RoutingTable.unpublished(List.of(listener.withGzip(
        new Gzip(100, List.of("application/json", "*")))), sample(30).clusters()), 3);
    RoutingTable other = RoutingTable.unpublished(List.of(listener.withGzip(new Gzip(101, List.of("application/json",
        "*")))), sample(30).clusters());
    // When
    RoutingTable back = TableCodec.fromJson(TableCodec.toJson(compressed));
    // Then
    assertThat(back).isEqualTo(compressed);
    assertThat(back.listeners().get(0).gzip().types()).containsExactly("application/json", "*");
    assertThat(TableCodec.toJson(sample(30))).doesNotContain("gzip");
    ContentHasher hasher = new ContentHasher();
    assertThat(List.of(sample(30), compressed, other, sample(30)).stream().map(hasher::hash).distinct()).hasSize(3);
    assertThat(hasher.hash(other)).isEqualTo(TableCodec.contentHash(other));
  }

  @Test
  void hashFollowsContentNotVersion() {
    // Given / When / Then
    assertThat(TableCodec.stamp(sample(30), 1).hash()).isEqualTo(TableCodec.stamp(sample(30), 2).hash());
    assertThat(TableCodec.stamp(sample(30), 1).hash()).isNotEqualTo(TableCodec.stamp(sample(31), 1).hash());
  }

  @Test
  void aHasherKeptOverASeriesOfTablesGivesTheHashOfAFreshOne() {
    // Given a hasher that has seen one table
    ContentHasher hasher = new ContentHasher();
    hasher.hash(sample(30));
    RoutingTable otherRoute = sample(31);
    Listener listener = sample(30).listeners().get(0);
    RoutingTable otherListener = RoutingTable.unpublished(List.of(new Listener("renamed", listener.protocol(),
        listener.port(), listener.virtualHosts(), listener.defaultRoute())), sample(30).clusters());
    Cluster cluster = sample(30).clusters().get(0);
    RoutingTable otherEndpoint = RoutingTable.unpublished(sample(30).listeners(), List.of(new Cluster(cluster.name(),
        cluster.protocol(), cluster.scheduler(), List.of(new Endpoint("10.0.0.2", 8080)))));
    // When / Then each changed part changes the hash, which is the one a fresh hasher gives
    for (RoutingTable changed : List.of(otherRoute, otherListener, otherEndpoint, sample(30))) {
      String hash = hasher.hash(changed);
      assertThat(hash).isEqualTo(TableCodec.contentHash(changed));
      assertThat(hash).isEqualTo(hasher.hash(changed));
    }
    assertThat(List.of(otherRoute, otherListener, otherEndpoint, sample(30)).stream().map(TableCodec::contentHash)
        .distinct()).hasSize(4);
  }

  @Test
  void invalidTablesAreRejectedWithTheReason() {
    // Given a route naming a cluster that is not there
    String json = TableCodec.toJson(sample(30)).replace("\"cluster\" : \"default/web:80\"", "\"cluster\" : \"nope\"");
    // When / Then
    assertThatThrownBy(() -> TableCodec.fromJson(json)).hasMessageContaining("unknown cluster nope");
    assertThatThrownBy(() -> new Timeouts(0, 1, 1)).hasMessageContaining("readMillis must be positive");
    assertThatThrownBy(() -> new VirtualHost("Foo.com", List.of())).hasMessageContaining("lower case");
    assertThatThrownBy(() -> new VirtualHost("foo.*.com", List.of())).hasMessageContaining("whole first label");
    assertThatThrownBy(() -> new PathMatch.Exact("relative")).hasMessageContaining("must start with '/'");
  }

  @Test
  void aTableStampedFromAValidOneIsServedAndAnInvalidOneAfterItIsStillRejected() {
    // Given a valid table, and the same content stamped (its checks are not run again for the same lists)
    RoutingTable valid = sample(30);
    RoutingTable stamped = valid.withVersion(3, "abc");
    assertThat(stamped.listeners()).isSameAs(valid.listeners());
    // When a table whose route names a missing cluster comes next, with the very same listeners
    // Then it is rejected all the same
    assertThatThrownBy(() -> RoutingTable.unpublished(stamped.listeners(), List.of()))
        .hasMessageContaining("unknown cluster default/web:80");
    assertThatThrownBy(() -> valid.withDefaultCertificate("missing")).hasMessageContaining("default certificate missing");
  }

  /**
   * A table sharing virtual hosts with one checked before reads only its other hosts' routes while
   * no cluster went away; when one did, every host is read again, and one naming it is rejected.
   */
  @Test
  void aTableSharingVirtualHostsWithACheckedOneIsStillRejectedWhenAClusterItsRoutesNameWentAway() {
    // Given a checked table
    RoutingTable valid = sample(30);
    Listener listener = valid.listeners().get(0);
    VirtualHost kept = listener.virtualHosts().get(0);
    Cluster web = valid.clusters().get(0);
    Cluster other = new Cluster("default/other:80", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("10.0.0.3", 80)));
    VirtualHost added = new VirtualHost("new.example.com", List.of(new Route(PathMatch.Prefix.of("/"), other.name(),
        Timeouts.ofSeconds(60, 60, 5), "Ingress default/new")));
    // When the same virtual host comes in new lists with one more cluster and a host routing to it, Then it is valid
    RoutingTable grown = RoutingTable.unpublished(List.of(listener.withVirtualHosts(List.of(kept, added))), List.of(web, other));
    assertThat(grown.listeners().get(0).virtualHosts()).containsExactly(kept, added);
    // When the same virtual host comes with its cluster replaced by another, Then it is rejected
    assertThatThrownBy(() -> RoutingTable.unpublished(List.of(new Listener("default-http", Protocol.HTTP,
        Listener.PORT_FROM_FLAGS, List.of(kept, added), null)), List.of(other)))
        .hasMessageContaining("unknown cluster default/web:80");
    // When a new host names a cluster that is not there beside kept hosts, Then it is rejected
    VirtualHost stray = new VirtualHost("stray.example.com", List.of(new Route(PathMatch.Prefix.of("/"), "default/nope:80",
        Timeouts.ofSeconds(60, 60, 5), "Ingress default/stray")));
    assertThatThrownBy(() -> RoutingTable.unpublished(List.of(new Listener("default-http", Protocol.HTTP,
        Listener.PORT_FROM_FLAGS, List.of(kept, added, stray), null)), List.of(web, other)))
        .hasMessageContaining("unknown cluster default/nope:80");
  }

  /** Clusters equal to a checked table's, in a new list, keep that table's names; what is new is checked all the same. */
  @Test
  void aTableWithTheClustersOfACheckedOneStillChecksItsNewHostsAndItsClusters() {
    // Given a checked table
    RoutingTable valid = sample(31);
    Listener listener = valid.listeners().get(0);
    VirtualHost kept = listener.virtualHosts().get(0);
    List<Cluster> sameClusters = new java.util.ArrayList<>(valid.clusters());
    VirtualHost stray = new VirtualHost("stray.example.com", List.of(new Route(PathMatch.Prefix.of("/"), "default/nope:80",
        Timeouts.ofSeconds(60, 60, 5), "Ingress default/stray")));
    // When a host naming a missing cluster comes beside the kept one, with equal clusters in a new list
    // Then it is rejected
    assertThatThrownBy(() -> RoutingTable.unpublished(List.of(listener.withVirtualHosts(List.of(kept, stray))),
        sameClusters)).hasMessageContaining("unknown cluster default/nope:80");
    // When the clusters are those plus one of the same name as another, Then the duplicate is rejected
    List<Cluster> twice = new java.util.ArrayList<>(sameClusters);
    twice.add(sameClusters.get(0));
    assertThatThrownBy(() -> RoutingTable.unpublished(valid.listeners(), twice))
        .hasMessageContaining("duplicate cluster " + sameClusters.get(0).name());
    // When only the lists are new, Then it is valid
    assertThat(RoutingTable.unpublished(List.of(listener.withVirtualHosts(List.of(kept))), sameClusters).clusters())
        .isEqualTo(valid.clusters());
  }

  @Test
  void aHasherOverManyTablesForgetsReplacedPartsAndStillGivesTheHashOfAFreshOne() {
    // Given a hasher kept over many tables, each replacing the last one's parts (it forgets the
    // digests of replaced parts once they outnumber the current table's)
    ContentHasher hasher = new ContentHasher();
    RoutingTable first = sample(1);
    hasher.hash(first);
    for (int seconds = 2; seconds < 300; seconds++) {
      RoutingTable table = sample(seconds);
      // Then every hash is a fresh hasher's
      assertThat(hasher.hash(table)).isEqualTo(TableCodec.contentHash(table));
    }
    // and a table seen long ago (its parts forgotten) hashes as before
    assertThat(hasher.hash(first)).isEqualTo(TableCodec.contentHash(first));
  }
}
