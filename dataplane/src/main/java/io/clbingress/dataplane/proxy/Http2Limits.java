package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.table.HeadLimits;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;

/**
 * What an HTTP/2 client (HTTPS with ALPN h2) may do on one connection, each limit set here on
 * purpose rather than left to Vert.x's or Netty's defaults; docs/request-handling.md ("Hostile
 * HTTP/2") gives the answer a client gets past each one. Values are at least as generous as nginx's
 * defaults, so that no client nginx serves is refused here.
 *
 * <p>Two further limits are Netty's own and cannot be set through Vert.x 5.0.7 (its HTTP/2 handler
 * builder does not expose them), so they are documented rather than set: at most 10,000 control
 * frames (PING and SETTINGS acknowledgements, RST_STREAM) queued for a client that does not read
 * ({@code Http2ControlFrameLimitEncoder}), and at most two consecutive empty DATA frames without
 * END_STREAM ({@code Http2EmptyDataFrameListener}); past either, GOAWAY ENHANCE_YOUR_CALM.
 */
final class Http2Limits {

  /**
   * SETTINGS_MAX_CONCURRENT_STREAMS (RFC 9113 §6.5.2): nginx's {@code http2_max_concurrent_streams}
   * default. Vert.x's default is 100. A stream past it is refused with RST_STREAM REFUSED_STREAM
   * (§5.1.2) and the connection stays open.
   */
  static final long MAX_CONCURRENT_STREAMS = 128;

  /**
   * RST_STREAM frames a client may send in one {@link #RESET_WINDOW_SECONDS window} before the
   * connection is closed with GOAWAY ENHANCE_YOUR_CALM (rapid reset, CVE-2023-44487); the same
   * bound applies to the resets the server is made to send (MadeYouReset, CVE-2025-8671). nginx
   * answers rapid reset with {@code keepalive_requests} (1,000 streams per connection): a client
   * may reset as many streams here as nginx would let it open. Vert.x's default is 200.
   */
  static final int MAX_RESETS_PER_WINDOW = 1000;

  /** The window of {@link #MAX_RESETS_PER_WINDOW}; Vert.x's and Netty's default. */
  static final int RESET_WINDOW_SECONDS = 30;

  /**
   * SETTINGS_INITIAL_WINDOW_SIZE: the RFC's default of 65,535 bytes, as nginx's
   * {@code http2_body_preread_size} (64k). It bounds what a client may send on a stream before the
   * data plane has read it: at most 128 streams x 64 KiB buffered per connection.
   */
  static final int INITIAL_WINDOW_SIZE = 65_535;

  /** SETTINGS_MAX_FRAME_SIZE: the RFC's smallest (16 KiB), so no single frame is larger. */
  static final int MAX_FRAME_SIZE = 16_384;

  /** SETTINGS_HEADER_TABLE_SIZE: HPACK's default dynamic table (4 KiB) per connection. */
  static final long HEADER_TABLE_SIZE = 4_096;

  private Http2Limits() {
  }

  /**
   * Sets every HTTP/2 limit of a listener's server. {@code head} gives SETTINGS_MAX_HEADER_LIST_SIZE
   * (the request line and header limits together, counted as HPACK counts: name + value + 32 bytes
   * per field): a header list over it gets 431 and RST_STREAM on its stream; a header block whose
   * compressed bytes exceed 1.25 times it (Netty's bound on what it buffers across CONTINUATION
   * frames) closes the connection with GOAWAY PROTOCOL_ERROR.
   */
  static HttpServerOptions applyTo(HttpServerOptions options, HeadLimits head) {
    Http2Settings settings = options.getInitialSettings();
    settings.setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS)
        .setInitialWindowSize(INITIAL_WINDOW_SIZE)
        .setMaxFrameSize(MAX_FRAME_SIZE)
        .setHeaderTableSize(HEADER_TABLE_SIZE)
        .setMaxHeaderListSize((long) head.requestLineBytes() + head.headerBytes());
    return options.setHttp2RstFloodMaxRstFramePerWindow(MAX_RESETS_PER_WINDOW)
        .setHttp2RstFloodWindowDuration(RESET_WINDOW_SECONDS)
        .setHttp2RstFloodWindowDurationTimeUnit(TimeUnit.SECONDS);
  }
}
