package io.clbingress.dataplane.table;

/**
 * IP address literals read without name resolution: an IPv4 dotted quad (RFC 791 notation, four
 * decimal parts 0-255) or an IPv6 address (RFC 4291 §2.2: eight groups of 1-4 hex digits, one
 * {@code ::} for a run of zero groups, an IPv4 tail). No zone index, no host name, no other IPv4
 * forms ({@code 10.1}, octal, hex): {@link java.net.InetAddress#getByName} would resolve a name on
 * the event loop and reads the other forms, so it is not used for input from the network.
 */
public final class IpAddress {

  private IpAddress() {
  }

  /**
   * The 4 (IPv4) or 16 (IPv6) bytes of an address literal.
   *
   * @return null when {@code text} is not exactly one address literal
   */
  public static byte[] parse(CharSequence text) {
    return parse(text, 0, text.length());
  }

  /** {@link #parse(CharSequence)} of {@code text[from, to)}. */
  public static byte[] parse(CharSequence text, int from, int to) {
    if (from >= to || to - from > 45) {
      return null;
    }
    for (int i = from; i < to; i++) {
      if (text.charAt(i) == ':') {
        return ipv6(text, from, to);
      }
    }
    byte[] v4 = new byte[4];
    return ipv4(text, from, to, v4, 0) ? v4 : null;
  }

  /**
   * An address in its usual text: dotted quad, or RFC 5952's IPv6 form (lower-case, the longest
   * run of zero groups as {@code ::}).
   */
  public static String format(byte[] address) {
    if (address.length == 4) {
      return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "." + (address[3] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1; // RFC 5952 §4.2.2: "::" never stands for a single zero group
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && group(address, j) == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder text = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append("::");
        i += bestLength - 1;
        continue;
      }
      if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      text.append(Integer.toHexString(group(address, i)));
    }
    return text.toString();
  }

  /**
   * The IPv4 address of an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}, RFC 4291 §2.5.5.2),
   * else the address itself.
   */
  public static byte[] unmapped(byte[] address) {
    if (address.length != 16) {
      return address;
    }
    for (int i = 0; i < 10; i++) {
      if (address[i] != 0) {
        return address;
      }
    }
    if (address[10] != (byte) 0xff || address[11] != (byte) 0xff) {
      return address;
    }
    return new byte[] {address[12], address[13], address[14], address[15]};
  }

  private static int group(byte[] address, int index) {
    return (address[2 * index] & 0xff) << 8 | address[2 * index + 1] & 0xff;
  }

  private static boolean ipv4(CharSequence text, int from, int to, byte[] into, int offset) {
    int part = 0;
    int value = 0;
    int digits = 0;
    for (int i = from; i <= to; i++) {
      char c = i == to ? '.' : text.charAt(i);
      if (c == '.') {
        if (digits == 0 || part == 4) {
          return false;
        }
        into[offset + part++] = (byte) value;
        value = 0;
        digits = 0;
      } else if (c >= '0' && c <= '9' && digits < 3) {
        value = value * 10 + (c - '0');
        digits++;
        if (value > 255) {
          return false;
        }
      } else {
        return false;
      }
    }
    return part == 4;
  }

  private static byte[] ipv6(CharSequence text, int from, int to) {
    byte[] address = new byte[16];
    int groups = 0;
    int gap = -1; // where "::" stands, in groups
    int i = from;
    if (text.charAt(i) == ':') {
      if (to - i < 2 || text.charAt(i + 1) != ':') {
        return null;
      }
      gap = 0;
      i += 2;
      if (i == to) {
        return address; // "::"
      }
    }
    while (i < to) {
      if (groups == 8) {
        return null;
      }
      int end = i;
      int value = 0;
      while (end < to && end - i < 5 && Character.digit(text.charAt(end), 16) >= 0) {
        value = value << 4 | Character.digit(text.charAt(end), 16);
        end++;
      }
      if (end < to && text.charAt(end) == '.') {
        // an IPv4 tail takes the last two groups
        if (groups > 6 || !ipv4(text, i, to, address, 2 * groups)) {
          return null;
        }
        groups += 2;
        i = to;
        break;
      }
      if (end == i || end - i > 4) {
        return null;
      }
      address[2 * groups] = (byte) (value >> 8);
      address[2 * groups + 1] = (byte) value;
      groups++;
      i = end;
      if (i == to) {
        break;
      }
      if (text.charAt(i) != ':') {
        return null;
      }
      i++;
      if (i < to && text.charAt(i) == ':') {
        if (gap >= 0) {
          return null; // a second "::"
        }
        gap = groups;
        i++;
        if (i == to) {
          break;
        }
      } else if (i == to) {
        return null; // a trailing single ':'
      }
    }
    if (gap < 0) {
      return groups == 8 ? address : null;
    }
    if (groups == 8) {
      return null; // "::" must stand for at least one group
    }
    int moved = groups - gap;
    System.arraycopy(address, 2 * gap, address, 16 - 2 * moved, 2 * moved);
    java.util.Arrays.fill(address, 2 * gap, 16 - 2 * moved, (byte) 0);
    return address;
  }
}
