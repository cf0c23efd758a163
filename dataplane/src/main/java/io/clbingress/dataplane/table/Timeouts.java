package io.clbingress.dataplane.table;

/**
 * Layer-7 timeouts of a route, resolved by translation (no "default" left for the data plane).
 *
 * @param readMillis longest wait between two reads from the backend; for a WebSocket, the idle
 *     timeout over both directions
 * @param sendMillis longest wait between two writes to the backend
 * @param connectMillis longest wait to connect to one backend endpoint
 */
public record Timeouts(long readMillis, long sendMillis, long connectMillis) {

  public Timeouts {
    requirePositive("readMillis", readMillis);
    requirePositive("sendMillis", sendMillis);
    requirePositive("connectMillis", connectMillis);
  }

  public static Timeouts ofSeconds(long read, long send, long connect) {
    return new Timeouts(read * 1000, send * 1000, connect * 1000);
  }

  private static void requirePositive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }
}
