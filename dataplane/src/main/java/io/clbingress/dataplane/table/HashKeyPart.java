package io.clbingress.dataplane.table;

import java.util.ArrayList;
import java.util.List;

/**
 * One part of a template of request values: what a {@link Cluster#hashBy} hashes, and the URLs and
 * cache key of an {@link ExternalAuth}. Text, or a request value named as nginx names it
 * (ingress-nginx's {@code upstream-hash-by} and {@code auth-url} take nginx variables).
 *
 * @param kind what the part is
 * @param name the text ({@link Kind#TEXT}), the header, cookie or query argument name, else empty
 */
public record HashKeyPart(Kind kind, String name) {

  /** The nginx variables a hash key may hold. */
  public enum Kind {
    TEXT,
    /** {@code $remote_addr}: the client's address. */
    REMOTE_ADDR,
    /** {@code $request_uri}: the path and query as forwarded (before a rewrite). */
    REQUEST_URI,
    /**
     * {@code $escaped_request_uri}: {@code $request_uri} percent-encoded as a query argument's value
     * (every byte but letters, digits and {@code -._~}; the set-misc module's {@code set_escape_uri},
     * which ingress-nginx's {@code auth-signin} examples use).
     */
    ESCAPED_REQUEST_URI,
    /** {@code $scheme}: {@code http} or {@code https}, as the client came. */
    SCHEME,
    /** {@code $uri}: the normalised path. */
    URI,
    /** {@code $host}: the host the request named, lower case, without port. */
    HOST,
    /** {@code $http_NAME}: a request header, {@code _} in NAME standing for {@code -}; empty when absent. */
    HEADER,
    /** {@code $cookie_NAME}: a cookie's value; empty when absent. */
    COOKIE,
    /** {@code $arg_NAME}: a query argument's value as sent; empty when absent. */
    ARG
  }

  /**
   * The parts of a template: text and {@code $variable} or {@code ${variable}} references.
   *
   * @throws IllegalArgumentException for an empty template, a {@code $} without a name, or a
   *     variable other than those of {@link Kind}
   */
  public static List<HashKeyPart> parse(String template) {
    return parse("hash key", template);
  }

  /**
   * {@link #parse(String)}, naming the template {@code what} in its errors.
   *
   * @throws IllegalArgumentException as {@link #parse(String)}
   */
  public static List<HashKeyPart> parse(String what, String template) {
    if (template.isEmpty() || !TableText.headerValue(template)) {
      throw new IllegalArgumentException(what + " \"" + TableText.printable(template) + "\" is empty or has control"
          + " characters");
    }
    List<HashKeyPart> parts = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c != '$') {
        text.append(c);
        i++;
        continue;
      }
      boolean braced = i + 1 < template.length() && template.charAt(i + 1) == '{';
      int start = braced ? i + 2 : i + 1;
      int end = start;
      while (end < template.length() && isNameChar(template.charAt(end))) {
        end++;
      }
      if (end == start || braced && (end >= template.length() || template.charAt(end) != '}')) {
        throw new IllegalArgumentException(what + " \"" + template + "\" has a $ without a variable name");
      }
      if (!text.isEmpty()) {
        parts.add(new HashKeyPart(Kind.TEXT, text.toString()));
        text.setLength(0);
      }
      parts.add(variable(what, template, template.substring(start, end)));
      i = braced ? end + 1 : end;
    }
    if (!text.isEmpty()) {
      parts.add(new HashKeyPart(Kind.TEXT, text.toString()));
    }
    return List.copyOf(parts);
  }

  private static HashKeyPart variable(String what, String template, String name) {
    switch (name) {
      case "remote_addr":
        return new HashKeyPart(Kind.REMOTE_ADDR, "");
      case "request_uri":
        return new HashKeyPart(Kind.REQUEST_URI, "");
      case "escaped_request_uri":
        return new HashKeyPart(Kind.ESCAPED_REQUEST_URI, "");
      case "scheme":
        return new HashKeyPart(Kind.SCHEME, "");
      case "uri":
        return new HashKeyPart(Kind.URI, "");
      case "host":
        return new HashKeyPart(Kind.HOST, "");
      default:
        break;
    }
    for (Kind kind : List.of(Kind.HEADER, Kind.COOKIE, Kind.ARG)) {
      String prefix = kind == Kind.HEADER ? "http_" : kind == Kind.COOKIE ? "cookie_" : "arg_";
      if (name.startsWith(prefix) && name.length() > prefix.length()) {
        String rest = name.substring(prefix.length());
        return new HashKeyPart(kind, kind == Kind.HEADER ? rest.replace('_', '-') : rest);
      }
    }
    throw new IllegalArgumentException(what + " \"" + template + "\" names $" + name + ", not one of " + VARIABLES);
  }

  /** The variables a template may name, as its errors and the documentation list them. */
  public static final String VARIABLES = "$remote_addr, $request_uri, $escaped_request_uri, $uri, $host, $scheme,"
      + " $http_NAME, $cookie_NAME, $arg_NAME";

  private static boolean isNameChar(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
  }
}
