package io.clbingress.dataplane.table;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * Compiles the table's regular expressions (RE2 syntax) with one kind of error. RE2 matches in time
 * linear in the input, times the size of the compiled pattern; the size is bounded here, so that
 * no pattern (which an Ingress author writes) makes each request (whose path or header a client
 * writes) cost much: a pattern whose {@link #size} is above {@link #MAX_SIZE} is refused.
 */
final class Re2 {

  /** The largest {@link #size}: room for a 500-character pattern, or {@code [0-9]{3}} many times over. */
  static final long MAX_SIZE = 5_000;

  private Re2() {
  }

  /**
   * An upper bound of a pattern's compiled size: its length, times every counted repetition's
   * count ({@code {n}}, {@code {n,}}, {@code {n,m}}: the larger number) multiplied together, as if
   * they were all nested. {@code (.*){1000}x} is 11,000; {@code /api/v[0-9]{1,3}} is 48.
   */
  static long size(String pattern) {
    long product = 1;
    java.util.regex.Matcher counts = COUNT.matcher(pattern);
    while (counts.find()) {
      long n = Long.parseLong(counts.group(counts.group(2) != null ? 2 : 1));
      product = Math.min(Long.MAX_VALUE / 2, product * Math.max(1, n));
    }
    return Math.min(Long.MAX_VALUE / 2, product * Math.max(1, pattern.length()));
  }

  private static final java.util.regex.Pattern COUNT = java.util.regex.Pattern.compile("\\{(\\d{1,6})(?:,(\\d{1,6})?)?\\}");

  /**
   * @param what what the pattern is, for the message ({@code "path pattern"})
   * @throws IllegalArgumentException naming {@code what} and the syntax error when it is not RE2,
   *     or its size when it is above {@link #MAX_SIZE}
   */
  static Pattern compile(String what, String pattern) {
    long size = size(pattern);
    if (size > MAX_SIZE) {
      throw new IllegalArgumentException(what + " " + TableText.printable(pattern) + " is too large to match in"
          + " bounded time (length times repetition counts: " + size + ", at most " + MAX_SIZE + ")");
    }
    try {
      return Pattern.compile(pattern);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(what + " " + TableText.printable(pattern) + " is not a valid regular expression: "
          + e.getDescription(), e);
    }
  }
}
