package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.GzipPolicy;
import io.clbingress.dataplane.routing.ListenerRouter;
import io.clbingress.dataplane.table.Gzip;
import io.clbingress.dataplane.table.Listener;

/**
 * The data plane's compression settings: the default listeners' gzip ({@code --gzip},
 * {@code --gzip-min-length}, {@code --gzip-types}), the deflate level of every listener
 * ({@code --gzip-level}; a CLBListener's {@code spec.defaults.gzip} sets no level), and Brotli on
 * the default listeners ({@code --enable-brotli}, {@code --brotli-level},
 * {@code --brotli-min-length}, {@code --brotli-types}: ingress-nginx's {@code enable-brotli} and
 * its settings, served there by ngx_brotli).
 *
 * @param defaults the default HTTP and HTTPS listeners' gzip policy; null when they gzip nothing
 * @param level 1 (fastest, ingress-nginx's {@code gzip-level} default) to 9 (smallest)
 * @param brotli the default listeners' Brotli policy; null when they use no Brotli
 * @param brotliLevel 0 (fastest) to 11 (smallest); ingress-nginx's {@code brotli-level} default is 4
 */
public record Compression(GzipPolicy defaults, int level, GzipPolicy brotli, int brotliLevel) {

  /** ingress-nginx's {@code gzip-level} default. */
  public static final int DEFAULT_LEVEL = 1;
  /** ingress-nginx's {@code brotli-level} default. */
  public static final int DEFAULT_BROTLI_LEVEL = 4;
  /** ingress-nginx's {@code brotli-min-length} default (20 bytes). */
  public static final long DEFAULT_BROTLI_MIN_LENGTH = 20;

  /** Nothing compressed on the default listeners (ingress-nginx's {@code use-gzip: false}). */
  public static final Compression OFF = new Compression(null, DEFAULT_LEVEL, null, DEFAULT_BROTLI_LEVEL);

  /**
   * @throws IllegalArgumentException for a gzip level out of 1-9 or a Brotli level out of 0-11
   * @throws IllegalStateException when Brotli is asked for and its native encoder cannot be loaded
   */
  public Compression {
    if (level < 1 || level > 9) {
      throw new IllegalArgumentException("gzip level must be 1-9: " + level);
    }
    if (brotliLevel < 0 || brotliLevel > 11) {
      throw new IllegalArgumentException("brotli level must be 0-11: " + brotliLevel);
    }
    if (brotli != null) {
      BrotliEncoder.ensureAvailable();
    }
  }

  /**
   * Answer compressors (each with its native memory) made and not closed yet in this JVM: 0 when
   * no answer is being compressed. For tests that show none is left behind.
   */
  public static long openEncoders() {
    return GzipEncoder.open() + BrotliEncoder.open();
  }

  /** Settings from the flags: {@code gzip} on the default listeners (null for none), at {@code level}; no Brotli. */
  public static Compression of(Gzip gzip, int level) {
    return of(gzip, level, null, DEFAULT_BROTLI_LEVEL);
  }

  /**
   * Settings from the flags: gzip and Brotli on the default listeners (each null for none), at
   * their levels.
   */
  public static Compression of(Gzip gzip, int level, Gzip brotli, int brotliLevel) {
    return new Compression(gzip == null ? null : new GzipPolicy(gzip), level,
        brotli == null ? null : new GzipPolicy(brotli), brotliLevel);
  }

  /**
   * The gzip policy of a listener: its own ({@code spec.defaults.gzip}); for a default listener
   * without one, the flags'; null when it gzips nothing (or there is no listener).
   */
  GzipPolicy of(ListenerRouter listener) {
    if (listener == null) {
      return null;
    }
    GzipPolicy own = listener.gzip();
    return own != null || !isDefault(listener) ? own : defaults;
  }

  /** The Brotli policy of a listener: the flags' on the default listeners; null elsewhere or when off. */
  GzipPolicy brotliOf(ListenerRouter listener) {
    return listener == null || !isDefault(listener) ? null : brotli;
  }

  /** Whether a listener compresses answers with either coding. */
  boolean compresses(ListenerRouter listener) {
    return of(listener) != null || brotliOf(listener) != null;
  }

  private static boolean isDefault(ListenerRouter listener) {
    return listener.listener().port() == Listener.PORT_FROM_FLAGS;
  }
}
