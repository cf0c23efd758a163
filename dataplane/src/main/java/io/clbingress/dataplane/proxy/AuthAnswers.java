package io.clbingress.dataplane.proxy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.util.concurrent.TimeUnit;

/**
 * External authentication answers kept for routes with a cache key (ingress-nginx's
 * {@code auth-cache-key} and {@code auth-cache-duration}), shared by every event loop of a data
 * plane. Bounded in bytes ({@link #MAX_BYTES}, least recently used first out) and each entry by its
 * status's duration, so millions of distinct keys cannot grow it.
 */
public final class AuthAnswers {

  /** The most the cache holds, in (estimated) bytes: 32 MiB. */
  static final long MAX_BYTES = 32L << 20;

  private record Timed(AuthAnswer answer, long nanos) {
  }

  private final Cache<String, Timed> cache = Caffeine.newBuilder()
      .maximumWeight(MAX_BYTES)
      .weigher((String key, Timed timed) -> 2 * key.length() + timed.answer().weight())
      .expireAfter(new Expiry<String, Timed>() {
        @Override
        public long expireAfterCreate(String key, Timed timed, long now) {
          return timed.nanos();
        }

        @Override
        public long expireAfterUpdate(String key, Timed timed, long now, long current) {
          return timed.nanos();
        }

        @Override
        public long expireAfterRead(String key, Timed timed, long now, long current) {
          return current;
        }
      })
      .build();

  /** The answer kept under {@code key}, or null. */
  AuthAnswer get(String key) {
    Timed timed = cache.getIfPresent(key);
    return timed == null ? null : timed.answer();
  }

  /** Keeps {@code answer} under {@code key} for {@code seconds} (none when 0). */
  void put(String key, AuthAnswer answer, long seconds) {
    if (seconds > 0) {
      cache.put(key, new Timed(answer, TimeUnit.SECONDS.toNanos(seconds)));
    }
  }

  /** Entries kept now (for tests and metrics). */
  long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }
}
