package io.clbingress.dataplane.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link BasicAuth} as the table carries it: its JSON, its checks when read, its challenge. */
class BasicAuthTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String APR1 = "$apr1$AVjgbf1k$sYTmz0uij7N/5oqNLLp84.";

  @Test
  void jsonRoundTripKeepsRealmAndUsersInOrder() throws Exception {
    BasicAuth filter = new BasicAuth("staff", List.of(new BasicAuth.User("bob", APR1),
        new BasicAuth.User("alice", "{SHA}Ve878e5lOgwSjWid5/VhR4gReac=")));
    String json = JSON.writeValueAsString(filter);
    assertThat(json).contains("\"type\":\"BasicAuth\"");
    assertThat(JSON.readValue(json, RouteFilter.class)).isEqualTo(filter);
  }

  @Test
  void aTableWithAnUnknownHashOrATwiceListedUserIsRefusedWhenRead() {
    String unknown = "{\"type\":\"BasicAuth\",\"realm\":\"\",\"users\":[{\"name\":\"eve\",\"hash\":\"{SSHA}c2VjcmV0\"}]}";
    assertThatThrownBy(() -> JSON.readValue(unknown, RouteFilter.class)).hasMessageContaining("user eve")
        .hasMessageNotContaining("c2VjcmV0");
    String twice = "{\"type\":\"BasicAuth\",\"realm\":\"\",\"users\":[{\"name\":\"a\",\"hash\":\"pw\"},"
        + "{\"name\":\"a\",\"hash\":\"other\"}]}";
    assertThatThrownBy(() -> JSON.readValue(twice, RouteFilter.class)).hasMessageContaining("user a is listed twice");
    String none = "{\"type\":\"BasicAuth\",\"realm\":\"\",\"users\":[]}";
    assertThatThrownBy(() -> JSON.readValue(none, RouteFilter.class)).hasMessageContaining("1–10000 users");
  }

  @Test
  void theChallengeQuotesTheRealmAndNamesUtf8() {
    assertThat(new BasicAuth("", List.of(new BasicAuth.User("a", "pw"))).challenge())
        .isEqualTo("Basic realm=\"\", charset=\"UTF-8\"");
    assertThat(new BasicAuth("say \"hi\" \\ bye", List.of(new BasicAuth.User("a", "pw"))).challenge())
        .isEqualTo("Basic realm=\"say \\\"hi\\\" \\\\ bye\", charset=\"UTF-8\"");
  }

  @Test
  void aRealmWithControlOrNonAsciiCharactersOrTooLongIsRefused() {
    List<BasicAuth.User> users = List.of(new BasicAuth.User("a", "pw"));
    assertThatThrownBy(() -> new BasicAuth("a\r\nSet-Cookie: x", users)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BasicAuth("Zugang für alle", users)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BasicAuth("r".repeat(BasicAuth.MAX_REALM + 1), users))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new BasicAuth("r".repeat(BasicAuth.MAX_REALM), users).realm()).hasSize(BasicAuth.MAX_REALM);
  }
}
