package io.clbingress.operator.status;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import io.clbingress.operator.util.DaemonThreads;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Leader election over a coordination.k8s.io Lease: only the leader writes status and Events;
 * every replica serves routing tables. Stands for election again after losing the lease.
 */
public final class Leadership implements AutoCloseable {

  private static final Logger LOG = LogManager.getLogger(Leadership.class);
  public static final String LEASE_NAME = "clb-ingress-operator";

  private final ExecutorService executor = Executors.newCachedThreadPool(DaemonThreads.named("leader-election"));
  private final LeaderElector elector;
  private volatile boolean closed;

  /**
   * @param onStartLeading called when this replica takes the lease
   * @param onStopLeading called when it loses it
   */
  public Leadership(KubernetesClient client, String namespace, String identity, Runnable onStartLeading,
      Runnable onStopLeading) {
    this.elector = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
            .withName(LEASE_NAME)
            .withLock(new LeaseLock(namespace, LEASE_NAME, identity))
            .withLeaseDuration(Duration.ofSeconds(15))
            .withRenewDeadline(Duration.ofSeconds(10))
            .withRetryPeriod(Duration.ofSeconds(2))
            .withReleaseOnCancel(true)
            .withLeaderCallbacks(new LeaderCallbacks(onStartLeading, onStopLeading,
                leader -> LOG.info("leader of {}/{} is {}", namespace, LEASE_NAME, leader)))
            .build())
        .build();
  }

  public void start() {
    executor.execute(() -> {
      while (!closed) {
        try {
          elector.run();
        } catch (RuntimeException e) {
          LOG.warn("leader election: {}; standing again", e.toString());
        }
      }
    });
  }

  @Override
  public void close() {
    closed = true;
    elector.release();
    executor.shutdownNow();
  }
}
