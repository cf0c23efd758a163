package io.clbingress.dataplane.table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An IPv4 or IPv6 address block in CIDR notation (RFC 4632 §3.1, RFC 4291 §2.3): {@code
 * 10.0.0.0/8}, {@code 2001:db8::/32}; a bare address is a block of one ({@code /32}, {@code
 * /128}). As nginx's {@code set_real_ip_from} and {@code allow}, host bits below the prefix are
 * ignored ({@code 10.1.2.3/8} is {@code 10.0.0.0/8}). An IPv4 block also holds the IPv4-mapped
 * IPv6 form of its addresses ({@code ::ffff:10.1.2.3}), which a dual-stack socket reports.
 *
 * @param network the block's first address, 4 or 16 bytes, host bits zero
 * @param prefixLength 0-32 for IPv4, 0-128 for IPv6
 */
public record Cidr(byte[] network, int prefixLength) {

  public Cidr {
    if (network.length != 4 && network.length != 16) {
      throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + network.length);
    }
    if (prefixLength < 0 || prefixLength > network.length * 8) {
      throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0-" + network.length * 8);
    }
    network = masked(network, prefixLength);
  }

  /**
   * Reads one block.
   *
   * @throws IllegalArgumentException naming {@code text} when it is no address or the prefix
   *     length is not a decimal number within the family's range
   */
  public static Cidr parse(String text) {
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    byte[] address = IpAddress.parse(trimmed, 0, slash < 0 ? trimmed.length() : slash);
    if (address == null) {
      throw new IllegalArgumentException("\"" + text + "\" is not an IPv4 or IPv6 address or CIDR block");
    }
    int length = address.length * 8;
    if (slash >= 0) {
      String digits = trimmed.substring(slash + 1);
      if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
          || Integer.parseInt(digits) > length) {
        throw new IllegalArgumentException("\"" + text + "\": prefix length must be 0-" + length);
      }
      length = Integer.parseInt(digits);
    }
    return new Cidr(address, length);
  }

  /**
   * Reads a comma-separated list; blanks between commas are skipped.
   *
   * @throws IllegalArgumentException for the first entry {@link #parse} refuses
   */
  public static List<Cidr> parseList(String text) {
    List<Cidr> blocks = new ArrayList<>();
    for (String entry : text.split(",")) {
      if (!entry.isBlank()) {
        blocks.add(parse(entry));
      }
    }
    return List.copyOf(blocks);
  }

  /** Whether {@code address} (4 or 16 bytes, as {@link IpAddress#parse}) lies in this block. */
  public boolean contains(byte[] address) {
    byte[] candidate = address.length == network.length ? address : IpAddress.unmapped(address);
    if (candidate.length != network.length) {
      return false;
    }
    int whole = prefixLength / 8;
    for (int i = 0; i < whole; i++) {
      if (candidate[i] != network[i]) {
        return false;
      }
    }
    int bits = prefixLength % 8;
    return bits == 0 || ((candidate[whole] ^ network[whole]) & (0xff << (8 - bits))) == 0;
  }

  private static byte[] masked(byte[] address, int prefixLength) {
    byte[] copy = address.clone();
    for (int bit = prefixLength; bit < copy.length * 8; bit++) {
      copy[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    return copy;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Cidr cidr && cidr.prefixLength == prefixLength && Arrays.equals(cidr.network, network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefixLength;
  }

  @Override
  public String toString() {
    return IpAddress.format(network) + "/" + prefixLength;
  }
}
