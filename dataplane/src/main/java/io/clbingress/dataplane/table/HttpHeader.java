package io.clbingress.dataplane.table;

import java.util.Objects;

/**
 * A header field (Gateway API's HTTPHeader).
 *
 * @param name an RFC 9110 §5.6.2 token, any case
 * @param value visible characters, spaces and tabs inside; no CR, LF or other control character
 * @throws IllegalArgumentException for a name that is not a token or a value that could split or
 *     end the head
 */
public record HttpHeader(String name, String value) {

  public HttpHeader {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (!TableText.token(name)) {
      throw new IllegalArgumentException("header name \"" + TableText.printable(name) + "\" is not a token");
    }
    if (!TableText.headerValue(value)) {
      throw new IllegalArgumentException("header " + name + " value \"" + TableText.printable(value)
          + "\" has control characters or leading or trailing white space");
    }
  }
}
