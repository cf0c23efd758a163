package io.clbingress.dataplane.table;

/**
 * How large an HTTP/1.x request head may be, in bytes, as Netty's request decoder counts: the
 * request line without its CRLF, and the header block (every header line together, the request
 * line not counted). Over them a request gets 414 or 431 and its connection is closed; it never
 * reaches a backend.
 *
 * <p>Defaults: 16 KiB per request line and 64 KiB of headers, at least as generous as nginx's
 * {@code large_client_header_buffers 4 8k} (8 KiB per line, 32 KiB in all) and Envoy's
 * {@code max_request_headers_kb} (60 KiB), so that long signed URLs and cookie-heavy browsers pass.
 * Ranges: 1 KiB-64 KiB per line, 4 KiB-256 KiB of headers; the upper bounds cap what one
 * connection can make the data plane buffer before its request is routed.
 *
 * @param requestLineBytes longest request line, {@link #MIN_LINE}-{@link #MAX_LINE}
 * @param headerBytes largest header block, {@link #MIN_HEADERS}-{@link #MAX_HEADERS}
 * @throws IllegalArgumentException when a value is out of its range
 */
public record HeadLimits(int requestLineBytes, int headerBytes) {

  public static final int MIN_LINE = 1 << 10;
  public static final int MAX_LINE = 64 << 10;
  public static final int MIN_HEADERS = 4 << 10;
  public static final int MAX_HEADERS = 256 << 10;

  /** 16 KiB per request line, 64 KiB of headers. */
  public static final HeadLimits DEFAULTS = new HeadLimits(16 << 10, 64 << 10);

  public HeadLimits {
    if (!lineInRange(requestLineBytes) || !headersInRange(headerBytes)) {
      throw new IllegalArgumentException("head limits out of range: request line " + requestLineBytes + " bytes ("
          + MIN_LINE + "-" + MAX_LINE + "), headers " + headerBytes + " bytes (" + MIN_HEADERS + "-" + MAX_HEADERS + ")");
    }
  }

  /** Whether {@code bytes} is an allowed request line limit (1 KiB-64 KiB). */
  public static boolean lineInRange(long bytes) {
    return bytes >= MIN_LINE && bytes <= MAX_LINE;
  }

  /** Whether {@code bytes} is an allowed header block limit (4 KiB-256 KiB). */
  public static boolean headersInRange(long bytes) {
    return bytes >= MIN_HEADERS && bytes <= MAX_HEADERS;
  }
}
