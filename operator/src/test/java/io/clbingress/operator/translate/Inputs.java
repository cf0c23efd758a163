package io.clbingress.operator.translate;

import java.util.List;
import java.util.Random;

/**
 * Hostile and boundary text for the property tests of user-input parsers, from a fixed seed:
 * pieces of valid values glued to signs, units, blanks, overflows, unicode digits and look-alike
 * letters, or random characters.
 */
final class Inputs {

  /** Blanks that {@link String#trim()} removes, and some it does not (NBSP, ideographic space). */
  static final List<String> BLANKS = List.of(" ", "\t", "\n", "\r", "\u000b", "\u00a0", "\u3000");
  /** Text that must never pass for its ASCII look-alike: unicode digits, fullwidth, Kelvin, long s, dotless i. */
  static final List<String> LOOK_ALIKES = List.of("\u0661", "\u0968", "\uff11", "\u212a", "\u017f", "\u0131",
      "\u0130", "\uff33", "\u00b9", "\u2070");
  static final List<String> NUMBERS = List.of("0", "1", "-1", "+1", "01", "2", "9", "10", "30", "60", "300", "3600",
      "65535", "65536", "86400", "2147483647", "2147483648", "9223372036854775807", "9223372036854775808",
      "999999999999999", "1e3", "1.5", "0x10", "");

  private final Random random;
  private final List<String> pieces;

  /** @param pieces the words of valid values, to be glued with the others */
  Inputs(long seed, List<String> pieces) {
    this.random = new Random(seed);
    this.pieces = pieces;
  }

  Random random() {
    return random;
  }

  /** Half the time glued pieces (valid ones often), half the time random characters, sometimes null. */
  String text() {
    int kind = random.nextInt(20);
    if (kind == 0) {
      return null;
    }
    return kind % 2 == 0 ? glued() : chars();
  }

  /** Up to five pieces of valid values, numbers, blanks and look-alikes. */
  String glued() {
    StringBuilder text = new StringBuilder();
    for (int n = random.nextInt(1, 6); n > 0; n--) {
      int from = random.nextInt(10);
      List<String> source = from < 5 ? pieces : from < 7 ? NUMBERS : from < 9 ? BLANKS : LOOK_ALIKES;
      text.append(source.get(random.nextInt(source.size())));
    }
    return text.toString();
  }

  /** Up to twelve characters from control characters to Latin Extended. */
  String chars() {
    StringBuilder text = new StringBuilder();
    for (int n = random.nextInt(13); n > 0; n--) {
      text.append((char) random.nextInt(0, 0x250));
    }
    return text.toString();
  }

  /** An integer near a boundary, or any, or null. */
  Integer integer(int... boundaries) {
    int kind = random.nextInt(10);
    if (kind == 0) {
      return null;
    }
    if (kind < 7) {
      return boundaries[random.nextInt(boundaries.length)] + random.nextInt(-1, 2);
    }
    return kind == 7 ? random.nextInt() : kind == 8 ? Integer.MIN_VALUE : Integer.MAX_VALUE;
  }

  /** The text with every character outside printable ASCII as a Java escape, for failure messages. */
  static String visible(String text) {
    StringBuilder out = new StringBuilder();
    text.chars().forEach(c -> out.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\u%04x", c)));
    return out.toString();
  }

  <T> T oneOf(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }
}
