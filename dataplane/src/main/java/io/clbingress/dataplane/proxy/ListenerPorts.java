package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.Router;
import io.clbingress.dataplane.table.Certificate;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.tls.ServerTls;
import io.clbingress.dataplane.tls.TlsMaterial;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.net.ServerSSLOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The servers of listeners with their own port (CLBListeners), opened and closed to follow the
 * routing table. A server serves whatever listener the table in force has on its port, so a
 * change of listener name or rules never re-binds; an HTTPS listener's changed certificates or
 * client CA are loaded for new handshakes without dropping connections; its changed request head
 * limits reach new connections, whose decoders are built with the limits in force when they open
 * ({@link DecoderOptions}), so that needs no restart either. A port that leaves the
 * table is closed after the drain period, unless it came back meanwhile.
 */
public final class ListenerPorts {

  private static final Logger LOG = LogManager.getLogger(ListenerPorts.class);

  /** One bound port: what it speaks, its deployment (empty while deploying), instances, TLS material. */
  private static final class Bound {
    final Protocol protocol;
    volatile String deployment = "";
    final List<PortServer> instances = new CopyOnWriteArrayList<>();
    volatile TlsKey tls;

    Bound(Protocol protocol) {
      this.protocol = protocol;
    }
  }

  /** What the TLS settings of a port were made from, to tell when they change. */
  private record TlsKey(Certificate fallback, List<Certificate> certificates,
      io.clbingress.dataplane.table.ListenerTls settings) {
  }

  private final Vertx vertx;
  private final String bindAddress;
  private final int eventLoops;
  private final ProxyServices services;
  private final TlsMaterial tlsMaterial;
  private final Map<Integer, Bound> bound = new ConcurrentHashMap<>();
  private volatile Map<Integer, Listener> wanted = Map.of();

  public ListenerPorts(Vertx vertx, String bindAddress, int eventLoops, ProxyServices services, TlsMaterial tlsMaterial) {
    this.vertx = vertx;
    this.bindAddress = bindAddress;
    this.eventLoops = eventLoops;
    this.services = services;
    this.tlsMaterial = tlsMaterial;
  }

  /** Opens the ports the router's listeners need and schedules the close of the others. */
  public synchronized void follow(Router current, long drainMillis) {
    Map<Integer, Listener> ports = new HashMap<>();
    for (Listener listener : current.table().listeners()) {
      if (listener.port() != Listener.PORT_FROM_FLAGS) {
        ports.put(listener.port(), listener);
      }
    }
    wanted = Map.copyOf(ports);
    ports.forEach((port, listener) -> {
      TlsKey key = tlsKey(current.table(), listener);
      Bound existing = bound.get(port);
      if (existing != null && existing.protocol != listener.protocol()) {
        // Another protocol on the same port is another server: its connections had other routes.
        closeNow(port, existing).onSuccess(closed -> follow(services.router().get(), drainMillis));
      } else if (existing == null) {
        open(port, listener.protocol(), key);
      } else if (key != null && !key.equals(existing.tls)) {
        existing.tls = key;
        ServerSSLOptions options = tlsMaterial.options(key.fallback(), key.certificates(), key.settings());
        existing.instances.forEach(instance -> instance.updateTls(options).onFailure(e ->
            LOG.error("listener port {}: cannot load new TLS settings: {}", port, e.getMessage())));
      }
    });
    for (int port : List.copyOf(bound.keySet())) {
      if (!ports.containsKey(port)) {
        vertx.setTimer(Math.max(1, drainMillis), id -> closeIfUnwanted(port));
      }
    }
  }

  /** The ports whose servers are listening (not those still opening). */
  public java.util.Set<Integer> boundPorts() {
    return bound.entrySet().stream().filter(e -> !e.getValue().deployment.isEmpty()).map(Map.Entry::getKey)
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  private static TlsKey tlsKey(RoutingTable table, Listener listener) {
    boolean overTls = listener.protocol() == Protocol.HTTPS || listener.protocol() == Protocol.TCP_SSL;
    if (!overTls || listener.tls() == null) {
      return null;
    }
    List<Certificate> certificates = table.certificates().stream()
        .filter(c -> listener.tls().certificates().contains(c.name())).toList();
    return new TlsKey(table.defaultCertificateOrNull(), certificates, listener.tls());
  }

  private void open(int port, Protocol protocol, TlsKey tls) {
    Bound entry = new Bound(protocol);
    entry.tls = tls;
    bound.put(port, entry);
    ServerTls options = tls == null ? null
        : tlsMaterial.server(tlsMaterial.options(tls.fallback(), tls.certificates(), tls.settings()));
    vertx.deployVerticle(() -> {
          VerticleBase verticle = switch (protocol) {
            case HTTP, HTTPS -> new ProxyVerticle(bindAddress, port, ListenerSelector.onPort(port), services, options, port);
            case TCP, TCP_SSL -> new TcpProxyVerticle(bindAddress, port, services, options);
          };
          entry.instances.add((PortServer) verticle);
          return verticle;
        }, new DeploymentOptions().setInstances(eventLoops))
        .onSuccess(id -> {
          entry.deployment = id;
          LOG.info("listener port {}:{} open ({})", bindAddress, port, protocol);
        })
        .onFailure(e -> {
          bound.remove(port, entry);
          LOG.error("listener port {}:{} cannot be opened: {}; the listener does not serve", bindAddress, port,
              e.getMessage());
        });
  }

  private synchronized void closeIfUnwanted(int port) {
    Bound entry = bound.get(port);
    if (wanted.containsKey(port) || entry == null || Objects.requireNonNullElse(entry.deployment, "").isEmpty()) {
      return;
    }
    closeNow(port, entry);
  }

  private Future<Void> closeNow(int port, Bound entry) {
    if (entry.deployment.isEmpty()) {
      return Future.failedFuture("port " + port + " is still opening");
    }
    bound.remove(port, entry);
    return vertx.undeploy(entry.deployment).onComplete(done -> LOG.info("listener port {}:{} closed", bindAddress, port));
  }
}
