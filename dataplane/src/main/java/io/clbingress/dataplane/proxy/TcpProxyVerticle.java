package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.metrics.RouteMeters;
import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.routing.ListenerRouter;
import io.clbingress.dataplane.routing.Router;
import io.clbingress.dataplane.upstream.EndpointPicker;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.tls.ServerTls;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One event loop's share of a TCP or TCP_SSL listener: each accepted connection (TLS offloaded
 * for TCP_SSL) gets its own connection to an endpoint of the listener's backend, and the two are
 * spliced as bytes. The route's connect timeout bounds the backend connect, a failed connect is
 * tried once more on the next endpoint, and the read timeout is the idle timeout of the pair.
 *
 * <p>With {@code proxyProtocol}, every connection starts with a PROXY protocol header (Vert.x's
 * {@code setUseProxyProtocol}, Netty's decoder, before TLS, one deadline for the whole header),
 * whose source is the client when it is believed ({@link ProxyHeaderTrust}: else the socket's
 * address is); with the
 * listener's {@code backendProxyProtocol}, the backend connection starts with one naming the client
 * ({@link BackendProxyHeader}) before any byte of the client's.
 */
final class TcpProxyVerticle extends VerticleBase implements PortServer {

  private static final Logger LOG = LogManager.getLogger(TcpProxyVerticle.class);

  private final String host;
  private final int port;
  private final Supplier<Router> router;
  private final TunnelRegistry tunnels;
  private final ServerTls tls;
  private final boolean proxyProtocol;
  private final long proxyHeaderMillis;
  private final ProxyHeaderTrust proxyHeaderTrust;
  private final io.clbingress.dataplane.accesslog.AccessLog accessLog;
  private final io.clbingress.dataplane.metrics.ListenerMeters connections;
  private NetServer server;
  private NetClient client;

  /**
   * @param name the listener's name, the {@code listener} label of its connection metrics
   * @param tls server TLS settings for TCP_SSL, null for plain TCP
   * @param proxyProtocol connections start with a PROXY protocol header; without a valid one they close
   * @param proxyHeaderMillis how long a connection may take from its accept to the end of its header
   */
  TcpProxyVerticle(String host, int port, String name, ProxyServices services, ServerTls tls, boolean proxyProtocol,
      long proxyHeaderMillis) {
    this.connections = services.metrics().listener(name);
    this.proxyProtocol = proxyProtocol;
    this.proxyHeaderMillis = proxyHeaderMillis;
    this.host = host;
    this.port = port;
    this.router = services.router();
    this.tunnels = services.tunnels();
    this.tls = tls;
    this.proxyHeaderTrust = new ProxyHeaderTrust(services.realIp(), services.metrics());
    this.accessLog = services.accessLog();
  }

  @Override
  public Future<?> start() {
    client = BackendConnections.client(vertx);
    NetServerOptions options = new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true);
    if (tls != null) {
      tls.applyTo(options);
    }
    if (proxyProtocol) {
      options.setUseProxyProtocol(true).setProxyProtocolTimeout(proxyHeaderMillis)
          .setProxyProtocolTimeoutUnit(TimeUnit.MILLISECONDS);
    }
    server = vertx.createNetServer(options).exceptionHandler(connections::handshakeFailed).connectHandler(this::accept);
    return server.listen();
  }

  @Override
  public Future<Boolean> updateTls(ServerSSLOptions options) {
    return server.updateSSLOptions(options);
  }

  /** Open tunnels lost their route with the port: the data plane's drain timers close them ({@link TunnelRegistry}). */
  @Override
  public Future<Void> drain(Router last, long drainMillis) {
    return server.shutdown(drainMillis, TimeUnit.MILLISECONDS);
  }

  private void accept(NetSocket socket) {
    connections.track(((io.vertx.core.internal.net.NetSocketInternal) socket).channelHandlerContext().channel());
    // What the client sends before its backend connection is up waits in the paused socket.
    socket.pause();
    AtomicBoolean clientGone = new AtomicBoolean();
    socket.closeHandler(v -> clientGone.set(true));
    ListenerRouter listener = router.get().listenerOnPort(port);
    CompiledRoute route = listener == null ? null : listener.defaultRoute();
    if (route == null || route.cluster() == null || !route.cluster().hasEndpoints()) {
      LOG.debug("port {}: no backend endpoint, connection from {} closed", port, socket.remoteAddress());
      socket.close();
      return;
    }
    EndpointPicker picker = route.cluster().picker();
    boolean believed = believed(socket);
    SocketAddress remote = believed ? client(socket) : socket.remoteAddress(true);
    SocketAddress local = believed ? socket.localAddress() : socket.localAddress(true);
    EndpointConnector.connect(route, picker.pick(remote == null ? null : RealIp.peer(remote.hostAddress())), index -> {
          Endpoint endpoint = picker.endpoint(index);
          return client.connect(BackendConnections.options(endpoint, route));
        }, () -> !clientGone.get(), (index, cause, retrying) -> {
          if (!retrying) {
            LOG.warn("{} cannot connect to {}: {}", route.route().source(), picker.endpoint(index), cause.toString());
          }
        })
        .onSuccess(connected -> {
          picker.succeeded(connected.index());
          if (clientGone.get()) {
            connected.connection().close();
          } else {
            if (listener.listener().backendProxyProtocol() != null) {
              // before any byte of the client's, which wait in the paused socket
              connected.connection().write(BackendProxyHeader.of(listener.listener().backendProxyProtocol(),
                  remote, local));
            }
            tunnels.meters(route).upstreamConnected(connected.nanos());
            splice(socket, listener, route, connected.index(), connected.connection());
          }
        })
        .onFailure(e -> socket.close());
  }

  /**
   * Whether the addresses Vert.x reports for the socket (a PROXY header's, where it named some) are
   * the ones to use: always without the PROXY protocol or when the header named none, else when
   * its sender is believed ({@link ProxyHeaderTrust}); if not, the socket's own are.
   */
  private boolean believed(NetSocket socket) {
    if (!proxyProtocol) {
      return true;
    }
    SocketAddress real = socket.remoteAddress(true);
    SocketAddress named = socket.remoteAddress();
    return real == null || real.equals(named) || proxyHeaderTrust.believes(RealIp.peer(real.hostAddress()));
  }

  /**
   * The client: the PROXY header's source where the listener reads one (Vert.x reports it as the
   * remote address), else the socket's; the socket's too when a header named a Unix socket.
   */
  private static SocketAddress client(NetSocket socket) {
    SocketAddress remote = socket.remoteAddress();
    return remote != null && remote.hostAddress() == null ? socket.remoteAddress(true) : remote;
  }

  private void splice(NetSocket socket, ListenerRouter listener, CompiledRoute route, int index, NetSocket backend) {
    SocketAddress remote = client(socket);
    EndpointPicker picker = route.cluster().picker();
    picker.started(index);
    Tunnel[] self = new Tunnel[1];
    self[0] = new Tunnel(Tunnel.End.of(socket), Tunnel.End.of(backend), route.timeouts().readMillis(), route.key(),
        picker.endpoint(index), tunnels.meters(route), RouteMeters.TunnelKind.TCP,
        io.clbingress.dataplane.accesslog.TunnelLog.tcp(accessLog, route.route().source(), listener.listener().name(),
            remote == null ? null : RealIp.peer(remote.hostAddress()), remote == null ? -1 : remote.port()),
        () -> {
          tunnels.remove(self[0]);
          picker.finished(index);
        });
    tunnels.add(self[0]);
    self[0].start();
  }
}
