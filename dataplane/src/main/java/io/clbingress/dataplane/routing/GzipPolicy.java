package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.Gzip;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * A listener's {@link Gzip} compiled once per table: which answers the data plane compresses.
 * Each rule and where it comes from:
 * <ul>
 *   <li>The client asks: {@code Accept-Encoding} names {@code gzip} (or its alias {@code x-gzip},
 *       RFC 9110 §8.4.1.3) with a weight above 0, or {@code *} above 0 and gzip not named
 *       (RFC 9110 §12.5.3; as Envoy's compressor; nginx ignores {@code *}). No header, {@code identity},
 *       {@code gzip;q=0}: nothing is compressed ({@link #accepts}).
 *   <li>The answer may have a body and is whole: not 1xx, 204, 304 or 206, not to HEAD, no
 *       {@code Content-Range} (nginx compresses no partial content; Envoy neither).
 *   <li>It is not encoded already: no {@code Content-Encoding}, whatever its value (nginx).
 *   <li>Its media type, parameters left out, is {@code text/html} or one of the types; {@code *}
 *       for any. An answer without {@code Content-Type} is not compressed (nginx).
 *   <li>Its {@code Content-Length} is at least the minimum length; an answer of unknown length
 *       (chunked, or ending with the connection) is compressed (nginx's {@code gzip_min_length}).
 * </ul>
 * WebSocket and TCP tunnels never reach this: they carry no HTTP answer body.
 */
public final class GzipPolicy {

  /** A weight, RFC 9110 §12.4.2: {@code qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )}. */
  private static final java.util.regex.Pattern WEIGHT = java.util.regex.Pattern.compile("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?");
  private static final java.util.regex.Pattern ZERO = java.util.regex.Pattern.compile("0(\\.0{0,3})?");

  private final long minLength;
  private final boolean anyType;
  private final Set<String> types;

  public GzipPolicy(Gzip gzip) {
    this.minLength = gzip.minLength();
    this.anyType = gzip.types().contains("*");
    this.types = new HashSet<>(gzip.types());
    this.types.add("text/html");
  }

  /**
   * Whether an {@code Accept-Encoding} value (its lines joined with commas; null when absent)
   * accepts gzip with a weight above 0, by RFC 9110 §12.5.3: an explicit {@code gzip} or
   * {@code x-gzip} decides; else {@code *} does; else no.
   */
  public static boolean accepts(String acceptEncoding) {
    if (acceptEncoding == null || acceptEncoding.isEmpty()) {
      return false;
    }
    int named = -1; // -1 not named, 0 refused, 1 accepted
    int wildcard = -1;
    int length = acceptEncoding.length();
    int start = 0;
    while (start < length) {
      int comma = acceptEncoding.indexOf(',', start);
      int end = comma < 0 ? length : comma;
      int semicolon = acceptEncoding.indexOf(';', start);
      int codingEnd = semicolon >= 0 && semicolon < end ? semicolon : end;
      String coding = acceptEncoding.substring(start, codingEnd).trim();
      boolean positive = codingEnd == end || positiveWeight(acceptEncoding, codingEnd + 1, end);
      if (coding.equalsIgnoreCase("gzip") || coding.equalsIgnoreCase("x-gzip")) {
        named = Math.max(named, positive ? 1 : 0);
      } else if (coding.equals("*")) {
        wildcard = Math.max(wildcard, positive ? 1 : 0);
      }
      start = end + 1;
    }
    return named >= 0 ? named == 1 : wildcard == 1;
  }

  /**
   * The weight among a coding's parameters ({@code q=0.5}), RFC 9110 §12.4.2: above 0 unless it is
   * written as 0 ({@code 0}, {@code 0.0}, {@code 0.000}); a malformed weight counts as 0 (the
   * coding is not taken on a doubt).
   */
  private static boolean positiveWeight(String text, int from, int to) {
    for (String parameter : text.substring(from, to).split(";")) {
      String trimmed = parameter.trim();
      if (trimmed.length() >= 2 && (trimmed.charAt(0) == 'q' || trimmed.charAt(0) == 'Q') && trimmed.charAt(1) == '=') {
        String weight = trimmed.substring(2).trim();
        return WEIGHT.matcher(weight).matches() && !ZERO.matcher(weight).matches();
      }
    }
    return true;
  }

  /**
   * Whether an answer is compressed, the client having asked ({@link #accepts}).
   *
   * @param head the request was HEAD
   * @param status the answer's status
   * @param contentEncoding its {@code Content-Encoding}, or null
   * @param contentType its {@code Content-Type}, or null
   * @param contentLength its {@code Content-Length}, or null (unknown length)
   * @param contentRange its {@code Content-Range}, or null
   */
  public boolean compresses(boolean head, int status, String contentEncoding, String contentType,
      String contentLength, String contentRange) {
    if (head || status < 200 || status == 204 || status == 304 || status == 206 || contentRange != null
        || contentEncoding != null || contentType == null) {
      return false;
    }
    if (contentLength != null && length(contentLength) < minLength) {
      return false;
    }
    return anyType || types.contains(mediaType(contentType));
  }

  /** A {@code Content-Length} value; -1 for one that is not a number (not compressed then). */
  private static long length(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** {@code Text/HTML; charset=utf-8} is {@code text/html}. */
  static String mediaType(String contentType) {
    int semicolon = contentType.indexOf(';');
    String type = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return type.trim().toLowerCase(Locale.ROOT);
  }
}
