package io.clbingress.dataplane.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** CIDR blocks and address literals as {@code --trusted-proxies} and X-Forwarded-For entries give them. */
class CidrTest {

  @Test
  void blocksHoldTheirAddresses() {
    assertThat(Cidr.parse("10.0.0.0/8").contains(IpAddress.parse("10.255.1.2"))).isTrue();
    assertThat(Cidr.parse("10.0.0.0/8").contains(IpAddress.parse("11.0.0.0"))).isFalse();
    assertThat(Cidr.parse("192.168.1.128/25").contains(IpAddress.parse("192.168.1.200"))).isTrue();
    assertThat(Cidr.parse("192.168.1.128/25").contains(IpAddress.parse("192.168.1.127"))).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(IpAddress.parse("203.0.113.1"))).isTrue();
    assertThat(Cidr.parse("0.0.0.0/0").contains(IpAddress.parse("2001:db8::1"))).isFalse();
    assertThat(Cidr.parse("2001:db8::/32").contains(IpAddress.parse("2001:db8:ffff::1"))).isTrue();
    assertThat(Cidr.parse("2001:db8::/32").contains(IpAddress.parse("2001:db9::1"))).isFalse();
    assertThat(Cidr.parse("127.0.0.3").contains(IpAddress.parse("127.0.0.3"))).isTrue();
    assertThat(Cidr.parse("127.0.0.3").contains(IpAddress.parse("127.0.0.4"))).isFalse();
    // a dual-stack socket reports IPv4 peers as IPv4-mapped IPv6
    assertThat(Cidr.parse("10.0.0.0/8").contains(IpAddress.parse("::ffff:10.1.2.3"))).isTrue();
  }

  @Test
  void hostBitsAreIgnoredAsNginxDoes() {
    assertThat(Cidr.parse("10.1.2.3/8")).isEqualTo(Cidr.parse("10.0.0.0/8"));
    assertThat(Cidr.parse("10.1.2.3/8").toString()).isEqualTo("10.0.0.0/8");
  }

  @Test
  void invalidBlocksAreRefusedByName() {
    for (String bad : new String[] {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0/8", "2001:db8::/129",
        "example.com", "10.0.0.0/8/8", "1.2.3.4 /8", "::1%lo", "", "0x7f.0.0.1", "10.0.0.0/0x8"}) {
      assertThatThrownBy(() -> Cidr.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(bad.trim().isEmpty() ? "\"" : bad.trim().split(" ")[0]);
    }
  }

  @Test
  void addressLiteralsWithoutNameResolution() {
    assertThat(IpAddress.format(IpAddress.parse("2001:DB8:0:0:0:0:0:1"))).isEqualTo("2001:db8::1");
    assertThat(IpAddress.format(IpAddress.parse("0:0:0:0:0:0:0:1"))).isEqualTo("::1");
    assertThat(IpAddress.format(IpAddress.parse("::"))).isEqualTo("::");
    assertThat(IpAddress.format(IpAddress.parse("1::"))).isEqualTo("1::");
    assertThat(IpAddress.format(IpAddress.parse("2001:db8:0:1:0:0:0:1"))).isEqualTo("2001:db8:0:1::1");
    assertThat(IpAddress.format(IpAddress.parse("2001:db8:0:1:1:1:1:1"))).isEqualTo("2001:db8:0:1:1:1:1:1");
    assertThat(IpAddress.format(IpAddress.parse("::ffff:1.2.3.4"))).isEqualTo("::ffff:102:304");
    assertThat(IpAddress.parse("1.2.3.4")).containsExactly(1, 2, 3, 4);
    for (String bad : new String[] {"1.2.3", "1.2.3.4.5", "256.0.0.1", "1..2.3", "a.b.c.d", ":::", "1:2:3:4:5:6:7:8:9",
        "1::2::3", "12345::", "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4", ":1", "1:", "localhost", "[::1]", "1.2.3.4 "}) {
      assertThat(IpAddress.parse(bad)).as(bad).isNull();
    }
  }
}
