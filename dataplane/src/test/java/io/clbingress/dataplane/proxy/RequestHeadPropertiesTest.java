package io.clbingress.dataplane.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Host check (a scan, for speed) accepts exactly what RFC 3986's grammar of host and port
 * accepts, written here as a regular expression, over generated values made of the characters
 * that matter (fixed seed: a failure names its input and repeats).
 */
class RequestHeadPropertiesTest {

  /** RFC 3986 §3.2.2 host (IP-literal, IPv4 or reg-name) and an optional port (§3.2.3). */
  private static final Pattern HOST = Pattern.compile(
      "(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9\\-._~!$&'()*+,;=%]*)(:[0-9]{0,5})?");
  private static final String ALPHABET = "aZ09-._~!$&'()*+,;=%:[]/@ \t\u00e9\u0661\u212a#?\\\"<>gG";

  @Test
  void scanAgreesWithTheGrammar() {
    Random random = new Random(7);
    for (int sample = 0; sample < 200_000; sample++) {
      StringBuilder host = new StringBuilder();
      int length = random.nextInt(14);
      for (int i = 0; i < length; i++) {
        host.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      String value = host.toString();
      assertThat(RequestHead.validHost(value)).as("host %s", value).isEqualTo(HOST.matcher(value).matches());
    }
  }

  @Test
  void typicalHostsAndTheirMistakes() {
    for (String valid : new String[] {"app.example.test", "app.example.test:80", "app.example.test:080", "[::1]:8443",
        "[2001:db8::7]", "10.0.0.1:65535", "", ":80", "xn--bcher-kva.example"}) {
      assertThat(RequestHead.validHost(valid)).as(valid).isTrue();
    }
    for (String invalid : new String[] {"app example", "app.example.test:123456", "[::1", "[]", "[::g]", "a:b",
        "app/x", "user@app", "app.example.test:8o", "b\u00fccher.example"}) {
      assertThat(RequestHead.validHost(invalid)).as(invalid).isFalse();
    }
  }
}
