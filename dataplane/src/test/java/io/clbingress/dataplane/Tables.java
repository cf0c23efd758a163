package io.clbingress.dataplane;

import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Certificate;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.ListenerTls;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.table.Timeouts;
import io.clbingress.dataplane.table.VirtualHost;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds routing tables for data plane tests, the way translation would. */
final class Tables {

  static final Timeouts DEFAULT_TIMEOUTS = Timeouts.ofSeconds(60, 60, 5);

  private final Map<String, List<Route>> hosts = new LinkedHashMap<>();
  private final Map<String, Cluster> clusters = new LinkedHashMap<>();
  private Route defaultRoute;
  private long version;
  private boolean https;
  private final List<Listener> extraListeners = new ArrayList<>();

  /**
   * {@code plain} with a TCP_SSL listener on {@code port} in front of {@code cluster}, whose
   * certificate for {@code host} openssl makes in {@code dir} (tunnel-cert.pem, tunnel-key.pem);
   * stamped version 1.
   */
  static RoutingTable withTcpSslListener(RoutingTable plain, Path dir, String host, int port, String cluster) {
    Openssl.certificate(dir, "tunnel", host);
    Certificate certificate = new Certificate("apps/tunnel-tls", List.of(), Openssl.read(dir.resolve("tunnel-cert.pem")),
        Openssl.read(dir.resolve("tunnel-key.pem")), "CN=" + host, List.of(host), "2030-01-01T00:00:00Z", "test");
    List<Listener> listeners = new ArrayList<>(plain.listeners());
    listeners.add(new Listener("apps/tcp-ssl", Protocol.TCP_SSL, port, List.of(),
        new Route(new PathMatch.Prefix("/"), cluster, DEFAULT_TIMEOUTS, "test"),
        new ListenerTls(List.of(certificate.name()), null, false, List.of())));
    return TableCodec.stamp(RoutingTable.unpublished(listeners, plain.clusters(), List.of(certificate)), 1);
  }

  static Tables table(long version) {
    Tables tables = new Tables();
    tables.version = version;
    return tables;
  }

  Tables cluster(String name, int... ports) {
    return cluster(name, BackendProtocol.HTTP, ports);
  }

  Tables cluster(String name, BackendProtocol protocol, int... ports) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (int port : ports) {
      endpoints.add(new Endpoint("127.0.0.1", port));
    }
    clusters.put(name, new Cluster(name, protocol, Scheduler.WRR, endpoints));
    return this;
  }

  Tables cluster(Cluster cluster) {
    clusters.put(cluster.name(), cluster);
    return this;
  }

  Tables prefix(String host, String path, String cluster) {
    return route(host, new PathMatch.Prefix(path), cluster, DEFAULT_TIMEOUTS);
  }

  /** A route of {@code /} (Prefix) to {@code cluster} with these filters. */
  static Route filtered(String cluster, io.clbingress.dataplane.table.RouteFilter... filters) {
    return new Route(PathMatch.Prefix.of("/"), cluster, DEFAULT_TIMEOUTS, "test", false, null, List.of(filters));
  }

  Tables route(String host, Route route) {
    hosts.computeIfAbsent(host, h -> new ArrayList<>()).add(route);
    return this;
  }

  Tables route(String host, PathMatch match, String cluster, Timeouts timeouts) {
    hosts.computeIfAbsent(host, h -> new ArrayList<>()).add(new Route(match, cluster, timeouts, "test"));
    return this;
  }

  Tables defaultRoute(String cluster) {
    defaultRoute = new Route(new PathMatch.Prefix("/"), cluster, DEFAULT_TIMEOUTS, "test");
    return this;
  }

  /** Serves the same hosts and default route on the default HTTPS listener too (its default certificate). */
  Tables overHttpsToo() {
    https = true;
    return this;
  }

  /** A further listener (a CLBListener's, with its own port). */
  Tables listener(Listener listener) {
    extraListeners.add(listener);
    return this;
  }

  /** A TCP listener (a CLBListener) on {@code port}, spliced to {@code cluster}. */
  Tables tcpListener(String name, int port, String cluster) {
    return listener(new Listener(name, Protocol.TCP, port, List.of(),
        new Route(new PathMatch.Prefix("/"), cluster, DEFAULT_TIMEOUTS, "test")));
  }

  RoutingTable build() {
    List<VirtualHost> virtualHosts = new ArrayList<>();
    hosts.forEach((host, routes) -> virtualHosts.add(new VirtualHost(host, routes)));
    List<Listener> listeners = new ArrayList<>(List.of(
        new Listener("default-http", Protocol.HTTP, Listener.PORT_FROM_FLAGS, virtualHosts, defaultRoute)));
    if (https) {
      listeners.add(new Listener("default-https", Protocol.HTTPS, Listener.PORT_FROM_FLAGS, virtualHosts, defaultRoute));
    }
    listeners.addAll(extraListeners);
    return TableCodec.stamp(RoutingTable.unpublished(listeners, List.copyOf(clusters.values())), version);
  }
}
