package io.clbingress.operator.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.ProxyProtocolVersion;
import io.clbingress.operator.state.BackendRef;
import io.clbingress.operator.state.ListenerInfo;
import io.clbingress.operator.state.ObjectRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code spec.proxyProtocol} and {@code spec.backendProxyProtocol} as {@link ListenerCheck} reads
 * them: values the CRD's enum lets through, one on a listener that cannot use it (reported, the
 * listener serves without it), and one that only a hand-made object could carry (the listener is
 * not programmed).
 */
class ListenerProxyProtocolTest {

  private static final ObjectRef REF = new ObjectRef("CLBListener", "apps", "edge");
  private static final Instant NOW = Instant.parse("2027-06-01T00:00:00Z");
  private static final BackendRef BACKEND = new BackendRef("redis", 6379, null);

  @Test
  void tcpListenerCarriesBothFields() {
    List<Problem> problems = new ArrayList<>();
    ListenerCheck.Accepted accepted = check("TCP", true, "v1", problems);
    assertThat(problems).isEmpty();
    assertThat(accepted.proxyProtocol()).isTrue();
    assertThat(accepted.backendProxyProtocol()).isEqualTo(ProxyProtocolVersion.V1);
  }

  @Test
  void backendHeaderOnAnHttpListenerIsReportedAndIgnored() {
    List<Problem> problems = new ArrayList<>();
    ListenerCheck.Accepted accepted = check("HTTP", null, "v2", problems);
    assertThat(accepted).isNotNull();
    assertThat(accepted.proxyProtocol()).isFalse();
    assertThat(accepted.backendProxyProtocol()).isNull();
    assertThat(problems).singleElement().satisfies(problem -> {
      assertThat(problem.object()).isEqualTo(REF);
      assertThat(problem.field()).isEqualTo("spec.backendProxyProtocol");
      assertThat(problem.reason()).contains("TCP and TCP_SSL", "ignored on HTTP");
    });
  }

  @Test
  void anUnknownVersionKeepsTheListenerOut() {
    for (String wrong : List.of("v3", "V2", "2", "", "v1 ", "\u0000")) {
      List<Problem> problems = new ArrayList<>();
      assertThat(check("TCP", false, wrong, problems)).as(wrong).isNull();
      assertThat(problems).as(wrong).singleElement().satisfies(problem -> {
        assertThat(problem.field()).isEqualTo("spec.backendProxyProtocol");
        assertThat(problem.reason()).contains("is not a PROXY protocol version (v1 or v2)", "not programmed")
            .doesNotContain("\u0000");
      });
    }
  }

  private static ListenerCheck.Accepted check(String protocol, Boolean proxyProtocol, String backendProxyProtocol,
      List<Problem> problems) {
    ListenerInfo listener = new ListenerInfo(REF, 1, NOW, 6379, protocol, null, null, null, List.of(), null,
        "TCP".equals(protocol) ? BACKEND : null, proxyProtocol, backendProxyProtocol);
    Map<Integer, ObjectRef> owners = new HashMap<>();
    return ListenerCheck.accept(listener, owners, Map.of(), NOW, problems);
  }
}
