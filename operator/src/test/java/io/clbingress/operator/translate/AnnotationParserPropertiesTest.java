package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.TableText;
import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.RequestRedirect;
import java.util.List;
import java.util.Map;
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
        assertThat(((AnnotationValue.Invalid<Long>) value).reason()).contains("\"" + TableText.printable(text) + "\"")
            .doesNotContain("\n").doesNotContain("\r"); // one line in logs and Events
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

  @Test
  void durationBoundaries() {
    for (String valid : List.of("1", "3600", "60m", "1h", " 600s ", "\t10m\n", "000000001")) {
      assertThat(AnnotationParser.parseSeconds("k", valid, SPEC)).as(valid).isInstanceOf(AnnotationValue.Valid.class);
    }
    for (String wrong : List.of("0", "-1", "+1", "3601", "61m", "2h", "0s", "1.5", "1e3", "1 m", "1M", "1H", "1S",
        "60ms", "1d", "", " ", "9999999999", "999999999h", "\u0661\u0660", "\uff16\uff10", "60\u00a0", "s")) {
      assertThat(AnnotationParser.parseSeconds("k", wrong, SPEC)).as(Inputs.visible(wrong))
          .isInstanceOf(AnnotationValue.Invalid.class);
    }
  }

  /**
   * Choices (backend-protocol, scheduler) and booleans (ssl-redirect): the documented words in
   * any ASCII case, with blanks around; never a word that only Unicode case folding turns into
   * one ({@code HTTP\u017f}, long s, upper-cases to HTTPS; {@code \u0131p_hash}, dotless i, to IP_HASH).
   */
  @Test
  void choicesAndBooleansAcceptTheirWordsInAnyAsciiCaseOnly() {
    Inputs in = new Inputs(3, List.of("http", "HTTP", "s", "S", "wrr", "WRR", "least", "_", "conn", "ip", "IP", "hash",
        "true", "TRUE", "false", "FaLsE", "t", "rue", "yes", "1", "0", "F"));
    for (int i = 0; i < 20_000; i++) {
      String text = in.random().nextBoolean() ? in.glued() : in.chars();
      for (AnnotationSpec spec : List.of(AnnotationSpec.BACKEND_PROTOCOL, AnnotationSpec.SCHEDULER,
          AnnotationSpec.SSL_REDIRECT)) {
        AnnotationValue<?> value = spec == AnnotationSpec.SSL_REDIRECT
            ? AnnotationParser.bool(Map.of(spec.key(), text), spec)
            : AnnotationParser.choice(Map.of(spec.key(), text), spec);
        String word = text.trim();
        // booleans also take Go's strconv.ParseBool short forms, as ingress-nginx does
        String goShort = word.matches("[tT1]") ? "true" : word.matches("[fF0]") ? "false" : null;
        boolean bool = spec == AnnotationSpec.SSL_REDIRECT;
        boolean documented = bool && goShort != null || word.matches("[A-Za-z_]+")
            && spec.choices().stream().anyMatch(choice -> choice.equalsIgnoreCase(word));
        assertThat(value instanceof AnnotationValue.Valid<?>).as("%s %s", spec.key(), Inputs.visible(text))
            .isEqualTo(documented);
        if (value instanceof AnnotationValue.Valid<?> valid) {
          assertThat(valid.value().toString()).isEqualToIgnoringCase(bool && goShort != null ? goShort : word);
        } else {
          assertThat(((AnnotationValue.Invalid<?>) value).reason()).contains("\"" + TableText.printable(text) + "\"")
            .doesNotContain("\n").doesNotContain("\r"); // one line in logs and Events
        }
      }
    }
    assertThat(AnnotationParser.choice(Map.of(AnnotationSpec.BACKEND_PROTOCOL.key(), "HTTP\u017f"),
        AnnotationSpec.BACKEND_PROTOCOL)).isInstanceOf(AnnotationValue.Invalid.class);
    assertThat(AnnotationParser.choice(Map.of(AnnotationSpec.SCHEDULER.key(), "\u0131p_hash"),
        AnnotationSpec.SCHEDULER)).isInstanceOf(AnnotationValue.Invalid.class);
  }

  /** session-persistence: 0 (off) or 30-86400 whole seconds. */
  @Test
  void secondsOrOffAcceptZeroOrTheRange() {
    Inputs in = new Inputs(4, List.of("0", "29", "30", "86400", "86401", "s"));
    AnnotationSpec spec = AnnotationSpec.SESSION_PERSISTENCE;
    for (int i = 0; i < 20_000; i++) {
      String text = in.random().nextBoolean() ? in.glued() : in.chars();
      AnnotationValue<Long> value = AnnotationParser.secondsOrOff(Map.of(spec.key(), text), spec);
      String word = text.trim();
      boolean documented = word.matches("[0-9]{1,9}")
          && (Long.parseLong(word) == 0 || Long.parseLong(word) >= 30 && Long.parseLong(word) <= 86400);
      assertThat(value instanceof AnnotationValue.Valid<Long> valid && valid.value() == Long.parseLong(word))
          .as(Inputs.visible(text)).isEqualTo(documented);
    }
  }

  /**
   * listener: one or more object names (lower-case DNS labels), comma-separated, blanks around
   * them and one trailing comma allowed; an empty item, or no name at all, is refused.
   */
  @Test
  void listenerNamesAreOneOrMoreObjectNames() {
    Inputs in = new Inputs(5, List.of("edge", "chat-wss", ",", ",", "-", "a", "A", "9", "x".repeat(63), "x".repeat(64),
        ".", "_"));
    AnnotationSpec spec = AnnotationSpec.LISTENER;
    for (int i = 0; i < 20_000; i++) {
      String text = in.random().nextBoolean() ? in.glued() : in.chars();
      AnnotationValue<List<String>> value = AnnotationParser.names(Map.of(spec.key(), text), spec);
      List<String> expected = names(text);
      assertThat(value instanceof AnnotationValue.Valid<List<String>> valid ? valid.value() : null)
          .as(Inputs.visible(text)).isEqualTo(expected);
    }
    for (String wrong : List.of("", " ", ",", "edge,,chat", ",edge", "Edge", "edge_1", "-edge")) {
      assertThat(AnnotationParser.names(Map.of(spec.key(), wrong), spec)).as(wrong)
          .isInstanceOf(AnnotationValue.Invalid.class);
    }
  }

  private static List<String> names(String text) {
    String[] items = text.split(",", -1);
    int count = items.length > 1 && items[items.length - 1].trim().isEmpty() ? items.length - 1 : items.length;
    List<String> names = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name = items[i].trim();
      if (!name.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
        return null;
      }
      names.add(name);
    }
    return names;
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
