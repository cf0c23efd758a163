package io.clbingress.dataplane.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the path normaliser over generated paths made of the characters that matter
 * (slashes, dots, escapes of dots and slashes, backslashes): whatever the spelling, what is
 * routed and forwarded holds no dot segment, no run of slashes, no escape of an unreserved
 * character, and normalising again changes nothing.
 */
class RequestPathPropertiesTest {

  private static final Pattern DOT_SEGMENT = Pattern.compile("(^|/)\\.{1,2}(/|$)");
  private static final Pattern UNRESERVED_ESCAPE = Pattern.compile("%(2[dDeE]|5[fF]|7[eE]|3[0-9]|[46][1-9a-fA-F]|[57][0-9aA])");

  @Provide
  Arbitrary<String> paths() {
    Arbitrary<String> pieces = Arbitraries.of("/", "/", ".", "..", "%2e", "%2E", "%2f", "%2F", "%5c", "\\", "a", "b",
        "%41", "~", "%7e", "%", "%0", "%00", "%zz", "//", "x.y", ".well-known");
    return pieces.list().ofMinSize(0).ofMaxSize(12).map(list -> "/" + String.join("", list));
  }

  @Property(tries = 3000)
  void normalisedPathsHoldNoDotSegmentNoDoubleSlashNoUnreservedEscape(@ForAll("paths") String path) {
    String normalised = RequestPath.normalize(path, true);
    if (normalised == null) {
      return; // refused with 400: nothing is routed
    }
    assertThat(normalised).startsWith("/");
    assertThat(DOT_SEGMENT.matcher(normalised).find()).as("dot segment in %s from %s", normalised, path).isFalse();
    assertThat(normalised).as("from %s", path).doesNotContain("//");
    assertThat(UNRESERVED_ESCAPE.matcher(normalised).find()).as("unreserved escape in %s from %s", normalised, path).isFalse();
  }

  @Property(tries = 3000)
  void noDotSegmentHidesBehindEncodedOrBackSlashes(@ForAll("paths") String path) {
    String normalised = RequestPath.normalize(path, true);
    if (normalised == null) {
      return;
    }
    String separated = normalised.replace("%2F", "/").replace("%5C", "/").replace('\\', '/');
    assertThat(DOT_SEGMENT.matcher(separated).find()).as("%s from %s", normalised, path).isFalse();
  }

  @Property(tries = 3000)
  void normalisingTwiceChangesNothing(@ForAll("paths") String path) {
    String once = RequestPath.normalize(path, true);
    if (once != null) {
      assertThat(RequestPath.normalize(once, true)).isEqualTo(once);
    }
    String unmerged = RequestPath.normalize(path, false);
    if (unmerged != null) {
      assertThat(RequestPath.normalize(unmerged, false)).isEqualTo(unmerged);
    }
  }

  /** A path with nothing to normalise is the very same string (no allocation on the usual path). */
  @Property(tries = 1000)
  void plainPathsComeBackAsTheSameInstance(@ForAll("plainPaths") String path) {
    assertThat(RequestPath.normalize(path, true)).isSameAs(path);
  }

  @Provide
  Arbitrary<String> plainPaths() {
    return Arbitraries.of("api", "v1", "x.y", "a-b_c~d", "index.html").list().ofMinSize(0).ofMaxSize(6)
        .map(list -> "/" + String.join("/", list));
  }
}
