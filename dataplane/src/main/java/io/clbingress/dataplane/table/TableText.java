package io.clbingress.dataplane.table;

/** Checks and quoting of text that a table's fields put into requests, answers, logs and Events. */
public final class TableText {

  private TableText() {
  }

  /** {@code text} with control characters escaped ({@code \\r}, {@code \\u0000}), for a message that goes to logs and Events. */
  public static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\r' -> out.append("\\r");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < ' ' || c == 0x7f) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  /** Only visible ASCII and non-ASCII letters: no space, no control character (a Location or request target may hold it). */
  public static boolean visible(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c <= ' ' || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code text} may be a header field value as sent: visible ASCII, spaces and tabs, none
   * of them leading or trailing; no CR, LF, NUL or other control character (RFC 9110 §5.5), and no
   * character outside ASCII (which the wire encoding could not carry as written).
   */
  public static boolean headerValue(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < ' ' && c != '\t') || c >= 0x7f) {
        return false;
      }
    }
    return text.isEmpty() || (text.charAt(0) > ' ' && text.charAt(text.length() - 1) > ' ');
  }

  /**
   * Whether {@code text} may be a request target's path and query as sent: visible ASCII only
   * (RFC 3986: other characters are percent-encoded), and no {@code #} (a fragment is never sent).
   */
  public static boolean requestTarget(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == '#') {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code text} is an RFC 9110 §5.6.2 token, as a header field name must be. */
  public static boolean token(String text) {
    if (text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }
}
