package io.clbingress.dataplane.health;

import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.HealthCheck;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.upstream.EndpointHealth;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The active health checks of the routing table in force: every endpoint of a cluster with a
 * {@link HealthCheck} is probed with GET on the check's path every interval. After
 * {@code unhealthyThreshold} failed probes in a row (an answer outside {@code httpCodes}, no answer
 * within the timeout, no connection) it takes no new requests; after {@code healthyThreshold}
 * passing probes in a row it takes them again. A table change keeps the probes (and their counts)
 * of checks that stay, starts new ones and stops those that left.
 */
public final class ActiveHealthChecks {

  private static final Logger LOG = LogManager.getLogger(ActiveHealthChecks.class);

  /** What one probe loop checks: a check of one endpoint (and whether it speaks TLS). */
  private record Key(Endpoint endpoint, HealthCheck check, boolean tls) {
  }

  /** A running probe loop and its consecutive results. */
  private static final class Probe {
    final long timer;
    int passes;
    int failures;

    Probe(long timer) {
      this.timer = timer;
    }
  }

  private final Vertx vertx;
  private final EndpointHealth health;
  private final HttpClientAgent client;
  private final Map<Key, Probe> probes = new HashMap<>();

  public ActiveHealthChecks(Vertx vertx, EndpointHealth health) {
    this.vertx = vertx;
    this.health = health;
    // Backends are not certificate-checked (as for traffic); probes never reuse a connection.
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setTrustAll(true)
        .setVerifyHost(false));
  }

  /** Starts and stops probe loops so that they match the table's checks. */
  public synchronized void follow(RoutingTable table) {
    Set<Key> wanted = new HashSet<>();
    for (Cluster cluster : table.clusters()) {
      if (cluster.healthCheck() == null) {
        continue;
      }
      boolean tls = cluster.protocol() == io.clbingress.dataplane.table.BackendProtocol.HTTPS;
      for (Endpoint endpoint : cluster.endpoints()) {
        wanted.add(new Key(new Endpoint(endpoint.address(), endpoint.port()), cluster.healthCheck(), tls));
      }
    }
    Set<Endpoint> checked = new HashSet<>();
    wanted.forEach(key -> checked.add(key.endpoint()));
    probes.keySet().removeIf(key -> {
      if (wanted.contains(key)) {
        return false;
      }
      vertx.cancelTimer(probes.get(key).timer);
      if (!checked.contains(key.endpoint())) {
        // No check watches it any more: a verdict of a check that left must not hold it out.
        health.state(key.endpoint()).activeVerdict(true);
      }
      return true;
    });
    for (Key key : wanted) {
      probes.computeIfAbsent(key, k -> new Probe(vertx.setPeriodic(k.check().intervalMillis(), id -> probe(k))));
    }
  }

  public synchronized void stopAll() {
    probes.values().forEach(probe -> vertx.cancelTimer(probe.timer));
    probes.clear();
  }

  private void probe(Key key) {
    HealthCheck check = key.check();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
        .setHost(key.endpoint().address()).setPort(key.endpoint().port()).setSsl(key.tls())
        .setURI(check.path()).setTimeout(check.timeoutMillis()).setConnectTimeout(check.timeoutMillis());
    client.request(options)
        .compose(request -> request.send())
        .compose(response -> response.body().map(body -> response.statusCode()))
        .onComplete(result -> record(key, result.succeeded() && check.healthy(result.result()),
            result.succeeded() ? "status " + result.result() : result.cause().toString()));
  }

  private synchronized void record(Key key, boolean passed, String outcome) {
    Probe probe = probes.get(key);
    if (probe == null) {
      return;
    }
    EndpointHealth.State state = health.state(key.endpoint());
    if (passed) {
      probe.failures = 0;
      probe.passes++;
      if (state.activeDown() && probe.passes >= key.check().healthyThreshold()) {
        state.activeVerdict(true);
        LOG.info("endpoint {} is healthy again ({} passing checks of {})", key.endpoint(), probe.passes,
            key.check().path());
      }
    } else {
      probe.passes = 0;
      probe.failures++;
      if (!state.activeDown() && probe.failures >= key.check().unhealthyThreshold()) {
        state.activeVerdict(false);
        LOG.warn("endpoint {} is unhealthy ({} failed checks of {}, last: {}); it gets no new requests",
            key.endpoint(), probe.failures, key.check().path(), outcome);
      }
    }
  }
}
