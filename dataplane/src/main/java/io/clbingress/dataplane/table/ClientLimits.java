package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a listener allows its clients (CLBListener {@code spec.defaults}).
 *
 * @param keepaliveMillis how long an idle client connection stays open between requests; 0 closes
 *     it after each response
 * @param headerMillis how long a new connection may take to send its first request head (408 after)
 * @param maxBodyBytes largest request body (413 above it); 0 = no limit
 * @param maxRequestLineBytes longest HTTP/1.x request line (method, target and version), in bytes,
 *     {@link HeadLimits#MIN_LINE}-{@link HeadLimits#MAX_LINE}; longer ones get 414. 0 = the data
 *     plane's default ({@code --max-request-line-bytes}); left out of the JSON when 0, so tables of
 *     operators that predate the field read as 0
 * @param maxHeaderBytes largest HTTP/1.x header block (all header lines together, the request line
 *     not counted), in bytes, {@link HeadLimits#MIN_HEADERS}-{@link HeadLimits#MAX_HEADERS}; larger
 *     ones get 431. 0 = the data plane's default ({@code --max-header-bytes})
 */
public record ClientLimits(long keepaliveMillis, long headerMillis, long maxBodyBytes,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) int maxRequestLineBytes,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) int maxHeaderBytes) {

  /**
   * nginx's keepalive_timeout (75 s) and client_header_timeout (60 s); no body limit; head limits
   * from the data plane's flags.
   */
  public static final ClientLimits DEFAULTS = new ClientLimits(75_000, 60_000, 0);

  /** Limits with the data plane's default head limits. */
  public ClientLimits(long keepaliveMillis, long headerMillis, long maxBodyBytes) {
    this(keepaliveMillis, headerMillis, maxBodyBytes, 0, 0);
  }

  public ClientLimits {
    if (keepaliveMillis < 0 || headerMillis < 1 || maxBodyBytes < 0) {
      throw new IllegalArgumentException("client limits out of range: keepalive " + keepaliveMillis
          + " ms, header " + headerMillis + " ms, body " + maxBodyBytes + " bytes");
    }
    if (maxRequestLineBytes != 0 && !HeadLimits.lineInRange(maxRequestLineBytes)
        || maxHeaderBytes != 0 && !HeadLimits.headersInRange(maxHeaderBytes)) {
      throw new IllegalArgumentException("head limits out of range: request line " + maxRequestLineBytes
          + " bytes, headers " + maxHeaderBytes + " bytes");
    }
  }

  /** The head limits in force: this listener's own where set, else {@code fallback}'s (the flags). */
  public HeadLimits headLimits(HeadLimits fallback) {
    if (maxRequestLineBytes == 0 && maxHeaderBytes == 0) {
      return fallback;
    }
    return new HeadLimits(maxRequestLineBytes == 0 ? fallback.requestLineBytes() : maxRequestLineBytes,
        maxHeaderBytes == 0 ? fallback.headerBytes() : maxHeaderBytes);
  }
}
