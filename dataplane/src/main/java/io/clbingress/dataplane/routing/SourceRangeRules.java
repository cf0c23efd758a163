package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.Cidr;
import io.clbingress.dataplane.table.IpAddress;
import io.clbingress.dataplane.table.SourceRanges;
import java.util.List;

/**
 * A route's {@link SourceRanges} compiled into address blocks ({@link Cidr}, the same reading as
 * the trusted proxies'): whether a client address is served.
 */
public final class SourceRangeRules {

  private final List<Cidr> allow;
  private final List<Cidr> deny;

  public SourceRangeRules(SourceRanges ranges) {
    allow = ranges.allow().stream().map(Cidr::parse).toList();
    deny = ranges.deny().stream().map(Cidr::parse).toList();
  }

  /**
   * Whether a request from {@code clientAddress} (an IPv4 or IPv6 literal; an IPv4-mapped IPv6
   * address is its IPv4 address) is served: not in a denied block, and in an allowed one when
   * there are any. An address that is not a literal (none known) is refused.
   */
  public boolean allows(String clientAddress) {
    byte[] address = clientAddress == null ? null : IpAddress.parse(clientAddress);
    if (address == null) {
      return false;
    }
    for (Cidr block : deny) {
      if (block.contains(address)) {
        return false;
      }
    }
    if (allow.isEmpty()) {
      return true;
    }
    for (Cidr block : allow) {
      if (block.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
