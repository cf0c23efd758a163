package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.SourceRanges;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * A route's {@link SourceRanges} compiled into Netty's subnet rules ({@link IpSubnetFilterRule}):
 * whether a client address is served.
 */
public final class SourceRangeRules {

  private final List<IpSubnetFilterRule> allow;
  private final List<IpSubnetFilterRule> deny;

  public SourceRangeRules(SourceRanges ranges) {
    allow = ranges.allow().stream().map(range -> rule(range, IpFilterRuleType.ACCEPT)).toList();
    deny = ranges.deny().stream().map(range -> rule(range, IpFilterRuleType.REJECT)).toList();
  }

  private static IpSubnetFilterRule rule(String range, IpFilterRuleType type) {
    // a literal address (SourceRanges checked it): no name is looked up
    return new IpSubnetFilterRule(SourceRanges.address(range), SourceRanges.prefixLength(range), type);
  }

  /**
   * Whether a request from {@code clientAddress} (an IPv4 or IPv6 literal) is served: not in a
   * denied range, and in an allowed one when there are any. An address that is not a literal (none
   * known) is refused.
   */
  public boolean allows(String clientAddress) {
    byte[] bytes = clientAddress == null ? null : NetUtil.createByteArrayFromIpAddressString(clientAddress);
    if (bytes == null) {
      return false;
    }
    InetSocketAddress address;
    try {
      address = new InetSocketAddress(InetAddress.getByAddress(bytes), 0);
    } catch (UnknownHostException e) {
      return false; // not 4 or 16 bytes: cannot happen for what NetUtil parsed
    }
    for (IpSubnetFilterRule rule : deny) {
      if (rule.matches(address)) {
        return false;
      }
    }
    if (allow.isEmpty()) {
      return true;
    }
    for (IpSubnetFilterRule rule : allow) {
      if (rule.matches(address)) {
        return true;
      }
    }
    return false;
  }
}
