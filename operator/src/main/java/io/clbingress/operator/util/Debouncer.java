package io.clbingress.operator.util;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs an action on an executor once a burst of signals is over: when no signal came for the quiet
 * period, or the period has passed since the first signal of the burst, whichever is first; and
 * never sooner than the period after the action last started. A single change is acted on after the
 * quiet period; a long burst or a steady trickle (a folder being written, thousands of objects
 * applied one by one) at most once per period. Signals may come from any thread.
 */
public final class Debouncer {

  private final ScheduledExecutorService executor;
  private final long quietNanos;
  private final long periodNanos;
  private final Runnable action;
  private final AtomicBoolean pending = new AtomicBoolean();
  private volatile long firstSignal;
  private volatile long latestSignal;
  /** When the action last started (System.nanoTime), valid once it has run. */
  private volatile long lastRun;
  private volatile boolean ran;

  public Debouncer(ScheduledExecutorService executor, long quietMillis, long periodMillis, Runnable action) {
    this.executor = executor;
    this.quietNanos = TimeUnit.MILLISECONDS.toNanos(quietMillis);
    this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis);
    this.action = action;
  }

  /** Something changed; ignored once the executor is shut down. */
  public void signal() {
    latestSignal = System.nanoTime();
    if (pending.compareAndSet(false, true)) {
      firstSignal = latestSignal;
      try {
        long sinceRun = ran ? firstSignal - lastRun : periodNanos;
        executor.schedule(this::settle, Math.max(quietNanos, periodNanos - sinceRun), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        // shut down
      }
    }
  }

  private void settle() {
    long now = System.nanoTime();
    long quietFor = now - latestSignal;
    if (quietFor < quietNanos && now - firstSignal < periodNanos) {
      executor.schedule(this::settle, Math.min(quietNanos - quietFor, periodNanos - (now - firstSignal)), TimeUnit.NANOSECONDS);
      return;
    }
    // Signals from here on start the next burst: the action sees everything before them.
    lastRun = now;
    ran = true;
    pending.set(false);
    action.run();
  }
}
