package io.clbingress.operator.util;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs an action on an executor once a burst of signals is over: when no signal came for the quiet
 * period, or the maximum delay after the first signal of the burst has passed, whichever is first.
 * A single change is acted on after the quiet period; a long burst (a folder being written, a
 * thousand objects applied at once) at most every maximum delay. Signals may come from any thread.
 */
public final class Debouncer {

  private final ScheduledExecutorService executor;
  private final long quietNanos;
  private final long maxNanos;
  private final Runnable action;
  private final AtomicBoolean pending = new AtomicBoolean();
  private volatile long firstSignal;
  private volatile long latestSignal;

  public Debouncer(ScheduledExecutorService executor, long quietMillis, long maxMillis, Runnable action) {
    this.executor = executor;
    this.quietNanos = TimeUnit.MILLISECONDS.toNanos(quietMillis);
    this.maxNanos = TimeUnit.MILLISECONDS.toNanos(maxMillis);
    this.action = action;
  }

  /** Something changed; ignored once the executor is shut down. */
  public void signal() {
    latestSignal = System.nanoTime();
    if (pending.compareAndSet(false, true)) {
      firstSignal = latestSignal;
      try {
        executor.schedule(this::settle, quietNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        // shut down
      }
    }
  }

  private void settle() {
    long now = System.nanoTime();
    long quietFor = now - latestSignal;
    if (quietFor < quietNanos && now - firstSignal < maxNanos) {
      executor.schedule(this::settle, Math.min(quietNanos - quietFor, maxNanos - (now - firstSignal)), TimeUnit.NANOSECONDS);
      return;
    }
    // Signals from here on start the next burst: the action sees everything before them.
    pending.set(false);
    action.run();
  }
}
