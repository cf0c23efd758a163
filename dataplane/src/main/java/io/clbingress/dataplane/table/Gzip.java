package io.clbingress.dataplane.table;

import java.util.List;
import java.util.Locale;

/**
 * Compression of a listener's answers with gzip (RFC 9110 §8.4.1.3), as nginx's
 * {@code ngx_http_gzip_module} does it behind ingress-nginx's {@code use-gzip}: an answer is
 * compressed when the client asks for gzip, the answer is not encoded already, its media type is
 * one of {@code types} and it is at least {@code minLength} bytes long (or of unknown length). The
 * data plane's decisions in full: {@code io.clbingress.dataplane.routing.GzipPolicy}.
 *
 * @param minLength answers with a {@code Content-Length} under this many bytes are sent as they are
 *     (nginx's {@code gzip_min_length}); 0 or more. ingress-nginx's {@code gzip-min-length} is 256
 * @param types media types ({@code type/subtype}, no parameters, any case; stored in lower case)
 *     whose answers are compressed; {@code *} for every type (nginx's {@code gzip_types *}).
 *     {@code text/html} is always compressed, as nginx does. At least one entry
 */
public record Gzip(long minLength, List<String> types) {

  /** ingress-nginx's {@code gzip-min-length} default (256 bytes). */
  public static final long DEFAULT_MIN_LENGTH = 256;

  /** ingress-nginx's {@code gzip-types} default: its {@code gzipTypes} list. */
  public static final List<String> DEFAULT_TYPES = List.of("application/atom+xml", "application/javascript",
      "application/x-javascript", "application/json", "application/rss+xml", "application/vnd.ms-fontobject",
      "application/x-font-ttf", "application/x-web-app-manifest+json", "application/xhtml+xml", "application/xml",
      "font/opentype", "image/svg+xml", "image/x-icon", "text/css", "text/javascript", "text/plain",
      "text/x-component");

  /** ingress-nginx's defaults: 256 bytes, its list of types. */
  public static final Gzip DEFAULTS = new Gzip(DEFAULT_MIN_LENGTH, DEFAULT_TYPES);

  /** @throws IllegalArgumentException for a negative length, no type, or an entry that is not {@code type/subtype} or {@code *} */
  public Gzip {
    if (minLength < 0) {
      throw new IllegalArgumentException("gzip minLength must be 0 or more: " + minLength);
    }
    if (types == null || types.isEmpty()) {
      throw new IllegalArgumentException("gzip types must name at least one media type (or *)");
    }
    types = types.stream().map(type -> type.trim().toLowerCase(Locale.ROOT)).distinct().toList();
    for (String type : types) {
      if (!isMediaType(type)) {
        throw new IllegalArgumentException("gzip type \"" + TableText.printable(type)
            + "\" is not a media type (type/subtype, e.g. application/json) or *");
      }
    }
  }

  /**
   * {@code *}, or {@code type/subtype} of RFC 9110 §8.3.1 tokens (no parameters, no white space).
   */
  public static boolean isMediaType(String type) {
    if (type.equals("*")) {
      return true;
    }
    int slash = type.indexOf('/');
    return slash > 0 && slash < type.length() - 1 && type.indexOf('/', slash + 1) < 0
        && isToken(type, 0, slash) && isToken(type, slash + 1, type.length());
  }

  private static boolean isToken(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      boolean tchar = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!tchar) {
        return false;
      }
    }
    return true;
  }
}
