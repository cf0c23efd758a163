package io.clbingress.dataplane.table;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which client addresses a route serves: ingress-nginx's {@code whitelist-source-range} and
 * {@code denylist-source-range} (nginx's {@code allow} and {@code deny}, ngx_http_access_module).
 * A request from an address in {@code deny} is refused with 403; else, when {@code allow} is not
 * empty, a request from an address outside it is refused with 403; the rest are served. The
 * refusal comes before anything else the route does (a redirect, a CORS preflight, a WebSocket
 * upgrade), so nothing of a refused request reaches a backend. The address is the client's as the
 * data plane knows it: the socket's peer, or the address a trusted proxy or the PROXY protocol gave.
 *
 * @param allow CIDRs ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or single addresses; empty for any
 * @param deny CIDRs or single addresses refused even when {@code allow} has them
 * @throws IllegalArgumentException for an entry that is not an IPv4 or IPv6 address with an
 *     optional prefix length (0–32, 0–128), or when both lists are empty
 */
public record SourceRanges(List<String> allow, List<String> deny) implements RouteFilter {

  public SourceRanges {
    allow = allow == null ? List.of() : List.copyOf(allow);
    deny = deny == null ? List.of() : List.copyOf(deny);
    if (allow.isEmpty() && deny.isEmpty()) {
      throw new IllegalArgumentException("source ranges without an allowed or a denied range");
    }
    for (String range : allow) {
      prefixLength(range);
    }
    for (String range : deny) {
      prefixLength(range);
    }
  }

  private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  /** The address part of a range ({@code 10.0.0.0} of {@code 10.0.0.0/8}). */
  public static String address(String range) {
    int slash = range.indexOf('/');
    return slash < 0 ? range : range.substring(0, slash);
  }

  /**
   * The prefix length of a range: as written, or the whole address (32, 128) for a single address.
   *
   * @throws IllegalArgumentException when {@code range} is not an IPv4 or IPv6 address, with a
   *     prefix length in range when it has one
   */
  public static int prefixLength(String range) {
    String address = address(range);
    int bits;
    if (IPV4.matcher(address).matches()) {
      bits = 32;
    } else if (IPV6_CHARS.matcher(address).matches() && isIpv6Literal(address)) {
      bits = 128;
    } else {
      throw new IllegalArgumentException(range + " is not an IPv4 or IPv6 address or CIDR");
    }
    if (address.length() == range.length()) {
      return bits;
    }
    String length = range.substring(address.length() + 1);
    if (!length.matches("\\d{1,3}") || Integer.parseInt(length) > bits) {
      throw new IllegalArgumentException(range + ": the prefix length is not 0–" + bits);
    }
    return Integer.parseInt(length);
  }

  /** An IPv6 literal: only hex digits, colons and dots, so the JDK parses it and never looks a name up. */
  private static boolean isIpv6Literal(String address) {
    try {
      return java.net.InetAddress.getByName(address) instanceof java.net.Inet6Address;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }
}
