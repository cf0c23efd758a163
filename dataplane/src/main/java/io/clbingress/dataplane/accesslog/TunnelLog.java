package io.clbingress.dataplane.accesslog;

/**
 * What a tunnel's closing line ({@link TunnelRecord}) says that is known when the tunnel opens:
 * its kind, route, listener and client; the tunnel adds the rest when it closes ({@link #closed}).
 * Made only when the access log is on: the factories give null when it is off.
 */
public final class TunnelLog {

  /** Why a tunnel closed, as its line names it. */
  public static final String CLIENT = "client";
  public static final String BACKEND = "backend";
  public static final String IDLE_TIMEOUT = "idle-timeout";
  public static final String DRAIN = "drain";
  public static final String SHUTDOWN = "shutdown";

  private final AccessLog log;
  private final String kind;
  private final String route;
  private final String listener;
  private final String client;
  private final int clientPort;
  private final String requestId;
  private final long startMillis = System.currentTimeMillis();

  private TunnelLog(AccessLog log, String kind, String route, String listener, String client, int clientPort,
      String requestId) {
    this.log = log;
    this.kind = kind;
    this.route = route;
    this.listener = listener;
    this.client = client;
    this.clientPort = clientPort;
    this.requestId = requestId;
  }

  /** A WebSocket tunnel's, from its upgrade request's facts; null when the log is off ({@code upgrade} null). */
  public static TunnelLog webSocket(AccessLog log, AccessRecord upgrade) {
    return upgrade == null ? null : new TunnelLog(log, "websocket", upgrade.route, upgrade.listener, upgrade.client,
        upgrade.clientPort, upgrade.requestId);
  }

  /** A TCP / TCP_SSL listener's connection's; null when the log is off. */
  public static TunnelLog tcp(AccessLog log, String route, String listener, String client, int clientPort) {
    return log.enabled() ? new TunnelLog(log, "tcp", route, listener, client, clientPort, null) : null;
  }

  /**
   * The tunnel closed: its line is written.
   *
   * @param endpoint the backend endpoint ({@code ip:port})
   * @param closedBy {@link #CLIENT}, {@link #BACKEND}, {@link #IDLE_TIMEOUT}, {@link #DRAIN} or {@link #SHUTDOWN}
   * @param idleTimeoutMillis the idle timeout, written with {@link #IDLE_TIMEOUT} only
   */
  public void closed(String endpoint, long durationNanos, long bytesFromClient, long bytesToClient, String closedBy,
      long idleTimeoutMillis) {
    log.write(new TunnelRecord(kind, route, listener, client, clientPort, endpoint, startMillis, durationNanos,
        bytesFromClient, bytesToClient, closedBy, IDLE_TIMEOUT.equals(closedBy) ? idleTimeoutMillis : -1, requestId));
  }
}
