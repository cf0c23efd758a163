package io.clbingress.dataplane.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** What no real client of the end-to-end tests sends: hostile text in every string field, unknown facts, rounding. */
class LineFormatTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HOSTILE = "a\"b\\c\nd\re\tf\u0000g\u001fh\u007fi\u2028j\u2029k\ud83d\ude00n é";

  @Test
  void everyStringFieldIsValidJsonWithItsTextIntact() throws Exception {
    AccessRecord record = new AccessRecord(0, 0).request(HOSTILE, 1, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE,
        HOSTILE, HOSTILE).tls(HOSTILE, HOSTILE, HOSTILE);
    record.routed(HOSTILE, HOSTILE, true);
    record.end(200);
    String line = new LineFormat(AccessLogFormat.JSON).request(record);
    assertThat(line).doesNotContain("\n", "\r", "\u2028", "\u2029");
    JsonNode parsed = JSON.readTree(line);
    for (String field : new String[] {"client", "method", "host", "uri", "protocol", "route", "listener", "tls_version",
        "tls_cipher", "sni", "user_agent", "referer", "request_id"}) {
      assertThat(parsed.get(field).asText()).as(field).isEqualTo(HOSTILE);
    }
    assertThat(line).contains("\ud83d\ude00"); // a valid pair stays as it is
  }

  @Test
  void loneSurrogatesAreEscaped() {
    StringBuilder to = new StringBuilder();
    LineFormat.string(to, "a\ud800b\udc00c");
    assertThat(to.toString()).isEqualTo("\"a\\ud800b\\udc00c\"");
  }

  @Test
  void unknownFactsAreNullAndTimesAreSecondsWithMilliseconds() throws Exception {
    AccessRecord record = new AccessRecord(1_764_604_275_123L, 0);
    record.end(404);
    record.endNanos = 1_234_567_890L; // 1.234 s after the start
    JsonNode parsed = JSON.readTree(new LineFormat(AccessLogFormat.JSON).request(record));
    assertThat(parsed.get("time").asText()).isEqualTo("2025-12-01T15:51:15.123Z");
    assertThat(parsed.get("request_time").decimalValue()).isEqualByComparingTo("1.234");
    for (String field : new String[] {"client", "client_port", "upstream_addr", "upstream_connect_time",
        "upstream_header_time", "upstream_response_time", "route", "tls_version", "request_id"}) {
      assertThat(parsed.get(field).isNull()).as(field).isTrue();
    }
  }

  @Test
  void textEscapesQuotesAndBytesOutsideVisibleAscii() {
    AccessRecord record = new AccessRecord(0, 0).request("10.0.0.1", -1, "GET", "h", "/a\"b", "HTTP/1.1",
        "x\ny é", null, "id");
    record.end(200);
    String line = new LineFormat(AccessLogFormat.TEXT).request(record);
    assertThat(line).startsWith("10.0.0.1 - - [1970-01-01T00:00:00.000Z] \"GET /a\\x22b HTTP/1.1\" 200 0 \"-\" \"x\\x0ay \\xe9\"")
        .endsWith(" id").doesNotContain("\n");
  }
}
