package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.Router;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.Protocol;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The servers of listeners with their own port (CLBListeners), opened and closed to follow the
 * routing table. A server serves whatever listener the table in force has on its port, so a
 * change of listener name or rules never re-binds; a port that leaves the table is closed after
 * the drain period, unless it came back meanwhile.
 */
public final class ListenerPorts {

  private static final Logger LOG = LogManager.getLogger(ListenerPorts.class);

  private final Vertx vertx;
  private final String bindAddress;
  private final int eventLoops;
  private final Supplier<Router> router;
  private final TunnelRegistry tunnels;
  /** Bound (or binding) port to its deployment id; null id while the deployment is under way. */
  private final Map<Integer, String> bound = new ConcurrentHashMap<>();
  private volatile Set<Integer> wanted = Set.of();

  public ListenerPorts(Vertx vertx, String bindAddress, int eventLoops, Supplier<Router> router, TunnelRegistry tunnels) {
    this.vertx = vertx;
    this.bindAddress = bindAddress;
    this.eventLoops = eventLoops;
    this.router = router;
    this.tunnels = tunnels;
  }

  /** Opens the ports the router's listeners need and schedules the close of the others. */
  public synchronized void follow(Router current, long drainMillis) {
    Set<Integer> ports = new HashSet<>();
    for (Listener listener : current.table().listeners()) {
      if (listener.port() != Listener.PORT_FROM_FLAGS && listener.protocol() == Protocol.HTTP) {
        ports.add(listener.port());
      }
    }
    wanted = Set.copyOf(ports);
    for (int port : ports) {
      if (!bound.containsKey(port)) {
        open(port);
      }
    }
    for (int port : Set.copyOf(bound.keySet())) {
      if (!ports.contains(port)) {
        vertx.setTimer(Math.max(1, drainMillis), id -> closeIfUnwanted(port));
      }
    }
  }

  public Set<Integer> boundPorts() {
    return Set.copyOf(bound.keySet());
  }

  private void open(int port) {
    bound.put(port, "");
    vertx.deployVerticle(() -> new ProxyVerticle(bindAddress, port, ListenerSelector.onPort(port), router, tunnels, 443),
            new DeploymentOptions().setInstances(eventLoops))
        .onSuccess(id -> {
          bound.put(port, id);
          LOG.info("listener port {}:{} open", bindAddress, port);
        })
        .onFailure(e -> {
          bound.remove(port);
          LOG.error("listener port {}:{} cannot be opened: {}; the listener does not serve", bindAddress, port,
              e.getMessage());
        });
  }

  private synchronized void closeIfUnwanted(int port) {
    String id = bound.get(port);
    if (wanted.contains(port) || id == null || id.isEmpty()) {
      return;
    }
    bound.remove(port);
    vertx.undeploy(id).onComplete(done -> LOG.info("listener port {}:{} closed", bindAddress, port));
  }
}
