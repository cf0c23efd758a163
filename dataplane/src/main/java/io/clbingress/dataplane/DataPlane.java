package io.clbingress.dataplane;

import io.clbingress.dataplane.admin.AdminServer;
import io.clbingress.dataplane.proxy.ListenerPorts;
import io.clbingress.dataplane.proxy.ListenerSelector;
import io.clbingress.dataplane.proxy.ProxyVerticle;
import io.clbingress.dataplane.proxy.TunnelRegistry;
import io.clbingress.dataplane.routing.RateLimitZones;
import io.clbingress.dataplane.routing.Router;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.tls.TlsMaterial;
import io.clbingress.dataplane.upstream.EndpointHealth;
import io.clbingress.dataplane.upstream.EndpointLoad;
import io.clbingress.dataplane.accesslog.AccessLog;
import io.clbingress.dataplane.metrics.ProxyMetrics;
import io.clbingress.dataplane.proxy.ProxyServices;
import io.clbingress.dataplane.tracing.ProxyTracing;
import io.clbingress.dataplane.health.ActiveHealthChecks;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The data plane: listeners serving the routing table in force, and the admin port. A new table
 * is compiled off the request path and swapped in atomically; requests read the router once.
 */
public final class DataPlane implements AutoCloseable {

  private static final Logger LOG = LogManager.getLogger(DataPlane.class);

  /** The listener labels of the default listeners' metrics: the names the operator gives them in the table. */
  static final String DEFAULT_HTTP = "default-http";
  static final String DEFAULT_HTTPS = "default-https";

  private final Vertx vertx;
  private final DataPlaneOptions options;
  private final Clock clock;
  private final AtomicReference<Router> router = new AtomicReference<>();
  private final AtomicReference<AppliedTable> applied = new AtomicReference<>();
  private final TunnelRegistry tunnels;
  private final EndpointLoad load = new EndpointLoad();
  private final EndpointHealth health = new EndpointHealth();
  /** Rate- and connection-limit counts per Ingress, kept from table to table (only the zones of the table in force). */
  private final RateLimitZones rateLimits;
  private volatile boolean stopping;
  private final ProxyMetrics metrics;
  private final ProxyServices services;
  /** The access log ({@code --access-log}); its writer thread stops when the data plane does. */
  private final AccessLog accessLog;
  /** Spans of proxied requests ({@code --otlp-endpoint}), or null when tracing is off. */
  private final ProxyTracing tracing;
  private final ActiveHealthChecks healthChecks;
  private final TlsMaterial tls;
  private final ListenerPorts listenerPorts;
  private final List<ProxyVerticle> httpsInstances = new CopyOnWriteArrayList<>();
  /** Set once the certificates of the first applied table are in force (or failed to load). */
  private volatile boolean firstCertificatesLoaded;
  private volatile int httpPort = -1;
  private volatile int httpsPort = -1;
  private volatile AdminServer admin;

  private DataPlane(Vertx vertx, DataPlaneOptions options, Clock clock) {
    this.rateLimits = new RateLimitZones(options.limitStatuses());
    this.tls = TlsMaterial.withSelfSignedDefault(options.tlsEngine().orFallback());
    this.healthChecks = new ActiveHealthChecks(vertx, health);
    this.vertx = vertx;
    this.options = options;
    this.clock = clock;
    this.accessLog = AccessLog.start(options.accessLog().format(), options.accessLog().queue());
    this.metrics = new ProxyMetrics(this::openWebSockets, () -> {
      AppliedTable current = applied.get();
      return current == null ? 0 : current.table().version();
    }, health::panicPicks, this::isReady);
    metrics.countedElsewhere("clb_access_log_dropped", "Access log lines dropped because the log's queue was full",
        accessLog, AccessLog::dropped);
    this.tunnels = new TunnelRegistry(metrics);
    this.tracing = ProxyTracing.of(options.tracing());
    if (tracing != null) {
      metrics.countedElsewhere("clb_tracing_spans_dropped", "Spans dropped because the export queue was full",
          tracing, ProxyTracing::droppedSpans);
    }
    this.services = new ProxyServices(router::get, tunnels, metrics, options.headLimits(), options.realIp(),
        new io.clbingress.dataplane.proxy.AuthAnswers(), options.compression(), accessLog, tracing,
        options.underscoresInHeaders());
    this.listenerPorts = new ListenerPorts(vertx, options.bindAddress(), options.eventLoops(), services, tls);
  }

  /** Binds the listeners and the admin port; traffic gets 404 until a table is applied. */
  public static Future<DataPlane> start(Vertx vertx, DataPlaneOptions options, Clock clock) {
    DataPlane dataPlane = new DataPlane(vertx, options, clock);
    return dataPlane.bindHttps()
        .compose(port -> {
          dataPlane.httpsPort = port;
          return dataPlane.bindHttp();
        })
        .compose(port -> {
          dataPlane.httpPort = port;
          if (options.adminPort() < 0) {
            return Future.succeededFuture();
          }
          AdminServer adminServer = new AdminServer(vertx, dataPlane);
          dataPlane.admin = adminServer;
          return adminServer.listen(options.adminAddress(), options.adminPort());
        })
        .map(ignored -> {
          LOG.info("data plane listening: http={}:{} https={}:{} admin={}:{} tlsEngine={}", options.bindAddress(),
              dataPlane.httpPort, options.bindAddress(), dataPlane.httpsPort, options.adminAddress(),
              dataPlane.adminPort(), dataPlane.tls.engine());
          return dataPlane;
        });
  }

  /**
   * One listener instance per event loop, sharing one listening socket (Vert.x shares a host and
   * port among the instances of a deployment). Port 0 (tests) is resolved to a free port first,
   * because instances asked for port 0 would each get a different one.
   */
  private Future<Integer> bindHttp() {
    int port;
    try {
      port = options.httpPort() == 0 ? freePort(options.bindAddress()) : options.httpPort();
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    return vertx.deployVerticle(
            () -> new ProxyVerticle(options.bindAddress(), port, ListenerSelector.defaultListener(Protocol.HTTP),
                DEFAULT_HTTP, services, httpsPort, options.proxyProtocol()),
            new DeploymentOptions().setInstances(options.eventLoops()))
        .map(port);
  }

  /** The default HTTPS listener; until a table brings certificates it has only the default one. */
  private Future<Integer> bindHttps() {
    int port;
    try {
      port = options.httpsPort() == 0 ? freePort(options.bindAddress()) : options.httpsPort();
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    return vertx.deployVerticle(() -> {
          ProxyVerticle verticle = new ProxyVerticle(options.bindAddress(), port,
              ListenerSelector.defaultListener(Protocol.HTTPS), DEFAULT_HTTPS, services, tls.server(tls.options(null, List.of())), port,
              options.proxyProtocol());
          httpsInstances.add(verticle);
          return verticle;
        }, new DeploymentOptions().setInstances(options.eventLoops()))
        .map(port);
  }

  private static int freePort(String host) throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    }
  }

  /**
   * Puts a routing table in force for new requests. Open connections whose route (and endpoint)
   * survive are untouched; the others close after the drain period. A table with the content
   * of the one in force is not applied again.
   *
   * @return true when the table was applied, false when it equals the one in force
   */
  public synchronized boolean apply(RoutingTable table) {
    AppliedTable current = applied.get();
    if (current != null && !table.hash().isEmpty() && table.hash().equals(current.table().hash())) {
      return false;
    }
    long started = System.nanoTime();
    Router compiled = Router.compile(table, load, health, rateLimits, router.get());
    rateLimits.retainOnly(table);
    healthChecks.follow(table);
    io.vertx.core.net.TrustOptions clientTrust = TlsMaterial.clientTrust(table.defaultHttpsListener());
    if (current == null || !current.table().certificates().equals(table.certificates())
        || !java.util.Objects.equals(current.table().defaultCertificate(), table.defaultCertificate())
        || !java.util.Objects.equals(TlsMaterial.clientTrust(current.table().defaultHttpsListener()), clientTrust)) {
      // Started before the swap, done a moment after it (an asynchronous reload): handshakes in
      // between still get the previous certificates and client certificate requests (a host that
      // now asks for one refuses requests without it meanwhile); open connections keep theirs.
      ServerSSLOptions sslOptions = tls.options(table.defaultCertificateOrNull(), table.certificates(), clientTrust);
      List<Future<Boolean>> loads = httpsInstances.stream().map(instance -> instance.updateTls(sslOptions)
          .onFailure(e -> LOG.error("HTTPS listener: cannot load the certificates of version {}: {}", table.version(),
              e.getMessage()))).toList();
      if (current == null) {
        // Ready only once the first table's certificates answer handshakes (loaded or failed):
        // a replica taken into rotation earlier would hand the first clients the default certificate.
        Future.join(loads).onComplete(done -> firstCertificatesLoaded = true);
      }
    }
    router.set(compiled);
    long inForce = System.nanoTime();
    applied.set(new AppliedTable(table, clock.instant()));
    metrics.follow(table, routeSources(table), endpoint -> health.state(endpoint).available());
    int draining = tunnels.drainOrphans(compiled, options.drain().toMillis());
    listenerPorts.follow(compiled, options.drain().toMillis());
    // in force: compiled and swapped in (requests use it from then on); the gauges and ports follow after
    LOG.info("routing table applied: version={} hash={} listeners={} clusters={} tunnelsDraining={} inForceMs={}"
        + " appliedMs={}", table.version(), shortHash(table.hash()), table.listeners().size(), table.clusters().size(),
        draining, TimeUnit.NANOSECONDS.toMillis(inForce - started), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return true;
  }

  public AppliedTable applied() {
    return applied.get();
  }

  /**
   * True once a table is in force, the listeners are bound and the first table's certificates
   * are loaded on the HTTPS listener (later certificate changes do not take a ready replica out).
   */
  public boolean isReady() {
    return !stopping && applied.get() != null && httpPort > 0 && firstCertificatesLoaded;
  }

  /**
   * Leaves gracefully (SIGTERM): /readyz answers 503 at once, so that load balancers and
   * EndpointSlices take this replica out, while it goes on serving; open WebSocket and TCP tunnels
   * get up to the drain period to end on their own; then everything closes. Blocks the caller.
   */
  public void shutdown() {
    stopping = true;
    long deadline = System.nanoTime() + options.drain().toNanos();
    int open = tunnels.openCount();
    if (open > 0) {
      LOG.info("stopping: {} tunnels open, waiting up to {} s for them to end", open, options.drain().toSeconds());
    }
    try {
      while (tunnels.openCount() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("stopping: {} tunnels still open are closed", tunnels.openCount());
    close();
  }

  public int httpPort() {
    return httpPort;
  }

  public int httpsPort() {
    return httpsPort;
  }

  public int adminPort() {
    return admin == null ? -1 : admin.port();
  }

  /** Ports of listeners with their own port (CLBListeners) that are open or opening. */
  private static java.util.Set<String> routeSources(RoutingTable table) {
    java.util.Set<String> sources = new java.util.HashSet<>();
    for (io.clbingress.dataplane.table.Listener listener : table.listeners()) {
      listener.virtualHosts().forEach(vhost -> vhost.routes().forEach(route -> sources.add(route.source())));
      if (listener.defaultRoute() != null) {
        sources.add(listener.defaultRoute().source());
      }
    }
    return sources;
  }

  /** The Prometheus metrics of this data plane (served by the admin port at /metrics). */
  public ProxyMetrics metrics() {
    return metrics;
  }

  /** Picks made while every endpoint of a cluster was unhealthy (all of them were used). */
  public long panicPicks() {
    return health.panicPicks();
  }

  public java.util.Set<Integer> listenerPorts() {
    return listenerPorts.boundPorts();
  }

  /** Sources and source-client pairs the tunnel caps count now: none once every capped tunnel closed. */
  public int tunnelCapEntries() {
    return tunnels.capEntries();
  }

  /** Client addresses the routes' connection limits count now: none once every limited request ended. */
  public int connectionLimitEntries() {
    return rateLimits.connectionEntries();
  }

  public int openWebSockets() {
    return tunnels.openCount();
  }

  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() {
    listenerPorts.close();
    healthChecks.stopAll();
    tunnels.closeAll();
    accessLog.close();
    if (tracing != null) {
      tracing.close(); // the spans still queued are exported
    }
    metrics.close();
  }

  /** The tracing of this data plane ({@code --otlp-endpoint}), or null when it is off. */
  public ProxyTracing tracing() {
    return tracing;
  }

  private static String shortHash(String hash) {
    return hash.length() > 12 ? hash.substring(0, 12) : hash;
  }
}
