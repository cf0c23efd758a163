package io.clbingress.dataplane.accesslog;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Turns records into lines, on the access log's writer thread (one instance per writer: its
 * buffer is reused). JSON is built by hand: one object per line, keys in a fixed order, strings
 * escaped by {@link #string} (RFC 8259 §7), numbers as numbers, a fact not known as {@code null}.
 * Text is an nginx {@code combined} line with the other fields after it, {@code -} for a fact not
 * known. The fields are documented in {@code docs/access-log.md}.
 */
final class LineFormat {

  /** RFC 3339 with milliseconds, in UTC ({@code 2026-12-01T15:51:15.123Z}). */
  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
      .withZone(ZoneOffset.UTC);

  private final AccessLogFormat format;
  private final StringBuilder line = new StringBuilder(512);

  LineFormat(AccessLogFormat format) {
    this.format = format;
  }

  String request(AccessRecord r) {
    line.setLength(0);
    if (format == AccessLogFormat.TEXT) {
      // nginx combined: $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"
      text(r.client).append(" - - [");
      TIME.formatTo(Instant.ofEpochMilli(r.startMillis), line);
      line.append("] \"");
      text(r.method).append(' ');
      text(r.target).append(' ');
      text(r.protocol).append("\" ").append(r.status).append(' ').append(r.bytesSent).append(' ');
      quoted(r.referer).append(' ');
      quoted(r.userAgent).append(' ').append(r.bytesReceived).append(' ');
      seconds(r.endNanos - r.startNanos).append(' ');
      text(r.upstream).append(' ');
      upstreamTimes(r).append(' ');
      quoted(r.host).append(' ');
      quoted(r.route).append(' ');
      text(r.listener).append(' ');
      text(r.clientPort < 0 ? null : Integer.toString(r.clientPort)).append(' ');
      text(r.tlsVersion).append(' ');
      text(r.tlsCipher).append(' ');
      text(r.sni).append(' ');
      text(r.requestId);
      return line.toString();
    }
    line.append("{\"type\":\"request\",\"time\":\"");
    TIME.formatTo(Instant.ofEpochMilli(r.startMillis), line);
    line.append('"');
    field("client", r.client);
    port(r.clientPort);
    field("method", r.method);
    field("host", r.host);
    field("uri", r.target);
    field("protocol", r.protocol);
    line.append(",\"status\":").append(r.status);
    line.append(",\"bytes_received\":").append(r.bytesReceived);
    line.append(",\"bytes_sent\":").append(r.bytesSent);
    line.append(",\"request_time\":");
    seconds(r.endNanos - r.startNanos);
    field("upstream_addr", r.upstream);
    line.append(",\"upstream_connect_time\":");
    since(r.upstreamStartNanos, r.upstreamConnectedNanos);
    line.append(",\"upstream_header_time\":");
    since(r.upstreamStartNanos, r.upstreamHeaderNanos);
    line.append(",\"upstream_response_time\":");
    since(r.upstreamStartNanos, r.upstreamEndNanos);
    field("route", r.route);
    field("listener", r.listener);
    field("tls_version", r.tlsVersion);
    field("tls_cipher", r.tlsCipher);
    field("sni", r.sni);
    field("user_agent", r.userAgent);
    field("referer", r.referer);
    field("request_id", r.requestId);
    return line.append('}').toString();
  }

  String tunnel(TunnelRecord t) {
    line.setLength(0);
    if (format == AccessLogFormat.TEXT) {
      text(t.client()).append(" - - [");
      TIME.formatTo(Instant.ofEpochMilli(t.startMillis()), line);
      line.append("] \"TUNNEL ").append(t.kind()).append("\" ");
      quoted(t.route()).append(' ');
      text(t.listener()).append(' ');
      text(t.endpoint()).append(' ');
      seconds(t.durationNanos()).append(' ').append(t.bytesFromClient()).append(' ').append(t.bytesToClient())
          .append(' ').append(t.closedBy());
      if (t.idleTimeoutMillis() >= 0) {
        line.append(' ');
        seconds(t.idleTimeoutMillis() * 1_000_000);
      }
      line.append(' ');
      text(t.requestId());
      return line.toString();
    }
    line.append("{\"type\":\"tunnel\",\"time\":\"");
    TIME.formatTo(Instant.ofEpochMilli(t.startMillis()), line);
    line.append('"');
    field("kind", t.kind());
    field("route", t.route());
    field("listener", t.listener());
    field("client", t.client());
    port(t.clientPort());
    field("endpoint", t.endpoint());
    line.append(",\"duration\":");
    seconds(t.durationNanos());
    line.append(",\"bytes_from_client\":").append(t.bytesFromClient());
    line.append(",\"bytes_to_client\":").append(t.bytesToClient());
    line.append(",\"frames\":null");
    field("closed_by", t.closedBy());
    line.append(",\"idle_timeout\":");
    if (t.idleTimeoutMillis() < 0) {
      line.append("null");
    } else {
      seconds(t.idleTimeoutMillis() * 1_000_000);
    }
    field("request_id", t.requestId());
    return line.append('}').toString();
  }

  private void port(int port) {
    line.append(",\"client_port\":");
    if (port < 0) {
      line.append("null");
    } else {
      line.append(port);
    }
  }

  private void field(String name, String value) {
    line.append(",\"").append(name).append("\":");
    if (value == null) {
      line.append("null");
    } else {
      string(line, value);
    }
  }

  /** nginx's three upstream times as {@code connect,header,response} ({@code -} each when not known). */
  private StringBuilder upstreamTimes(AccessRecord r) {
    sinceText(r.upstreamStartNanos, r.upstreamConnectedNanos).append(' ');
    sinceText(r.upstreamStartNanos, r.upstreamHeaderNanos).append(' ');
    return sinceText(r.upstreamStartNanos, r.upstreamEndNanos);
  }

  private StringBuilder since(long start, long end) {
    return start < 0 || end < 0 ? line.append("null") : seconds(end - start);
  }

  private StringBuilder sinceText(long start, long end) {
    return start < 0 || end < 0 ? line.append('-') : seconds(end - start);
  }

  /** Seconds with milliseconds, as nginx's {@code $request_time} ({@code 0.012}). */
  private StringBuilder seconds(long nanos) {
    long millis = Math.max(0, nanos) / 1_000_000;
    line.append(millis / 1000).append('.');
    long fraction = millis % 1000;
    if (fraction < 100) {
      line.append('0');
    }
    if (fraction < 10) {
      line.append('0');
    }
    return line.append(fraction);
  }

  private StringBuilder text(String value) {
    return value == null ? line.append('-') : escapedText(value);
  }

  private StringBuilder quoted(String value) {
    line.append('"');
    return (value == null ? line.append('-') : escapedText(value)).append('"');
  }

  /** A value in a text line: as nginx's default escaping, {@code "}, {@code \} and bytes outside visible ASCII as {@code \xHH}. */
  private StringBuilder escapedText(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7F) {
        if (c > 0xFF) {
          line.append("\\u").append(hex(c >> 12)).append(hex(c >> 8)).append(hex(c >> 4)).append(hex(c));
        } else {
          line.append("\\x").append(hex(c >> 4)).append(hex(c));
        }
      } else {
        line.append(c);
      }
    }
    return line;
  }

  /** A JSON string (RFC 8259 §7): quotes, backslashes and control characters escaped, the rest as it is. */
  static void string(StringBuilder to, String value) {
    to.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> to.append("\\\"");
        case '\\' -> to.append("\\\\");
        case '\n' -> to.append("\\n");
        case '\r' -> to.append("\\r");
        case '\t' -> to.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7F || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c) && !pairedAt(value, i)) {
            to.append("\\u").append(hex(c >> 12)).append(hex(c >> 8)).append(hex(c >> 4)).append(hex(c));
          } else {
            to.append(c);
          }
        }
      }
    }
    to.append('"');
  }

  /** Whether the surrogate at {@code i} is one half of a valid pair. */
  private static boolean pairedAt(String value, int i) {
    char c = value.charAt(i);
    return Character.isHighSurrogate(c) ? i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))
        : i > 0 && Character.isHighSurrogate(value.charAt(i - 1));
  }

  private static char hex(int nibble) {
    return "0123456789abcdef".charAt(nibble & 0xF);
  }
}
