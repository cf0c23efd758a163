package io.clbingress.dataplane.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestIdTest {

  @Test
  void generatedIdsAre32HexDigitsAndDiffer() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = RequestId.generate();
      assertThat(id).matches("[0-9a-f]{32}");
      ids.add(id);
    }
    assertThat(ids).hasSize(1000);
  }

  @Test
  void aUsableClientIdIsKeptAsTheVeryString() {
    String sent = "abc-123_XYZ.~!";
    assertThat(RequestId.ensure(sent)).isSameAs(sent);
    String longest = "a".repeat(RequestId.MAX_LENGTH);
    assertThat(RequestId.ensure(longest)).isSameAs(longest);
  }

  @Test
  void anUnusableClientIdIsReplaced() {
    for (String sent : new String[] {null, "", "a".repeat(RequestId.MAX_LENGTH + 1), "a b", "a\tb", "a\r\nb",
        "caf\u00e9", "\u007f"}) {
      assertThat(RequestId.ensure(sent)).as(String.valueOf(sent)).matches("[0-9a-f]{32}");
    }
  }
}
