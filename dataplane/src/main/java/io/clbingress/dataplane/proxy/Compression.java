package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.GzipPolicy;
import io.clbingress.dataplane.routing.ListenerRouter;
import io.clbingress.dataplane.table.Gzip;
import io.clbingress.dataplane.table.Listener;

/**
 * The data plane's compression settings: the default listeners' gzip ({@code --gzip},
 * {@code --gzip-min-length}, {@code --gzip-types}) and the deflate level of every listener
 * ({@code --gzip-level}; a CLBListener's {@code spec.defaults.gzip} sets no level).
 *
 * @param defaults the default HTTP and HTTPS listeners' policy; null when they compress nothing
 * @param level 1 (fastest, ingress-nginx's {@code gzip-level} default) to 9 (smallest)
 */
public record Compression(GzipPolicy defaults, int level) {

  /** ingress-nginx's {@code gzip-level} default. */
  public static final int DEFAULT_LEVEL = 1;

  /** Nothing compressed on the default listeners (ingress-nginx's {@code use-gzip: false}). */
  public static final Compression OFF = new Compression(null, DEFAULT_LEVEL);

  /** @throws IllegalArgumentException for a level out of 1-9 */
  public Compression {
    if (level < 1 || level > 9) {
      throw new IllegalArgumentException("gzip level must be 1-9: " + level);
    }
  }

  /**
   * Answer compressors (each with its deflater's native memory) made and not closed yet in this
   * JVM: 0 when no answer is being compressed. For tests that show none is left behind.
   */
  public static long openEncoders() {
    return GzipEncoder.open();
  }

  /** Settings from the flags: {@code gzip} on the default listeners (null for none), at {@code level}. */
  public static Compression of(Gzip gzip, int level) {
    return new Compression(gzip == null ? null : new GzipPolicy(gzip), level);
  }

  /**
   * The policy of a listener: its own ({@code spec.defaults.gzip}); for a default listener without
   * one, the flags'; null when it compresses nothing (or there is no listener).
   */
  GzipPolicy of(ListenerRouter listener) {
    if (listener == null) {
      return null;
    }
    GzipPolicy own = listener.gzip();
    return own != null || listener.listener().port() != Listener.PORT_FROM_FLAGS ? own : defaults;
  }
}
