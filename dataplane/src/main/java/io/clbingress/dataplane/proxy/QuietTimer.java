package io.clbingress.dataplane.proxy;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * A timeout on quiet time: told once when nothing happened ({@link #touch}) for the limit given
 * to {@link #watch}. Its one timer is armed once and, when it fires early, re-armed for the rest
 * of the quiet time, rather than cancelled and set again on every read or request: a busy
 * connection costs one {@code System.nanoTime()} per event and no timer work. The keep-alive
 * timeout of a client connection, the read timeout of a backend connection and the idle timeout
 * of a tunnel are each one of these.
 *
 * <p>{@link #watch}, {@link #pause} and the expiry run on {@code loop}; {@link #touch} and
 * {@link #cancel} may be called from any thread.
 */
final class QuietTimer {

  private static final long MIN_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final EventExecutor loop;
  private final LongConsumer onExpiry;
  /** The quiet time allowed, in nanoseconds; 0 while nothing is watched. */
  private volatile long limitNanos;
  private volatile long lastActivity;
  private volatile ScheduledFuture<?> timer;
  private long timerDue;

  /**
   * @param loop the event loop the timer runs on
   * @param onExpiry told, on {@code loop}, the quiet time in milliseconds once it reached the
   *     limit; the timer then watches nothing until {@link #watch} is called again
   */
  QuietTimer(EventExecutor loop, LongConsumer onExpiry) {
    this.loop = loop;
    this.onExpiry = onExpiry;
  }

  /** From now, at most {@code millis} (at least 1) may pass without a {@link #touch}. */
  void watch(long millis) {
    long limit = TimeUnit.MILLISECONDS.toNanos(Math.max(1, millis));
    long now = System.nanoTime();
    lastActivity = now;
    limitNanos = limit;
    ScheduledFuture<?> armed = timer;
    if (armed != null && timerDue - (now + limit) > 0) {
      armed.cancel(false); // a shorter limit than the one the timer was set for
      timer = null;
    }
    if (timer == null) {
      arm(limit);
    }
  }

  /** Something happened: the quiet time starts over. */
  void touch() {
    lastActivity = System.nanoTime();
  }

  /** Nothing is watched until the next {@link #watch}; the armed timer, if any, fires for nothing. */
  void pause() {
    limitNanos = 0;
  }

  /** Nothing is watched any more and the timer goes (the connection closed). */
  void cancel() {
    limitNanos = 0;
    ScheduledFuture<?> armed = timer;
    timer = null;
    if (armed != null) {
      armed.cancel(false);
    }
  }

  private void arm(long delayNanos) {
    long delay = Math.max(MIN_DELAY_NANOS, delayNanos);
    timerDue = System.nanoTime() + delay;
    timer = loop.schedule(this::fired, delay, TimeUnit.NANOSECONDS);
  }

  private void fired() {
    timer = null;
    long limit = limitNanos;
    if (limit == 0) {
      return;
    }
    long quiet = System.nanoTime() - lastActivity;
    if (quiet >= limit) {
      limitNanos = 0;
      onExpiry.accept(TimeUnit.NANOSECONDS.toMillis(quiet));
    } else {
      arm(limit - quiet);
    }
  }
}
