package io.clbingress.dataplane.proxy;

import java.util.ArrayList;
import java.util.List;

/**
 * The request path that routing matches and the backend receives: one spelling per resource, so
 * that no spelling reaches a route other than the one its resource belongs to.
 *
 * <p>Policy (the same as Envoy's {@code normalize_path} with {@code merge_slashes}, and nginx's
 * location matching with its default {@code merge_slashes on}):
 * <ul>
 *   <li>Percent-encoded unreserved characters ({@code ALPHA DIGIT - . _ ~}) are decoded and other
 *       percent-encodings get upper-case hex digits (RFC 3986 §6.2.2.1, §6.2.2.2): {@code %2e} is a dot.
 *   <li>Dot segments are removed (RFC 3986 §5.2.4): {@code /a/b/../c} is {@code /a/c}; {@code ..}
 *       above the root stays at the root.
 *   <li>Runs of slashes become one ({@code //a///b} is {@code /a/b}), unless built without merging.
 *   <li>Encoded slashes and backslashes ({@code %2F}, {@code %5C}) stay encoded: they are data
 *       within a segment, not separators. A path that would hold a dot segment if they (or a raw
 *       backslash) were taken as separators is refused, since a backend that decodes them first
 *       would resolve it to another route's path ({@code /a/..%2Fadmin}).
 *   <li>Refused as malformed: a {@code %} not followed by two hex digits, {@code %00}, and control
 *       characters (RFC 3986 §2.1, §3.3; nginx answers 400 to the same).
 * </ul>
 * The query is not touched. A target that is not a path ({@code *}) is returned as it is.
 */
final class RequestPath {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private RequestPath() {
  }

  /**
   * The normalised path, the very same string when nothing needed changing (the usual case costs
   * one scan and no allocation), or null when the path must be refused with 400.
   *
   * @param path the raw path of the request target, without the query
   * @param mergeSlashes whether runs of slashes become one
   */
  static String normalize(String path, boolean mergeSlashes) {
    if (path.isEmpty() || path.charAt(0) != '/') {
      return path;
    }
    boolean work = false;
    char previous = 0;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return null;
      }
      if (c == '%' || c == '\\' || (previous == '/' && (c == '.' || (c == '/' && mergeSlashes)))) {
        work = true;
      }
      previous = c;
    }
    if (!work) {
      return path;
    }
    String decoded = decodeUnreserved(path);
    if (decoded == null) {
      return null;
    }
    String resolved = removeDotSegments(decoded, mergeSlashes);
    return hidesDotSegment(resolved) ? null : resolved;
  }

  /** Unreserved characters decoded, other escapes upper-cased; null for a malformed escape or NUL. */
  private static String decodeUnreserved(String path) {
    if (path.indexOf('%') < 0) {
      return path;
    }
    StringBuilder out = new StringBuilder(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c != '%') {
        out.append(c);
        continue;
      }
      int high = i + 1 < path.length() ? Character.digit(path.charAt(i + 1), 16) : -1;
      int low = i + 2 < path.length() ? Character.digit(path.charAt(i + 2), 16) : -1;
      if (high < 0 || low < 0) {
        return null;
      }
      int octet = high << 4 | low;
      if (octet == 0) {
        return null;
      }
      if (isUnreserved(octet)) {
        out.append((char) octet);
      } else {
        out.append('%').append(HEX[high]).append(HEX[low]);
      }
      i += 2;
    }
    return out.toString();
  }

  private static boolean isUnreserved(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }

  /** Whether taking %2F, %5C and \ as separators too would reveal a dot segment in a resolved path. */
  private static boolean hidesDotSegment(String decoded) {
    if (decoded.indexOf('\\') < 0 && !decoded.contains("%2F") && !decoded.contains("%5C")) {
      return false;
    }
    String separated = decoded.replace("%2F", "/").replace("%5C", "/").replace('\\', '/');
    for (String segment : separated.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        return true;
      }
    }
    return false;
  }

  /** RFC 3986 §5.2.4 on an absolute path, with empty segments dropped when merging. */
  private static String removeDotSegments(String path, boolean mergeSlashes) {
    List<String> output = new ArrayList<>();
    int start = 1;
    while (start <= path.length()) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = path.length();
      }
      String segment = path.substring(start, end);
      boolean last = end == path.length();
      if (segment.equals("..")) {
        if (!output.isEmpty()) {
          output.remove(output.size() - 1);
        }
      }
      boolean dot = segment.equals(".") || segment.equals("..");
      if (dot || (segment.isEmpty() && mergeSlashes)) {
        if (last) {
          output.add(""); // "/a/b/.." is "/a/", "/a//" is "/a/"
        }
      } else {
        output.add(segment);
      }
      start = end + 1;
    }
    return "/" + String.join("/", output);
  }
}
