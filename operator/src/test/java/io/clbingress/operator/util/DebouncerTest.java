package io.clbingress.operator.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DebouncerTest {

  final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
  final AtomicInteger changes = new AtomicInteger();
  /** The number of changes each run of the action saw. */
  final List<Integer> runs = new CopyOnWriteArrayList<>();
  final Debouncer debouncer = new Debouncer(executor, 5, 100, () -> runs.add(changes.get()));

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void oneSignalRunsTheActionOnce() {
    // When
    changes.incrementAndGet();
    debouncer.signal();
    // Then
    await().atMost(Duration.ofSeconds(5)).until(() -> runs.size() == 1);
    assertThat(runs).containsExactly(1);
  }

  @Test
  void aTrickleOfSignalsRunsItFewerTimesAndTheLastRunSeesEveryChange() throws Exception {
    // When fifty changes come a few milliseconds apart
    for (int i = 0; i < 50; i++) {
      changes.incrementAndGet();
      debouncer.signal();
      Thread.sleep(3);
    }
    // Then the action ran after the last one, fewer times than there were signals
    await().atMost(Duration.ofSeconds(5)).until(() -> !runs.isEmpty() && runs.get(runs.size() - 1) == 50);
    assertThat(runs).hasSizeLessThan(50).isSorted();
  }
}
