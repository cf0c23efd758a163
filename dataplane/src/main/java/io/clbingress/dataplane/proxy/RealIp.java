package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.table.Cidr;
import io.clbingress.dataplane.table.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Who the client is when other proxies stand in front of the data plane: nginx's realip module
 * with {@code real_ip_recursive on} (https://nginx.org/en/docs/http/ngx_http_realip_module.html),
 * as ingress-nginx's {@code use-forwarded-headers} and {@code proxy-real-ip-cidr} configure it.
 *
 * <p>The peer is the address the connection comes from, or the source address of its PROXY
 * protocol header where the listener takes one. A peer outside {@code trustedProxies} is the
 * client, and whatever {@code X-Forwarded-For}/{@code X-Real-IP} it sent is replaced. From a
 * trusted peer, the entries of {@code header} are read from right to left, skipping trusted ones:
 * the first untrusted entry is the client; when every entry is trusted, the left-most is. An entry
 * that is not an address ({@code unknown}, a name, garbage) stops the walk, and the last address
 * read (trusted, or the peer when none) is the client, as nginx's {@code
 * ngx_http_get_forwarded_addr} does. Entries may carry a port ({@code 192.0.2.1:5000},
 * {@code [2001:db8::1]:5000}); empty entries between commas are skipped.
 *
 * <p>The PROXY protocol header of a listener that takes one is still required and read from every
 * peer, but its source is believed only from a peer within {@code trustedProxies}, as nginx
 * believes {@code real_ip_header proxy_protocol} only from {@code set_real_ip_from} addresses;
 * from any other peer, the socket's address is the client ({@link #believesProxyHeaderFrom}). With
 * no trusted proxy set, the listener's opt-in is the trust: every peer's header is believed (a
 * listener that takes PROXY headers is meant to be reached only through the load balancer that
 * sends them).
 *
 * @param trustedProxies peers whose {@code header} is believed ({@code --trusted-proxies}); empty
 *     believes nobody
 * @param header the request header that names the client ({@code --forwarded-for-header};
 *     ingress-nginx's {@code forwarded-for-header}), {@code X-Forwarded-For} by default
 */
public record RealIp(List<Cidr> trustedProxies, String header) {

  public static final String DEFAULT_HEADER = "X-Forwarded-For";
  /** Nobody trusted: the socket's peer (or the PROXY header's source) is the client. */
  public static final RealIp NOBODY = new RealIp(List.of(), DEFAULT_HEADER);

  /**
   * The client of one request and what the backend's {@code X-Forwarded-For} becomes.
   *
   * @param ip the client's address: X-Real-IP, the IP_HASH and hash-by key, sticky sessions, logs
   * @param forwardedFor the chain from the client to the data plane's peer: the client, the trusted
   *     proxies between, the peer (entries left of the client, which nobody trusted vouches for,
   *     are dropped); the peer alone when the peer is not trusted
   * @param proto the scheme the client used, as a trusted peer's {@code X-Forwarded-Proto} says it
   *     ({@code http} or {@code https}; ingress-nginx's {@code $pass_access_scheme} with
   *     {@code use-forwarded-headers}), or null: the connection's own
   */
  public record Client(String ip, String forwardedFor, String proto) {
    /** A peer that is its own client. */
    public static Client direct(String peer) {
      return new Client(peer, peer, null);
    }
  }

  public RealIp {
    trustedProxies = List.copyOf(trustedProxies);
    Objects.requireNonNull(header, "header");
    if (!isToken(header)) {
      throw new IllegalArgumentException("\"" + header + "\" is not a header name");
    }
  }

  /**
   * Reads {@code --trusted-proxies} and {@code --forwarded-for-header}.
   *
   * @throws IllegalArgumentException naming the first CIDR block or the header that is invalid
   */
  public static RealIp parse(String trustedProxies, String header) {
    return new RealIp(Cidr.parseList(trustedProxies == null ? "" : trustedProxies),
        header == null || header.isBlank() ? DEFAULT_HEADER : header.trim());
  }

  /**
   * A peer's address as the backend sees it: RFC 5952's text for IPv6 ({@code ::1}, not the JDK's
   * {@code 0:0:0:0:0:0:0:1}), IPv4-mapped IPv6 as IPv4; anything else unchanged (a Unix socket's
   * path). Once per connection.
   */
  public static String peer(String hostAddress) {
    if (hostAddress == null) {
      return null;
    }
    byte[] address = IpAddress.parse(hostAddress);
    return address == null ? hostAddress : IpAddress.format(IpAddress.unmapped(address));
  }

  /** Whether {@code peer} (an address literal) is a trusted proxy; false for null or a non-address. */
  public boolean trusts(String peer) {
    if (trustedProxies.isEmpty() || peer == null) {
      return false;
    }
    byte[] address = IpAddress.parse(peer);
    return address != null && trusted(address);
  }

  /**
   * Whether the PROXY protocol header sent by {@code peer} (the socket's address, as text) names the
   * client: always with no trusted proxy set (the listener's opt-in is the trust), else only when
   * the peer is trusted ({@link #trusts}).
   */
  public boolean believesProxyHeaderFrom(String peer) {
    return trustedProxies.isEmpty() || trusts(peer);
  }

  private boolean trusted(byte[] address) {
    for (int i = 0; i < trustedProxies.size(); i++) {
      if (trustedProxies.get(i).contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The client behind a trusted {@code peer}.
   *
   * @param values the lines of {@link #header} in the request, in order (several lines are one
   *     comma-separated list, RFC 9110 §5.3); none gives the peer
   * @param forwardedProto the request's first {@code X-Forwarded-Proto} line, or null: the scheme
   *     the client used when it is {@code http} or {@code https} (any case, blanks around); any other
   *     value is ignored
   */
  public Client behind(String peer, List<String> values, String forwardedProto) {
    Client client = behind(peer, values);
    String proto = forwardedProto == null ? null : forwardedProto.trim().toLowerCase(java.util.Locale.ROOT);
    return "https".equals(proto) || "http".equals(proto) ? new Client(client.ip(), client.forwardedFor(), proto) : client;
  }

  private Client behind(String peer, List<String> values) {
    List<String> entries = new ArrayList<>();
    for (String value : values) {
      for (String entry : value.split(",")) {
        String trimmed = entry.trim();
        if (!trimmed.isEmpty()) {
          entries.add(trimmed);
        }
      }
    }
    // right to left: the chain from the peer back to the client, reversed at the end
    List<String> chain = new ArrayList<>();
    for (int i = entries.size() - 1; i >= 0; i--) {
      byte[] address = address(entries.get(i));
      if (address == null) {
        break; // nginx: a malformed entry ends the walk; the last address read stands
      }
      chain.add(IpAddress.format(address));
      if (!trusted(address)) {
        break;
      }
    }
    if (chain.isEmpty()) {
      return Client.direct(peer);
    }
    java.util.Collections.reverse(chain);
    chain.add(peer);
    return new Client(chain.get(0), String.join(", ", chain), null);
  }

  /** An entry's address, without the port it may carry; null when it is none. */
  static byte[] address(String entry) {
    int length = entry.length();
    if (entry.charAt(0) == '[') {
      int close = entry.indexOf(']');
      if (close < 0 || !(close == length - 1 || entry.charAt(close + 1) == ':' && isPort(entry, close + 2))) {
        return null;
      }
      byte[] address = IpAddress.parse(entry, 1, close);
      return address == null || address.length != 16 ? null : address;
    }
    int colon = entry.indexOf(':');
    if (colon >= 0 && colon == entry.lastIndexOf(':')) {
      // one colon: IPv4 with a port
      return isPort(entry, colon + 1) ? IpAddress.parse(entry, 0, colon) : null;
    }
    return IpAddress.parse(entry);
  }

  private static boolean isPort(String text, int from) {
    int length = text.length() - from;
    if (length < 1 || length > 5) {
      return false;
    }
    int port = 0;
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
      port = port * 10 + (c - '0');
    }
    return port <= 65535;
  }

  /** RFC 9110 §5.1: a field name is a token. */
  private static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
