package io.clbingress.dataplane.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.Timeouts;
import io.clbingress.dataplane.table.VirtualHost;
import io.clbingress.dataplane.upstream.EndpointHealth;
import io.clbingress.dataplane.upstream.EndpointLoad;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouterTest {

  private static final Timeouts TIMEOUTS = Timeouts.ofSeconds(60, 60, 5);
  private final EndpointLoad load = new EndpointLoad();
  private final EndpointHealth health = new EndpointHealth();

  @Test
  void aNewTableKeepsWhatDidNotChangeAndCompilesTheRest() {
    // Given a router of three hosts, each with its cluster
    Router before = Router.compile(table("a", "/", 8081, "b", "/", 8082, "c", "/", 8083), load, health, null);
    // When host b gets another path and c's cluster another endpoint
    Router after = Router.compile(table("a", "/", 8081, "b", "/v2", 8082, "c", "/", 9083), load, health, before);
    // Then a's route and cluster are the same objects, b and c are compiled anew
    assertThat(match(after, "a")).isSameAs(match(before, "a"));
    assertThat(match(after, "a").cluster()).isSameAs(match(before, "a").cluster());
    assertThat(match(after, "b")).isNotSameAs(match(before, "b"));
    assertThat(match(after, "b").cluster()).isSameAs(match(before, "b").cluster());
    assertThat(match(after, "b").route().match()).isEqualTo(PathMatch.Prefix.of("/v2"));
    assertThat(match(after, "c").cluster().endpoints()).containsExactly(new Endpoint("127.0.0.1", 9083));
    // and it routes as a router compiled from nothing
    Router fresh = Router.compile(table("a", "/", 8081, "b", "/v2", 8082, "c", "/", 9083));
    for (String host : List.of("a", "b", "c")) {
      assertThat(match(after, host).route()).isEqualTo(match(fresh, host).route());
      assertThat(match(after, host).key()).isEqualTo(match(fresh, host).key());
    }
  }

  @Test
  void aTableWhoseClustersAreAllAsBeforeKeepsEveryCompiledCluster() {
    // Given
    Router before = Router.compile(table("a", "/", 8081, "b", "/", 8082), load, health, null);
    // When only b's path changes: each cluster equals the one before it in the same place (new objects)
    Router after = Router.compile(table("a", "/", 8081, "b", "/v2", 8082), load, health, before);
    // Then every compiled cluster (its picker, its counts) is the one before
    assertThat(match(after, "a").cluster()).isSameAs(match(before, "a").cluster());
    assertThat(match(after, "b").cluster()).isSameAs(match(before, "b").cluster());
    assertThat(match(after, "a")).isSameAs(match(before, "a"));
    assertThat(match(after, "b").route().match()).isEqualTo(PathMatch.Prefix.of("/v2"));
    // And when b's endpoint moves too, b's cluster is compiled anew and a's is still kept
    Router moved = Router.compile(table("a", "/", 8081, "b", "/v2", 9082), load, health, after);
    assertThat(match(moved, "b").cluster().endpoints()).containsExactly(new Endpoint("127.0.0.1", 9082));
    assertThat(match(moved, "b").cluster()).isNotSameAs(match(after, "b").cluster());
    assertThat(match(moved, "a").cluster()).isSameAs(match(after, "a").cluster());
  }

  @Test
  void routesAreFoundByTheirKeyUntilATableDropsThem() {
    // Given
    Router before = Router.compile(table("a", "/", 8081, "*.b", "/", 8082, "*", "/x", 8083), load, health, null);
    RouteKey a = new RouteKey("default-http", "a.example.com", PathMatch.Prefix.of("/"));
    RouteKey wildcard = new RouteKey("default-http", "*.b.example.com", PathMatch.Prefix.of("/"));
    RouteKey any = new RouteKey("default-http", "*", PathMatch.Prefix.of("/x"));
    RouteKey fallback = RouteKey.defaultRoute("default-http");
    // When a later table drops the wildcard host
    Router after = Router.compile(table("a", "/", 8081, "c", "/", 8082, "*", "/x", 8083), load, health, before);
    // Then
    assertThat(List.of(a, wildcard, any, fallback)).allSatisfy(key -> assertThat(before.route(key).key()).isEqualTo(key));
    assertThat(after.route(a)).isNotNull();
    assertThat(after.route(any)).isNotNull();
    assertThat(after.route(fallback)).isNotNull();
    assertThat(after.route(wildcard)).isNull();
    assertThat(after.route(new RouteKey("default-http", "a.example.com", new PathMatch.Exact("/")))).isNull();
    assertThat(after.route(new RouteKey("other", "a.example.com", PathMatch.Prefix.of("/")))).isNull();
  }

  private static CompiledRoute match(Router router, String host) {
    return router.defaultListener(Protocol.HTTP).match(host + ".example.com", "/v2/x");
  }

  /** Hosts (prefixed to .example.com unless * or *.), each: host, path, endpoint port; a default route too. */
  private static RoutingTable table(Object... hosts) {
    List<VirtualHost> vhosts = new java.util.ArrayList<>();
    List<Cluster> clusters = new java.util.ArrayList<>();
    for (int i = 0; i < hosts.length; i += 3) {
      String host = (String) hosts[i];
      String name = host.equals("*") ? host : host + ".example.com";
      String cluster = "default/" + host.replace("*", "any") + ":80";
      clusters.add(new Cluster(cluster, BackendProtocol.HTTP, Scheduler.WRR,
          List.of(new Endpoint("127.0.0.1", (Integer) hosts[i + 2]))));
      vhosts.add(new VirtualHost(name, List.of(new Route(PathMatch.Prefix.of((String) hosts[i + 1]), cluster, TIMEOUTS,
          "Ingress default/" + host))));
    }
    Route fallback = new Route(PathMatch.Prefix.of("/"), clusters.get(0).name(), TIMEOUTS, "default");
    return RoutingTable.unpublished(List.of(new Listener("default-http", Protocol.HTTP, Listener.PORT_FROM_FLAGS,
        vhosts, fallback)), clusters);
  }
}
