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
 * WebSocket and TCP tunnels never reach this: they carry no HTTP answer body. The same rules, with
 * Brotli's own length and types ({@code --brotli-min-length}, {@code --brotli-types}), decide
 * which answers are compressed with Brotli ({@code --enable-brotli}).
 */
public final class GzipPolicy {

  /** A weight, RFC 9110 §12.4.2: {@code qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )}. */
  private static final java.util.regex.Pattern WEIGHT = java.util.regex.Pattern.compile("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?");

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
   * accepts gzip with a weight above 0 ({@link #weight} of {@code gzip} or {@code x-gzip}).
   */
  public static boolean accepts(String acceptEncoding) {
    return weight(acceptEncoding, "gzip", "x-gzip") > 0;
  }

  /**
   * The weight an {@code Accept-Encoding} value (its lines joined with commas; null when absent)
   * gives a content coding, in thousandths (0-1000), by RFC 9110 §12.5.3: the coding named
   * explicitly (or by its alias, {@code x-gzip} for gzip, §8.4.1.3) decides; else {@code *}
   * does; else 0. No weight is 1000; a malformed weight is 0 (the coding is not taken on a
   * doubt); named twice, the higher weight counts.
   *
   * @param alias another name of the coding, or null
   */
  public static int weight(String acceptEncoding, String coding, String alias) {
    if (acceptEncoding == null || acceptEncoding.isEmpty()) {
      return 0;
    }
    int named = -1;
    int wildcard = -1;
    int length = acceptEncoding.length();
    int start = 0;
    while (start < length) {
      int comma = acceptEncoding.indexOf(',', start);
      int end = comma < 0 ? length : comma;
      int semicolon = acceptEncoding.indexOf(';', start);
      int codingEnd = semicolon >= 0 && semicolon < end ? semicolon : end;
      String name = acceptEncoding.substring(start, codingEnd).trim();
      int weight = codingEnd == end ? 1000 : weight(acceptEncoding, codingEnd + 1, end);
      if (name.equalsIgnoreCase(coding) || alias != null && name.equalsIgnoreCase(alias)) {
        named = Math.max(named, weight);
      } else if (name.equals("*")) {
        wildcard = Math.max(wildcard, weight);
      }
      start = end + 1;
    }
    return named >= 0 ? named : Math.max(wildcard, 0);
  }

  /**
   * The weight among a coding's parameters ({@code q=0.5} is 500), RFC 9110 §12.4.2: 1000 when
   * none is given; 0 for a malformed one.
   */
  private static int weight(String text, int from, int to) {
    for (String parameter : text.substring(from, to).split(";")) {
      String trimmed = parameter.trim();
      if (trimmed.length() >= 2 && (trimmed.charAt(0) == 'q' || trimmed.charAt(0) == 'Q') && trimmed.charAt(1) == '=') {
        String weight = trimmed.substring(2).trim();
        if (!WEIGHT.matcher(weight).matches()) {
          return 0;
        }
        int thousandths = (weight.charAt(0) - '0') * 1000;
        for (int i = 2, scale = 100; i < weight.length(); i++, scale /= 10) {
          thousandths += (weight.charAt(i) - '0') * scale;
        }
        return thousandths;
      }
    }
    return 1000;
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
