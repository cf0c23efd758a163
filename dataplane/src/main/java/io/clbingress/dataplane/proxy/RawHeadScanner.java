package io.clbingress.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * One scan of a backend's answer head as bytes: the status, the framing and the hop-by-hop lines,
 * without header objects. It takes only the plain case and leaves everything else to Netty's
 * decoder ({@link BackendResponseDecoder}), whose rules and limits then apply as before:
 * {@link #scan} answers {@link #DECODE} for any head it does not take whole, so it never accepts
 * what that decoder would refuse.
 *
 * <p>Taken: {@code HTTP/1.0} or {@code HTTP/1.1}, one space, a status of 200 to 599, a reason of
 * visible characters, spaces and tabs (RFC 9112 §4); header lines of a token, a colon right after
 * it, and a value of visible characters, spaces, tabs and obs-text (RFC 9110 §5.1, §5.5), every line
 * ended by CRLF; the whole head within {@link #MAX_HEAD_BYTES}; a body framed by one Content-Length
 * of digits, or none by rule (an answer to HEAD, 204, 304: RFC 9112 §6.3 items 1 and 2).
 *
 * <p>Left to the decoder: a bare CR or LF, obs-fold, whitespace before a colon or in a name, a
 * second Content-Length, Transfer-Encoding (chunked, or with Content-Length), an answer framed by
 * the close of the connection, an interim or 101 answer, a Connection header naming other fields
 * (RFC 9110 §7.6.1; those fields are dropped by the decoded path), a longer head.
 *
 * <p>Dropped lines: {@link ProxyHeaders#hopByHopNames}, as {@link ProxyHeaders#dropHopByHop} drops them from decoded answers:
 * Connection, Keep-Alive, Proxy-Authenticate, Proxy-Authorization, Proxy-Connection, TE, Trailer,
 * Upgrade.
 */
final class RawHeadScanner {

  /**
   * The longest head taken, in bytes: below the decoder's limits (4096 for the status line, 8192
   * for the headers: {@link BackendResponseDecoder}), so a longer one meets them there.
   */
  static final int MAX_HEAD_BYTES = 4096;

  /** What {@link #scan} answers for a head it leaves to the decoder. */
  static final Object DECODE = new Object();

  /** The hop-by-hop names that ProxyHeaders drops from decoded answers, by their length, for the scan. */
  private static final String[][] HOP_BY_HOP_BY_LENGTH = ProxyHeaders.byLength(ProxyHeaders.hopByHopNames());
  private static final boolean[] TOKEN = new boolean[256];
  private static final boolean[] VALUE = new boolean[256];

  static {
    for (int c = '0'; c <= '9'; c++) {
      TOKEN[c] = true;
    }
    for (int c = 'a'; c <= 'z'; c++) {
      TOKEN[c] = true;
      TOKEN[c - 'a' + 'A'] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TOKEN[c] = true;
    }
    VALUE['\t'] = true;
    for (int c = 0x20; c < 0x7f; c++) {
      VALUE[c] = true;
    }
    for (int c = 0x80; c < 0x100; c++) {
      VALUE[c] = true; // obs-text
    }
  }

  private RawHeadScanner() {
  }

  /**
   * Reads the head at the start of {@code in}. On success the head's bytes are consumed and
   * returned as a {@link RawHead} holding a retained slice of them; otherwise nothing is consumed.
   *
   * @param headRequest the answer is to HEAD: it has no body whatever it says (RFC 9110 §9.3.2)
   * @return the head; null when more bytes are needed to tell; {@link #DECODE} for a head left to
   *     the decoder
   */
  static Object scan(ByteBuf in, boolean headRequest) {
    int start = in.readerIndex();
    int available = in.writerIndex();
    int limit = Math.min(available, start + MAX_HEAD_BYTES);
    int lf = in.indexOf(start, limit, (byte) '\n');
    if (lf < 0) {
      return limit < available || available - start >= MAX_HEAD_BYTES ? DECODE : null;
    }
    int status = statusLine(in, start, lf);
    if (status < 0) {
      return DECODE;
    }
    boolean http11 = in.getByte(start + 7) == '1';
    boolean close = false;
    boolean keepAliveAsked = false;
    long length = -1;
    int[] dropped = null;
    int droppedCount = 0;
    int line = lf + 1;
    while (true) {
      lf = in.indexOf(line, limit, (byte) '\n');
      if (lf < 0) {
        return limit < available || available - start >= MAX_HEAD_BYTES ? DECODE : null;
      }
      int cr = lf - 1;
      if (cr < line || in.getByte(cr) != '\r') {
        return DECODE; // a bare LF
      }
      if (cr == line) {
        break; // the blank line: the head is whole
      }
      int colon = name(in, line, cr);
      if (colon < 0 || !value(in, colon + 1, cr)) {
        return DECODE;
      }
      int valueStart = skipSpaces(in, colon + 1, cr);
      int valueEnd = trimSpaces(in, valueStart, cr);
      int nameLength = colon - line;
      boolean drop = false;
      if (named(in, line, nameLength, "content-length")) {
        if (length >= 0 || (length = digits(in, valueStart, valueEnd)) < 0) {
          return DECODE; // a second Content-Length, or one that is no number
        }
      } else if (named(in, line, nameLength, "transfer-encoding")) {
        return DECODE;
      } else if (named(in, line, nameLength, "connection")) {
        int tokens = connectionTokens(in, valueStart, valueEnd);
        if (tokens < 0) {
          return DECODE; // names fields to drop: the decoded path drops them
        }
        close |= (tokens & CLOSE) != 0;
        keepAliveAsked |= (tokens & KEEP_ALIVE) != 0;
        drop = true;
      } else {
        drop = hopByHop(in, line, nameLength);
      }
      if (drop) {
        if (dropped == null) {
          dropped = new int[4];
        } else if (droppedCount == dropped.length) {
          dropped = java.util.Arrays.copyOf(dropped, droppedCount * 2);
        }
        dropped[droppedCount++] = line - start;
        dropped[droppedCount++] = lf + 1 - start;
      }
      line = lf + 1;
    }
    boolean bodiless = headRequest || status == 204 || status == 304;
    if (!bodiless && length < 0) {
      return DECODE; // framed by the close of the connection
    }
    int headLength = line - start; // up to the blank line
    ByteBuf head = in.retainedSlice(start, headLength);
    in.readerIndex(line + 2);
    boolean keepAlive = !close && (http11 || keepAliveAsked);
    return new RawHead(head, status, keepAlive, bodiless ? 0 : length, dropped, droppedCount);
  }

  /** The status of a status line {@code HTTP/1.x NNN reason CRLF} ({@code lf}: its LF), or -1. */
  private static int statusLine(ByteBuf in, int start, int lf) {
    int cr = lf - 1;
    if (cr - start < 12 || in.getByte(cr) != '\r' || in.getInt(start) != 0x48545450 // "HTTP"
        || in.getShort(start + 4) != 0x2f31 || in.getByte(start + 6) != '.' // "/1" "."
        || (in.getByte(start + 7) != '0' && in.getByte(start + 7) != '1') || in.getByte(start + 8) != ' ') {
      return -1;
    }
    int status = 0;
    for (int i = start + 9; i < start + 12; i++) {
      byte b = in.getByte(i);
      if (b < '0' || b > '9') {
        return -1;
      }
      status = status * 10 + b - '0';
    }
    if (status < 200 || status > 599) {
      return -1; // interim answers, 101 and odd codes go the decoded way
    }
    if (cr > start + 12 && (in.getByte(start + 12) != ' ' || !value(in, start + 13, cr))) {
      return -1;
    }
    return status;
  }

  /** Goes on over token characters (one bounds check per run, not per byte). */
  private static final ByteProcessor IN_TOKEN = b -> TOKEN[b & 0xff];
  private static final ByteProcessor IN_VALUE = b -> VALUE[b & 0xff];

  /** The colon after a header line's name of token characters, or -1. */
  private static int name(ByteBuf in, int from, int end) {
    int stop = in.forEachByte(from, end - from, IN_TOKEN);
    // whitespace before the colon, obs-fold, a control character, no colon, no name: -1
    return stop > from && in.getByte(stop) == ':' ? stop : -1;
  }

  private static boolean value(ByteBuf in, int from, int end) {
    return from >= end || in.forEachByte(from, end - from, IN_VALUE) < 0;
  }

  private static int skipSpaces(ByteBuf in, int from, int end) {
    while (from < end && isSpace(in.getByte(from))) {
      from++;
    }
    return from;
  }

  private static int trimSpaces(ByteBuf in, int from, int end) {
    while (end > from && isSpace(in.getByte(end - 1))) {
      end--;
    }
    return end;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t';
  }

  /** Whether the {@code name.length()} bytes at {@code from} are {@code name} (lower case) in any case. */
  /** Whether the name of {@code length} bytes at {@code from} is one of {@link ProxyHeaders#hopByHopNames}. */
  private static boolean hopByHop(ByteBuf in, int from, int length) {
    if (length >= HOP_BY_HOP_BY_LENGTH.length) {
      return false;
    }
    for (String name : HOP_BY_HOP_BY_LENGTH[length]) {
      if (named(in, from, name)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the name of {@code length} bytes at {@code from} is {@code name} (lower case), case-insensitively. */
  private static boolean named(ByteBuf in, int from, int length, String name) {
    return length == name.length() && named(in, from, name);
  }

  private static boolean named(ByteBuf in, int from, String name) {
    for (int i = 0; i < name.length(); i++) {
      int b = in.getByte(from + i);
      if (b >= 'A' && b <= 'Z') {
        b += 'a' - 'A';
      }
      if (b != name.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** A Content-Length of 1 to 18 digits, or -1. */
  private static long digits(ByteBuf in, int from, int end) {
    if (end == from || end - from > 18) {
      return -1;
    }
    long value = 0;
    for (int i = from; i < end; i++) {
      byte b = in.getByte(i);
      if (b < '0' || b > '9') {
        return -1;
      }
      value = value * 10 + b - '0';
    }
    return value;
  }

  private static final int CLOSE = 1;
  private static final int KEEP_ALIVE = 2;

  /**
   * The Connection header's options: {@link #CLOSE} and {@link #KEEP_ALIVE} bits; -1 when it names
   * anything else (a field that must be dropped with it).
   */
  private static int connectionTokens(ByteBuf in, int from, int end) {
    int found = 0;
    int token = from;
    for (int i = from; i <= end; i++) {
      if (i == end || in.getByte(i) == ',') {
        int s = skipSpaces(in, token, i);
        int e = trimSpaces(in, s, i);
        if (e - s == 5 && named(in, s, "close")) {
          found |= CLOSE;
        } else if (e - s == 10 && named(in, s, "keep-alive")) {
          found |= KEEP_ALIVE;
        } else if (e > s) {
          return -1;
        }
        token = i + 1;
      }
    }
    return found;
  }
}
