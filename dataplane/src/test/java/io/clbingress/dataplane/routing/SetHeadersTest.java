package io.clbingress.dataplane.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.HttpHeader;
import java.util.List;
import org.junit.jupiter.api.Test;

class SetHeadersTest {

  @Test
  void theBackendGetsTheLastOfEachNameInTheFiltersOrderAndNeverExpect() {
    SetHeaders headers = SetHeaders.of(List.of(new HttpHeader("X-Team", "a"), new HttpHeader("Expect", "100-continue"),
        new HttpHeader("X-Env", "prod"), new HttpHeader("x-team", "b")));

    assertThat(headers.lines()).containsExactly(new HttpHeader("X-Env", "prod"), new HttpHeader("x-team", "b"));
    assertThat(headers.inOrder()).hasSize(4);
    assertThat(headers.sets("X-TEAM")).isTrue();
    assertThat(headers.sets(io.netty.util.AsciiString.of("expect"))).isTrue();
    assertThat(headers.sets("x-other")).isFalse();
  }

  @Test
  void equalWhenTheyAreTheSameHeadersInTheSameOrder() {
    List<HttpHeader> headers = List.of(new HttpHeader("X-Team", "a"), new HttpHeader("X-Env", "prod"));
    assertThat(SetHeaders.of(headers)).isEqualTo(SetHeaders.of(List.copyOf(headers)))
        .hasSameHashCodeAs(SetHeaders.of(List.copyOf(headers)))
        .isNotEqualTo(SetHeaders.of(List.of(headers.get(1), headers.get(0))));
  }

  @Test
  void aRouteThatSetsNothingSetsNoName() {
    assertThat(SetHeaders.of(List.of())).isSameAs(SetHeaders.NONE);
    assertThat(SetHeaders.NONE.sets("host")).isFalse();
    assertThat(SetHeaders.NONE.lines()).isEmpty();
  }

  /** A lookup by Netty's AsciiString (the request's names) answers as one by String, in any case. */
  @Test
  void aNameIsFoundInAnyCaseAndAsAnyCharSequence() {
    SetHeaders headers = SetHeaders.of(List.of(new HttpHeader("X-Team", "a"), new HttpHeader("x-team-id", "b"),
        new HttpHeader("Authorization", "c")));
    for (String name : List.of("x-team", "X-TEAM", "X-Team-Id", "AUTHORIZATION", "authorization")) {
      assertThat(headers.sets(name)).as(name).isTrue();
      assertThat(headers.sets(io.netty.util.AsciiString.of(name))).as(name).isTrue();
      assertThat(headers.sets(new StringBuilder(name))).as(name).isTrue();
    }
    for (String name : List.of("x-tea", "x-teams", "x-team-i", "authorizatio", "", "x_team")) {
      assertThat(headers.sets(name)).as(name).isFalse();
      assertThat(headers.sets(io.netty.util.AsciiString.of(name))).as(name).isFalse();
    }
  }
}
