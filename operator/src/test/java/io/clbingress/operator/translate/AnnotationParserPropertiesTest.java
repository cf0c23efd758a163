package io.clbingress.operator.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Properties of the duration parser behind every timeout annotation and CLBListener duration
 * field: any text gets an answer (a value or a reason naming the text), never an exception, and
 * exactly the documented spellings are accepted, converted and range-checked. Inputs come from a
 * fixed seed, so a failure names its input and repeats.
 */
class AnnotationParserPropertiesTest {

  private static final AnnotationSpec SPEC = AnnotationSpec.PROXY_READ_TIMEOUT;
  private static final List<String> PIECES = List.of("1", "0", "9", "60", "3600", "s", "m", "h", "ms", " ", "-", "+",
      ".", "5", "1e3", "\t", "\u0661", "99999999999", "S", "x", "");

  @Test
  void anyTextGetsAValueInRangeOrAReasonNamingIt() {
    Random random = new Random(1);
    for (int i = 0; i < 20_000; i++) {
      String text = i % 2 == 0 ? pieces(random) : randomChars(random);
      AnnotationValue<Long> value = AnnotationParser.parseSeconds("k", text, SPEC);
      if (value instanceof AnnotationValue.Valid<Long> valid) {
        assertThat(text.trim()).as(text).matches("\\d{1,9}[smh]?");
        assertThat(valid.value()).as(text).isBetween(SPEC.min(), SPEC.max());
      } else {
        assertThat(value).as(text).isInstanceOf(AnnotationValue.Invalid.class);
        assertThat(((AnnotationValue.Invalid<Long>) value).reason()).contains("\"" + text + "\"");
      }
    }
  }

  @Test
  void documentedSpellingsConvertToSeconds() {
    for (int amount = 0; amount <= 5000; amount++) {
      for (String unit : List.of("", "s", "m", "h")) {
        long seconds = amount * switch (unit) {
          case "m" -> 60L;
          case "h" -> 3600L;
          default -> 1L;
        };
        AnnotationValue<Long> value = AnnotationParser.parseSeconds("k", " " + amount + unit + " ", SPEC);
        boolean inRange = seconds >= SPEC.min() && seconds <= SPEC.max();
        assertThat(value instanceof AnnotationValue.Valid<Long> valid && valid.value() == seconds)
            .as("%d%s", amount, unit).isEqualTo(inRange);
      }
    }
  }

  private static String pieces(Random random) {
    StringBuilder text = new StringBuilder();
    for (int n = random.nextInt(6); n > 0; n--) {
      text.append(PIECES.get(random.nextInt(PIECES.size())));
    }
    return text.toString();
  }

  private static String randomChars(Random random) {
    StringBuilder text = new StringBuilder();
    for (int n = random.nextInt(13); n > 0; n--) {
      text.append((char) random.nextInt(0x20, 0x250));
    }
    return text.toString();
  }
}
