package io.clbingress.dataplane.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A closed {@link ProxyMetrics} is no longer held by the JVM: its GC metrics' listener on the
 * collectors' MXBeans was what kept every closed data plane (and its Vert.x, event loops and ring
 * buffers) reachable for the life of the JVM.
 */
class ProxyMetricsReleaseTest {

  @Test
  void whatTheGaugesReadIsCollectableOnceClosed() {
    // Given metrics whose gauges read an object only they hold
    WeakReference<Object> readByGauges = closedMetricsReading();
    // Then a collection frees it (System.gc() on each poll; without close() it stays reachable for good)
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
      System.gc();
      return readByGauges.get() == null;
    });
    assertThat(readByGauges.get()).isNull();
  }

  private static WeakReference<Object> closedMetricsReading() {
    Object state = new Object();
    ProxyMetrics metrics = new ProxyMetrics(() -> state.hashCode() & 0, () -> 1, () -> 0, () -> state != null);
    assertThat(metrics.scrape()).contains("clb_ready 1.0", "jvm_gc_");
    metrics.close();
    return new WeakReference<>(state);
  }
}
