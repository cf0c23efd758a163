package io.clbingress.dataplane.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clbingress.dataplane.table.Gzip;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link GzipPolicy}'s reading of Accept-Encoding (RFC 9110 §12.5.3) and of an answer's head. */
class GzipPolicyTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      gzip                          | true
      x-gzip                        | true
      GZip ; Q=0.001                | true
      deflate, gzip;q=1.0           | true
      *                             | true
      br;q=1, *;q=0.5               | true
      gzip;q=0, *                   | false
      gzip;q=0.000                  | false
      gzip;q=1.5                    | false
      gzip;q=                       | false
      *;q=0                         | false
      identity                      | false
      br, deflate                   | false
      gzipper                       | false
      ''                            | false
      """)
  void acceptEncoding(String header, boolean accepted) {
    assertThat(GzipPolicy.accepts(header)).isEqualTo(accepted);
  }

  /** Weights in thousandths (RFC 9110 §12.4.2), for choosing between gzip and br. */
  @ParameterizedTest(name = "{0}: gzip {1}, br {2}")
  @CsvSource(delimiter = '|', textBlock = """
      gzip, deflate, br             | 1000 | 1000
      br;q=0.5, gzip;q=0.25         | 250  | 500
      br;q=0.999, gzip;q=1          | 1000 | 999
      BR;Q=0.1, *;q=0.9             | 900  | 100
      *;q=0.3                       | 300  | 300
      br;q=0, gzip                  | 1000 | 0
      br;q=2, gzip;q=0.05           | 50   | 0
      br;q=0.2, br;q=0.7            | 0    | 700
      brotli, x-gzip;q=0.4          | 400  | 0
      ''                            | 0    | 0
      """)
  void weights(String header, int gzip, int br) {
    assertThat(GzipPolicy.weight(header, "gzip", "x-gzip")).isEqualTo(gzip);
    assertThat(GzipPolicy.weight(header, "br", null)).isEqualTo(br);
  }

  @Test
  void theHeadDecides() {
    GzipPolicy policy = new GzipPolicy(new Gzip(100, List.of("application/json")));
    assertThat(policy.compresses(false, 200, null, "application/json; charset=utf-8", "100", null)).isTrue();
    assertThat(policy.compresses(false, 404, null, "TEXT/HTML", null, null)).as("text/html always").isTrue();
    assertThat(policy.compresses(false, 200, null, "application/json", "99", null)).isFalse();
    assertThat(policy.compresses(false, 200, null, "application/json", "x", null)).isFalse();
    assertThat(policy.compresses(false, 200, "identity", "application/json", null, null)).isFalse();
    assertThat(policy.compresses(false, 200, null, null, null, null)).isFalse();
    assertThat(policy.compresses(false, 200, null, "image/png", null, null)).isFalse();
    assertThat(policy.compresses(true, 200, null, "application/json", null, null)).isFalse();
    for (int status : new int[] {101, 204, 206, 304}) {
      assertThat(policy.compresses(false, status, null, "application/json", null, null)).as("" + status).isFalse();
    }
    assertThat(policy.compresses(false, 200, null, "application/json", null, "bytes 0-1/2")).isFalse();
    assertThat(new GzipPolicy(new Gzip(0, List.of("*"))).compresses(false, 200, null, "image/png", "0", null)).isTrue();
  }

  @Test
  void wrongSettingsAreRefused() {
    assertThatThrownBy(() -> new Gzip(-1, List.of("*"))).hasMessageContaining("minLength");
    assertThatThrownBy(() -> new Gzip(0, List.of())).hasMessageContaining("at least one");
    for (String wrong : List.of("text", "text/", "/html", "text/html; charset=utf-8", "a/b/c", "te xt/html")) {
      assertThatThrownBy(() -> new Gzip(0, List.of(wrong))).as(wrong).hasMessageContaining("is not a media type");
    }
    assertThat(new Gzip(0, List.of(" Text/CSS ", "text/css")).types()).containsExactly("text/css");
  }
}
