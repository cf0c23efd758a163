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
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.impl.NetServerInternal;
import io.vertx.core.net.impl.ServerID;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The servers of listeners with their own port (CLBListeners), opened and closed to follow the
 * routing table. A server serves whatever listener the table in force has on its port, so a
 * change of listener name or rules never re-binds; an HTTPS listener's changed certificates or
 * client CA are loaded for new handshakes without dropping connections; its changed request head
 * limits reach new connections, whose decoders are built with the limits in force when they open
 * ({@link DecoderOptions}), so that needs no restart either.
 *
 * <p>A port that leaves the table stops accepting at once (new connections are refused, as nginx
 * and Envoy stop listening first) and its servers drain: the connections open on it go on until
 * the drain period ends ({@link PortServer#drain}), then the servers are undeployed. A port that
 * comes back meanwhile gets new servers, bound beside the draining ones' connections; those
 * connections still close when their drain period ends.
 */
public final class ListenerPorts {

  private static final Logger LOG = LogManager.getLogger(ListenerPorts.class);
  /** How long a re-added port waits for the last generation's socket to unbind before it binds anyway. */
  private static final long UNBIND_WAIT_MILLIS = 10_000;
  private static final long UNBIND_POLL_MILLIS = 5;

  /** One bound port: what it speaks, its deployment (empty while deploying), instances, TLS material. */
  private static final class Bound {
    final Protocol protocol;
    /** Its servers read a PROXY protocol header first: fixed when they start, as the protocol. */
    final boolean proxyProtocol;
    volatile String deployment = "";
    final List<PortServer> instances = new CopyOnWriteArrayList<>();
    volatile TlsKey tls;
    /** The last router that had a listener on this port: what its connections drain with. */
    volatile Router lastWith;

    Bound(Protocol protocol, boolean proxyProtocol, Router lastWith) {
      this.protocol = protocol;
      this.proxyProtocol = proxyProtocol;
      this.lastWith = lastWith;
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
  /**
   * Ports whose previous servers were closed or drained, and whose listening sockets may still be
   * closing: completed once those servers' own sockets are closed (each event loop's, with the
   * per-loop accept of plain HTTP).
   */
  private final Map<Integer, Future<?>> releasing = new ConcurrentHashMap<>();
  private volatile Map<Integer, Listener> wanted = Map.of();
  private volatile long drainMillis;
  private volatile boolean closed;

  public ListenerPorts(Vertx vertx, String bindAddress, int eventLoops, ProxyServices services, TlsMaterial tlsMaterial) {
    this.vertx = vertx;
    this.bindAddress = bindAddress;
    this.eventLoops = eventLoops;
    this.services = services;
    this.tlsMaterial = tlsMaterial;
  }

  /** Opens the ports the router's listeners need and drains the others. */
  public synchronized void follow(Router current, long drainMillis) {
    this.drainMillis = drainMillis;
    Map<Integer, Listener> ports = new HashMap<>();
    for (Listener listener : current.table().listeners()) {
      if (listener.port() != Listener.PORT_FROM_FLAGS) {
        Listener first = ports.putIfAbsent(listener.port(), listener);
        if (first != null) {
          // The translation never makes such a table (the younger CLBListener gets PortConflict);
          // a hand-made or foreign one may. The first in the table serves, as in the Router.
          LOG.warn("listeners {} and {} are both on port {}: the port serves {} only", first.name(), listener.name(),
              listener.port(), first.name());
        }
      }
    }
    wanted = Map.copyOf(ports);
    ports.forEach((port, listener) -> {
      TlsKey key = tlsKey(current.table(), listener);
      Bound existing = bound.get(port);
      if (existing != null && (existing.protocol != listener.protocol()
          || existing.proxyProtocol != listener.proxyProtocol())) {
        // Another protocol on the same port is another server: its connections had other routes.
        // PROXY protocol on or off is too: the connections open spoke (or not) a header first.
        closeNow(port, existing).onSuccess(closed -> follow(services.router().get(), drainMillis));
      } else if (existing == null) {
        open(port, listener, key, current);
      } else {
        existing.lastWith = current;
        if (key != null && !key.equals(existing.tls)) {
          existing.tls = key;
          ServerSSLOptions options = tlsMaterial.options(key.fallback(), key.certificates(), key.settings());
          existing.instances.forEach(instance -> instance.updateTls(options).onFailure(e ->
              LOG.error("listener port {}: cannot load new TLS settings: {}", port, e.getMessage())));
        }
      }
    });
    for (Map.Entry<Integer, Bound> entry : List.copyOf(bound.entrySet())) {
      if (!ports.containsKey(entry.getKey()) && !entry.getValue().deployment.isEmpty()) {
        drain(entry.getKey(), entry.getValue()); // one still opening drains once it is open
      }
    }
  }

  /** The ports whose servers are listening (not those still opening, nor those draining). */
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

  private void open(int port, Listener listener, TlsKey tls, Router current) {
    Protocol protocol = listener.protocol();
    boolean proxyProtocol = listener.proxyProtocol();
    long proxyHeaderMillis = listener.limits().headerMillis();
    Bound entry = new Bound(protocol, proxyProtocol, current);
    entry.tls = tls;
    bound.put(port, entry);
    ServerTls options = tls == null ? null
        : tlsMaterial.server(tlsMaterial.options(tls.fallback(), tls.certificates(), tls.settings()));
    unbound(port).compose(free -> vertx.deployVerticle(() -> {
          VerticleBase verticle = switch (protocol) {
            case HTTP, HTTPS -> new ProxyVerticle(bindAddress, port, ListenerSelector.onPort(port), listener.name(), services,
                options, port, proxyProtocol);
            case TCP, TCP_SSL -> new TcpProxyVerticle(bindAddress, port, listener.name(), services, options, proxyProtocol,
                proxyHeaderMillis);
          };
          entry.instances.add((PortServer) verticle);
          return verticle;
        }, new DeploymentOptions().setInstances(eventLoops)))
        .onSuccess(id -> {
          entry.deployment = id;
          LOG.info("listener port {}:{} open ({}{})", bindAddress, port, protocol, proxyProtocol ? ", PROXY protocol" : "");
          drainIfUnwanted(port, entry);
        })
        .onFailure(e -> {
          bound.remove(port, entry);
          LOG.error("listener port {}:{} cannot be opened: {}; the listener does not serve", bindAddress, port,
              e.getMessage());
        });
  }

  /** A port removed while its servers were opening drains now that they are open. */
  private synchronized void drainIfUnwanted(int port, Bound entry) {
    if (!wanted.containsKey(port) && bound.get(port) == entry) {
      drain(port, entry);
    }
  }

  /**
   * Stops accepting on the port at once; its open connections go on until the drain period ends,
   * then its servers are undeployed. Caller holds the lock.
   */
  private void drain(int port, Bound entry) {
    bound.remove(port, entry);
    long drain = Math.max(1, drainMillis);
    List<Future<Void>> drained = entry.instances.stream().map(instance -> instance.drain(entry.lastWith, drain)).toList();
    releasing.put(port, released(entry));
    LOG.info("listener port {}:{} left the routing table: no longer accepting, open connections drain for {} ms",
        bindAddress, port, drain);
    Future.join(drained).onComplete(done -> {
      // When Vert.x itself closes, its connections close with it, and it undeploys all there is.
      if (!closed && !((VertxInternal) vertx).closeFuture().isClosed()) {
        vertx.undeploy(entry.deployment)
            .onComplete(undeployed -> LOG.info("listener port {}:{} drained and closed", bindAddress, port));
      }
    });
  }

  /** The data plane stops: servers that drain are left to Vert.x's own close. */
  public void close() {
    closed = true;
  }

  private Future<Void> closeNow(int port, Bound entry) {
    if (entry.deployment.isEmpty()) {
      return Future.failedFuture("port " + port + " is still opening");
    }
    bound.remove(port, entry);
    releasing.put(port, released(entry));
    return vertx.undeploy(entry.deployment).onComplete(done -> LOG.info("listener port {}:{} closed", bindAddress, port));
  }

  private static Future<?> released(Bound entry) {
    return Future.join(entry.instances.stream().map(PortServer::released).toList());
  }

  /**
   * Completed once the port's previous servers no longer hold its listening sockets: first their
   * own (each event loop's socket of a plain HTTP port, closed on that loop a moment after the
   * drain or stop began; a TCP or TLS server that bound before that close ran would fail with
   * "Address already in use"), then Vert.x's shared one. Vert.x shares
   * one listening socket among the servers of a host and port (its instances on each event loop):
   * a server that listens while the last of the previous servers is still closing that socket
   * would join it, succeed, and be left with no socket at all. The socket closes on Vert.x's
   * acceptor thread a moment after the previous servers stopped accepting, and Vert.x signals
   * that only by dropping it from its table of shared servers, which is polled here (the rare
   * case of a port re-added within moments of its removal), together with the kernel's own view
   * ({@link #listening}): on io_uring a socket's close is queued to the ring and done a moment
   * after the channel says it is closed.
   */
  private Future<Void> unbound(int port) {
    Future<?> own = releasing.get(port);
    if (own == null) {
      return Future.succeededFuture();
    }
    Promise<Void> free = Promise.promise();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(UNBIND_WAIT_MILLIS);
    own.timeout(UNBIND_WAIT_MILLIS, TimeUnit.MILLISECONDS)
        .onComplete(closed -> awaitUnbound(port, free, deadline, true));
    return free.future();
  }

  private void awaitUnbound(int port, Promise<Void> free, long deadline, boolean first) {
    Map<ServerID, NetServerInternal> shared = ((VertxInternal) vertx).sharedTcpServers();
    boolean held;
    synchronized (shared) {
      held = shared.containsKey(new ServerID(port, bindAddress));
    }
    // On io_uring a channel's close future completes when the close is queued to the ring, not
    // when the kernel has closed the socket: the port may still be listening a moment after.
    held = held || listening(bindAddress, port);
    if (held && first) {
      LOG.info("listener port {}:{} waits for its previous servers to release the socket", bindAddress, port);
    }
    if (held && System.nanoTime() < deadline) {
      vertx.setTimer(UNBIND_POLL_MILLIS, id -> awaitUnbound(port, free, deadline, false));
      return;
    }
    if (held) {
      LOG.warn("listener port {}:{}: the previous servers still hold the socket after {} ms; binding anyway",
          bindAddress, port, UNBIND_WAIT_MILLIS);
    }
    releasing.remove(port);
    free.complete();
  }

  /**
   * Whether a socket of this process (or another) still listens on the address and port: a
   * socket bound there with {@code SO_REUSEADDR} and without {@code SO_REUSEPORT}, never listening
   * itself, is refused ({@code EADDRINUSE}) exactly while a listening socket holds the port; open
   * or closing connections on it do not refuse it (Linux {@code inet_csk_bind_conflict}, see
   * socket(7) on {@code SO_REUSEADDR}).
   */
  static boolean listening(String host, int port) {
    try (Socket probe = new Socket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(host, port));
      return false;
    } catch (BindException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
