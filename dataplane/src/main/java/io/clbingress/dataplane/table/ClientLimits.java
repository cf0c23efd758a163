package io.clbingress.dataplane.table;

/**
 * What a listener allows its clients (CLBListener {@code spec.defaults}).
 *
 * @param keepaliveMillis how long an idle client connection stays open between requests; 0 closes
 *     it after each response
 * @param headerMillis how long a new connection may take to send its first request head (408 after)
 * @param maxBodyBytes largest request body (413 above it); 0 = no limit
 */
public record ClientLimits(long keepaliveMillis, long headerMillis, long maxBodyBytes) {

  /** nginx's keepalive_timeout (75 s) and client_header_timeout (60 s); no body limit. */
  public static final ClientLimits DEFAULTS = new ClientLimits(75_000, 60_000, 0);

  public ClientLimits {
    if (keepaliveMillis < 0 || headerMillis < 1 || maxBodyBytes < 0) {
      throw new IllegalArgumentException("client limits out of range: keepalive " + keepaliveMillis
          + " ms, header " + headerMillis + " ms, body " + maxBodyBytes + " bytes");
    }
  }
}
