package io.clbingress.dataplane.table;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * Compiles the table's regular expressions (RE2 syntax) with one kind of error. RE2 matches in time
 * linear in the input, times the size of the compiled pattern; the size is bounded here, so that
 * no pattern (which an Ingress author writes) makes each request (whose path or header a client
 * writes) cost much: a pattern whose {@link #size} is above {@link #MAX_SIZE} is refused.
 */
public final class Re2 {

  /** The largest {@link #size}: far above any path pattern in use, far below {@code (.*){1000}x}. */
  static final long MAX_SIZE = 1_000;

  private Re2() {
  }

  /**
   * An estimate of a pattern's compiled size: its characters (a character class or an escape
   * counts one), each {@code *}, {@code +} and {@code ?} one more, a group the size of what it
   * holds, and a counted repetition ({@code {n}}, {@code {n,}}, {@code {n,m}}) multiplying what it
   * repeats by its larger number. {@code (.*){1000}x} is 2,001; {@code /api/v[0-9]{1,3}} is 10; a
   * UUID pattern {@code [0-9a-f]{8}-[0-9a-f]{4}-...-[0-9a-f]{12}} is 36.
   */
  static long size(String pattern) {
    java.util.ArrayDeque<long[]> groups = new java.util.ArrayDeque<>();
    long sum = 0;
    long last = 0;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\') {
        i = i + 1 < pattern.length() && "pPx".indexOf(pattern.charAt(i + 1)) >= 0 && i + 2 < pattern.length()
            && pattern.charAt(i + 2) == '{' ? Math.max(i + 1, pattern.indexOf('}', i)) : i + 1;
        last = 1;
        sum += 1;
      } else if (c == '[') {
        int end = i + 1;
        if (end < pattern.length() && pattern.charAt(end) == '^') {
          end++;
        }
        if (end < pattern.length() && pattern.charAt(end) == ']') {
          end++;
        }
        while (end < pattern.length() && pattern.charAt(end) != ']') {
          end += pattern.charAt(end) == '\\' ? 2 : 1;
        }
        i = end;
        last = 1;
        sum += 1;
      } else if (c == '(') {
        groups.push(new long[] {sum});
        sum = 0;
        last = 0;
      } else if (c == ')' && !groups.isEmpty()) {
        last = sum;
        sum = groups.pop()[0] + last;
      } else if (c == '{' && COUNT.matcher(pattern).region(i, pattern.length()).lookingAt()) {
        java.util.regex.Matcher count = COUNT.matcher(pattern).region(i, pattern.length());
        count.lookingAt();
        long n = Long.parseLong(count.group(count.group(2) != null ? 2 : 1));
        long repeated = Math.min(Long.MAX_VALUE / 4, last * Math.max(1, n));
        sum = Math.min(Long.MAX_VALUE / 4, sum - last + repeated);
        last = repeated;
        i = count.end() - 1;
      } else if (c == '*' || c == '+' || c == '?') {
        sum += 1;
        last += 1;
      } else {
        last = 1;
        sum += 1;
      }
    }
    while (!groups.isEmpty()) {
      sum += groups.pop()[0];
    }
    return sum;
  }

  private static final java.util.regex.Pattern COUNT = java.util.regex.Pattern.compile("\\{(\\d{1,6})(?:,(\\d{1,6})?)?\\}");

  /**
   * Why a pattern cannot be a table's (an RE2 syntax error, or too large to match in bounded
   * time), or null when it can: what translation checks before it builds a table.
   */
  public static String problem(String pattern) {
    long size = size(pattern);
    if (size > MAX_SIZE) {
      return "too large to match in bounded time (its size, repetitions expanded, is " + size + "; at most "
          + MAX_SIZE + ")";
    }
    try {
      Pattern.compile(pattern);
      return null;
    } catch (PatternSyntaxException e) {
      return e.getDescription();
    }
  }

  /**
   * @param what what the pattern is, for the message ({@code "path pattern"})
   * @throws IllegalArgumentException naming {@code what} and {@link #problem} when there is one
   */
  static Pattern compile(String what, String pattern) {
    String problem = problem(pattern);
    if (problem != null) {
      throw new IllegalArgumentException(what + " " + TableText.printable(pattern) + " is not a usable regular"
          + " expression: " + problem);
    }
    return Pattern.compile(pattern);
  }
}
