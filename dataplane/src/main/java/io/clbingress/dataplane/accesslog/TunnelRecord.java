package io.clbingress.dataplane.accesslog;

/**
 * The facts of a WebSocket or TCP / TCP_SSL tunnel, written as a line with {@code "type":"tunnel"}
 * when it closes ({@link AccessLog#write(TunnelRecord)}).
 *
 * @param kind {@code websocket} or {@code tcp}
 * @param route the route's source ({@code Ingress ns/name}, {@code CLBListener ns/name})
 * @param listener the listener's name
 * @param client the client's address, or null
 * @param clientPort the client's port, -1 when unknown
 * @param endpoint the backend endpoint ({@code ip:port})
 * @param startMillis when the tunnel opened (wall clock, ms since the epoch)
 * @param durationNanos how long it was open
 * @param bytesFromClient bytes relayed from the client to the backend (TLS records excluded)
 * @param bytesToClient bytes relayed from the backend to the client
 * @param closedBy why it closed: {@code client}, {@code backend}, {@code idle-timeout}, {@code drain} or {@code shutdown}
 * @param idleTimeoutMillis the idle timeout (the route's read timeout) in ms when {@code closedBy} is {@code idle-timeout}, else -1
 * @param requestId the upgrade request's {@code X-Request-ID} (a WebSocket), or null
 */
public record TunnelRecord(String kind, String route, String listener, String client, int clientPort, String endpoint,
    long startMillis, long durationNanos, long bytesFromClient, long bytesToClient, String closedBy,
    long idleTimeoutMillis, String requestId) {
}
