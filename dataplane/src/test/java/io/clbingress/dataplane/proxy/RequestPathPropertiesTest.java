package io.clbingress.dataplane.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Properties of the path normaliser over generated paths made of the characters that matter
 * (slashes, dots, escapes of dots and slashes, backslashes): whatever the spelling, what is
 * routed and forwarded holds no dot segment, no run of slashes, no escape of an unreserved
 * character, and normalising again changes nothing. The paths come from a fixed seed, so a
 * failure names its input and repeats.
 */
class RequestPathPropertiesTest {

  private static final Pattern DOT_SEGMENT = Pattern.compile("(^|/)\\.{1,2}(/|$)");
  private static final Pattern UNRESERVED_ESCAPE = Pattern.compile("%(2[dDeE]|5[fF]|7[eE]|3[0-9]|[46][1-9a-fA-F]|[57][0-9aA])");
  private static final List<String> PIECES = List.of("/", "/", ".", "..", "%2e", "%2E", "%2f", "%2F", "%5c", "\\", "a",
      "b", "%41", "~", "%7e", "%", "%0", "%00", "%zz", "//", "x.y", ".well-known");
  private static final int SAMPLES = 20_000;

  /** Paths of up to 12 pieces, the same ones on every run. */
  private static List<String> paths(long seed) {
    Random random = new Random(seed);
    return random.ints(SAMPLES, 0, 13).mapToObj(length -> {
      StringBuilder path = new StringBuilder("/");
      for (int i = 0; i < length; i++) {
        path.append(PIECES.get(random.nextInt(PIECES.size())));
      }
      return path.toString();
    }).toList();
  }

  @Test
  void normalisedPathsHoldNoDotSegmentNoDoubleSlashNoUnreservedEscape() {
    for (String path : paths(1)) {
      String normalised = RequestPath.normalize(path, true);
      if (normalised == null) {
        continue; // refused with 400: nothing is routed
      }
      assertThat(normalised).as(path).startsWith("/").doesNotContain("//");
      assertThat(DOT_SEGMENT.matcher(normalised).find()).as("dot segment in %s from %s", normalised, path).isFalse();
      assertThat(UNRESERVED_ESCAPE.matcher(normalised).find()).as("escape in %s from %s", normalised, path).isFalse();
    }
  }

  @Test
  void noDotSegmentHidesBehindEncodedOrBackSlashes() {
    for (String path : paths(2)) {
      String normalised = RequestPath.normalize(path, true);
      if (normalised != null) {
        String separated = normalised.replace("%2F", "/").replace("%5C", "/").replace('\\', '/');
        assertThat(DOT_SEGMENT.matcher(separated).find()).as("%s from %s", normalised, path).isFalse();
      }
    }
  }

  @Test
  void normalisingTwiceChangesNothing() {
    for (String path : paths(3)) {
      for (boolean merge : new boolean[] {true, false}) {
        String once = RequestPath.normalize(path, merge);
        if (once != null) {
          assertThat(RequestPath.normalize(once, merge)).as("%s (merge %s)", path, merge).isEqualTo(once);
        }
      }
    }
  }

  /** A path with nothing to normalise is the very same string (no allocation on the usual path). */
  @Test
  void plainPathsComeBackAsTheSameInstance() {
    Random random = new Random(4);
    List<String> segments = List.of("api", "v1", "x.y", "a-b_c~d", "index.html");
    for (int i = 0; i < 1_000; i++) {
      StringBuilder path = new StringBuilder();
      for (int n = random.nextInt(7); n > 0; n--) {
        path.append('/').append(segments.get(random.nextInt(segments.size())));
      }
      String plain = path.isEmpty() ? "/" : path.toString();
      assertThat(RequestPath.normalize(plain, true)).isSameAs(plain);
    }
  }
}
