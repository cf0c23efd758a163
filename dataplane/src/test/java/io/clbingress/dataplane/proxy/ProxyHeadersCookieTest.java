package io.clbingress.dataplane.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

/** Cookie fields towards an HTTP/1.1 hop: one field, cookies delimited by {@code "; "} (RFC 6265 §5.4, RFC 9113 §8.2.3). */
class ProxyHeadersCookieTest {

  @Test
  void furtherCookieFieldsAreJoinedToTheFirst() {
    MultiMap to = MultiMap.caseInsensitiveMultiMap();
    ProxyHeaders.add(to, "cookie", "a=1");
    ProxyHeaders.add(to, "x-other", "1");
    ProxyHeaders.add(to, "Cookie", "b=2");
    ProxyHeaders.add(to, "x-other", "2");
    assertThat(to.getAll("cookie")).containsExactly("a=1; b=2");
    assertThat(to.getAll("x-other")).containsExactly("1", "2");
  }
}
