package io.clbingress.dataplane.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link BasicCredentials#parse} with well-formed and hostile {@code Authorization} values (RFC 7617). */
class BasicCredentialsTest {

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theUserEndsAtTheFirstColonAndThePasswordMayHoldMore() {
    assertThat(BasicCredentials.parse("Basic " + base64("alice:pa:ss:word")))
        .isEqualTo(new BasicCredentials("alice", "pa:ss:word"));
    // RFC 7617 §2's example
    assertThat(BasicCredentials.parse("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="))
        .isEqualTo(new BasicCredentials("Aladdin", "open sesame"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"basic", "BASIC", "bAsIc"})
  void theSchemeIsCaseInsensitive(String scheme) {
    assertThat(BasicCredentials.parse(scheme + " " + base64("u:p"))).isEqualTo(new BasicCredentials("u", "p"));
  }

  @Test
  void emptyUserAndEmptyPasswordAreCredentials() {
    assertThat(BasicCredentials.parse("Basic " + base64(":"))).isEqualTo(new BasicCredentials("", ""));
    assertThat(BasicCredentials.parse("Basic " + base64("u:"))).isEqualTo(new BasicCredentials("u", ""));
  }

  @Test
  void utf8IsDecodedAsRfc7617Says() {
    assertThat(BasicCredentials.parse("Basic " + base64("zoë:pässwörd-日本")))
        .isEqualTo(new BasicCredentials("zoë", "pässwörd-日本"));
  }

  @Test
  void paddingMayBeLeftOutAndSpacesAroundAreIgnored() {
    String padded = base64("ab:c");   // "YWI6Yw=="
    assertThat(padded).endsWith("==");
    assertThat(BasicCredentials.parse("Basic " + padded.replace("=", ""))).isEqualTo(new BasicCredentials("ab", "c"));
    assertThat(BasicCredentials.parse("  Basic    " + padded + " \t")).isEqualTo(new BasicCredentials("ab", "c"));
  }

  @Test
  void nonUtf8BytesAreRefused() {
    byte[] latin1 = "zo\u00eb:pw".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(BasicCredentials.parse("Basic " + Base64.getEncoder().encodeToString(latin1))).isNull();
    byte[] overlong = {'u', ':', (byte) 0xC0, (byte) 0xAF};
    assertThat(BasicCredentials.parse("Basic " + Base64.getEncoder().encodeToString(overlong))).isNull();
  }

  @Test
  void controlCharactersAreRefused() {
    assertThat(BasicCredentials.parse("Basic " + base64("u:p\u0000"))).isNull();
    assertThat(BasicCredentials.parse("Basic " + base64("u\r\n:p"))).isNull();
    assertThat(BasicCredentials.parse("Basic " + base64("u:p\u007f"))).isNull();
    assertThat(BasicCredentials.parse("Basic " + base64("u:p\u0085"))).isNull();
  }

  @Test
  void hugeValuesAreRefused() {
    String justUnder = base64("u:" + "p".repeat(BasicCredentials.MAX_ENCODED / 4 * 3 - 2));
    assertThat(justUnder).hasSize(BasicCredentials.MAX_ENCODED);
    assertThat(BasicCredentials.parse("Basic " + justUnder)).isNotNull();
    assertThat(BasicCredentials.parse("Basic " + base64("u:" + "p".repeat(BasicCredentials.MAX_ENCODED)))).isNull();
    assertThat(BasicCredentials.parse("Basic " + "A".repeat(10_000_000))).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "Basic", "Basic ", "Basic  ", "Basic=", "BasicdTpw", "Basic\tdTpw",
      "Bearer dTpw", "Digest username=\"u\"", "Basi dTpw", "Basic dTpw dTpw", "Basic dTpw,", "Basic d*pw",
      "Basic dTpw===", "Basic =dTpw", "Basic dT=pw", "Basic dTpwd", "Basic dXNlcg==", "Basic dXNlcg",
      "Basic ====", "Basic dTpw\u0000", "Basic \u00e9Tpw", "Basic dT-w", "Basic dT_w"})
  void malformedValuesAreNull(String value) {
    // "dTpw" is "u:p"; "dXNlcg" is "user" without a colon; "dTpwd" leaves one character over
    assertThat(BasicCredentials.parse(value)).as("[%s]", value).isNull();
  }

  @Test
  void nullIsNull() {
    assertThat(BasicCredentials.parse(null)).isNull();
  }

  @Test
  void thePasswordIsNeverPrinted() {
    assertThat(new BasicCredentials("alice", "hunter2").toString()).contains("alice").doesNotContain("hunter2");
  }
}
