package io.clbingress.dataplane.accesslog;

/**
 * How a data plane logs requests and tunnels.
 *
 * @param format {@code --access-log}
 * @param queue records waiting for the writer thread at most (more are dropped and counted), at least 1
 */
public record AccessLogOptions(AccessLogFormat format, int queue) {

  /** No access log. */
  public static final AccessLogOptions OFF = new AccessLogOptions(AccessLogFormat.OFF, AccessLog.DEFAULT_CAPACITY);

  public AccessLogOptions {
    java.util.Objects.requireNonNull(format, "format");
    if (queue < 1) {
      throw new IllegalArgumentException("access log queue must be at least 1: " + queue);
    }
  }

  /** {@code format} with the default queue ({@value AccessLog#DEFAULT_CAPACITY} records). */
  public static AccessLogOptions of(AccessLogFormat format) {
    return new AccessLogOptions(format, AccessLog.DEFAULT_CAPACITY);
  }
}
