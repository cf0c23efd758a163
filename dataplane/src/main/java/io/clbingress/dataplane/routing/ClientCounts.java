package io.clbingress.dataplane.routing;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts of things in progress per key (a client address, a source), each taken with
 * {@link #take} and given back once with {@link #giveBack}. A key whose count reaches zero is
 * removed, so the map holds only keys with something in progress now; and it never holds more than
 * {@code maxKeys}: a new key beyond that is refused, as nginx's {@code limit_conn} refuses when its
 * zone is full. Thread-safe.
 */
public final class ClientCounts {

  private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();
  private final AtomicInteger keys = new AtomicInteger();
  private final int maxKeys;

  /** @param maxKeys the most keys counted at once, at least 1 */
  public ClientCounts(int maxKeys) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1: " + maxKeys);
    }
    this.maxKeys = maxKeys;
  }

  /**
   * One more for {@code key}, unless it has {@code max} already (0: no cap on the key) or it is a
   * new key and {@code maxKeys} are counted already.
   *
   * @return whether it was taken (nothing changes when not)
   */
  public boolean take(String key, int max) {
    boolean[] taken = {false};
    counts.compute(key, (k, n) -> {
      if (n == null) {
        if (keys.incrementAndGet() > maxKeys) {
          keys.decrementAndGet();
          return null;
        }
        taken[0] = true;
        return 1;
      }
      if (max > 0 && n >= max) {
        return n;
      }
      taken[0] = true;
      return n + 1;
    });
    return taken[0];
  }

  /** Gives back one of {@code key}'s; the key goes at zero. */
  public void giveBack(String key) {
    counts.computeIfPresent(key, (k, n) -> {
      if (n > 1) {
        return n - 1;
      }
      keys.decrementAndGet();
      return null;
    });
  }

  /** Keys counted now: zero once everything taken was given back. */
  public int size() {
    return counts.size();
  }
}
