package io.clbingress.operator.translate;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Properties of the duration parser behind every timeout annotation and CLBListener duration
 * field: any text gets an answer (a value or a reason naming the text), never an exception, and
 * exactly the documented spellings are accepted, converted and range-checked.
 */
class AnnotationParserPropertiesTest {

  private static final AnnotationSpec SPEC = AnnotationSpec.PROXY_READ_TIMEOUT;

  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> pieces = Arbitraries.of("1", "0", "9", "60", "3600", "s", "m", "h", "ms", " ", "-", "+", ".", "5",
        "1e3", "\t", "١", "99999999999", "S", "x", "");
    return Arbitraries.oneOf(pieces.list().ofMaxSize(5).map(list -> String.join("", list)),
        Arbitraries.strings().ofMaxLength(12));
  }

  @Property(tries = 3000)
  void anyTextGetsAValueInRangeOrAReasonNamingIt(@ForAll("texts") String text) {
    AnnotationValue<Long> value = AnnotationParser.parseSeconds("k", text, SPEC);
    if (value instanceof AnnotationValue.Valid<Long> valid) {
      assertThat(text.trim()).matches("\\d{1,9}[smh]?");
      assertThat(valid.value()).isBetween(SPEC.min(), SPEC.max());
    } else {
      assertThat(value).isInstanceOf(AnnotationValue.Invalid.class);
      assertThat(((AnnotationValue.Invalid<Long>) value).reason()).contains("\"" + text + "\"");
    }
  }

  @Property(tries = 1000)
  void documentedSpellingsConvertToSeconds(@ForAll @IntRange(min = 0, max = 5000) int amount,
      @ForAll("units") String unit) {
    long seconds = switch (unit) {
      case "m" -> amount * 60L;
      case "h" -> amount * 3600L;
      default -> amount;
    };
    AnnotationValue<Long> value = AnnotationParser.parseSeconds("k", " " + amount + unit + " ", SPEC);
    boolean inRange = seconds >= SPEC.min() && seconds <= SPEC.max();
    assertThat(value instanceof AnnotationValue.Valid<Long> valid && valid.value() == seconds).isEqualTo(inRange);
  }

  @Provide
  Arbitrary<String> units() {
    return Arbitraries.of("", "s", "m", "h");
  }
}
