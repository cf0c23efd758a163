package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.RequestValues;
import io.clbingress.dataplane.table.HashKeyPart;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A template of nginx variables ({@link HashKeyPart}) filled in with one request's values: what a
 * cluster's consistent hash is computed over ({@link io.clbingress.dataplane.table.Cluster#hashBy}),
 * and an {@link io.clbingress.dataplane.table.ExternalAuth}'s URLs and cache key.
 */
final class RequestTemplate {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private RequestTemplate() {
  }

  /**
   * @param forwarded the path and query as forwarded, before a rewrite (nginx's {@code $request_uri})
   * @param path the normalised path ({@code $uri})
   * @param host the host the request named, any case, or null (lower-cased here only when the key uses it)
   * @param query the query as sent, or null
   */
  static String render(List<HashKeyPart> parts, String forwarded, String path, String host, String query,
      RequestValues values) {
    StringBuilder text = new StringBuilder();
    for (HashKeyPart part : parts) {
      String value = switch (part.kind()) {
        case TEXT -> part.name();
        case REMOTE_ADDR -> values.clientAddress();
        case REQUEST_URI -> forwarded;
        case ESCAPED_REQUEST_URI -> escape(forwarded);
        case SCHEME -> values.scheme();
        case URI -> path;
        case HOST -> host == null ? null : host.toLowerCase(Locale.ROOT);
        case HEADER -> values.header(part.name());
        case COOKIE -> values.cookie(part.name());
        case ARG -> argument(query, part.name());
      };
      if (value != null) {
        text.append(value);
      }
    }
    return text.toString();
  }

  /**
   * {@code text}'s UTF-8 bytes percent-encoded but for the unreserved characters of RFC 3986 §2.3
   * (letters, digits, {@code -._~}): a value that is safe as one query argument.
   */
  static String escape(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    StringBuilder escaped = new StringBuilder(bytes.length + 16);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
          || c == '~') {
        escaped.append((char) c);
      } else {
        escaped.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return escaped.toString();
  }

  /** A query argument's value as sent (nginx's {@code $arg_NAME}: the first one, name compared in any case), or null. */
  static String argument(String query, String name) {
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int equals = pair.indexOf('=');
      String key = equals < 0 ? pair : pair.substring(0, equals);
      if (key.equalsIgnoreCase(name)) {
        return equals < 0 ? "" : pair.substring(equals + 1);
      }
    }
    return null;
  }
}
