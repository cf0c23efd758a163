package io.clbingress.dataplane.table;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/** Compiles the table's regular expressions (RE2 syntax, linear-time matching) with one kind of error. */
final class Re2 {

  private Re2() {
  }

  /**
   * @param what what the pattern is, for the message ({@code "path pattern"})
   * @throws IllegalArgumentException naming {@code what} and the syntax error when it is not RE2
   */
  static Pattern compile(String what, String pattern) {
    try {
      return Pattern.compile(pattern);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(what + " " + TableText.printable(pattern) + " is not a valid regular expression: "
          + e.getDescription(), e);
    }
  }
}
