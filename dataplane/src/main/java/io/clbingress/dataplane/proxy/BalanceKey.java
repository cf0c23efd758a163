package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.RequestValues;
import io.clbingress.dataplane.table.HashKeyPart;
import java.util.List;

/** The text a cluster's consistent hash is computed over for a request ({@link io.clbingress.dataplane.table.Cluster#hashBy}). */
final class BalanceKey {

  private BalanceKey() {
  }

  /**
   * @param forwarded the path and query as forwarded, before a rewrite (nginx's {@code $request_uri})
   * @param path the normalised path ({@code $uri})
   * @param host the host the request named, any case, or null (lower-cased here only when the key uses it)
   * @param query the query as sent, or null
   */
  static String of(List<HashKeyPart> parts, String forwarded, String path, String host, String query,
      RequestValues values) {
    StringBuilder key = new StringBuilder();
    for (HashKeyPart part : parts) {
      String value = switch (part.kind()) {
        case TEXT -> part.name();
        case REMOTE_ADDR -> values.clientAddress();
        case REQUEST_URI -> forwarded;
        case URI -> path;
        case HOST -> host == null ? null : host.toLowerCase(java.util.Locale.ROOT);
        case HEADER -> values.header(part.name());
        case COOKIE -> values.cookie(part.name());
        case ARG -> argument(query, part.name());
      };
      if (value != null) {
        key.append(value);
      }
    }
    return key.toString();
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
