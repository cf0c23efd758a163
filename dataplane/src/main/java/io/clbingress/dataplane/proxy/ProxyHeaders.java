package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.table.HttpHeader;
import io.clbingress.dataplane.tls.ClientVerification;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Header edits of a reverse proxy: hop-by-hop headers stay on their hop (RFC 9110 §7.6.1), and the
 * backend learns the client through X-Forwarded-*. Like ingress-nginx by default, a client's own
 * X-Forwarded-* values are replaced, not trusted; and, as nginx's {@code underscores_in_headers off}
 * with {@code ignore_invalid_headers on} (ingress-nginx's {@code enable-underscores-in-headers:
 * false}), request headers whose names hold {@code _} are dropped unless the data plane runs with
 * {@code --enable-underscores-in-headers}: a backend that reads {@code _} as {@code -} (CGI, PHP,
 * Django) would otherwise take a client's {@code X_Forwarded_For} or {@code X-Auth_User} for the
 * proxy's {@code X-Forwarded-For} or an authentication service's {@code X-Auth-User}.
 */
final class ProxyHeaders {

  private static final List<String> HOP_BY_HOP_NAMES = List.of(
      "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
      "te", "trailer", "transfer-encoding", "upgrade");
  private static final List<String> SET_BY_PROXY_NAMES = List.of(
      "host", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-real-ip", "forwarded",
      "ssl-client-subject-dn", "ssl-client-verify", "ssl-client-issuer-dn", "ssl-client-cert");
  /** The hop-by-hop header names (RFC 9110 §7.6.1, and Keep-Alive, Proxy-Connection), lower case. */
  static List<String> hopByHopNames() {
    return HOP_BY_HOP_NAMES;
  }

  /** Case-insensitive sets: header names are compared as they come, without a lower-case copy. */
  private static final Set<String> HOP_BY_HOP = caseInsensitive(HOP_BY_HOP_NAMES);
  /** What the proxy sets itself towards the backend: a client's own values are dropped. */
  private static final Set<String> SET_BY_PROXY = caseInsensitive(SET_BY_PROXY_NAMES);

  /** Where header values are set: a Vert.x {@code MultiMap} or a Netty {@code HttpHeaders}. */
  @FunctionalInterface
  interface Sink {
    void set(String name, String value);
  }

  /**
   * What the backend learns of the client and of how it reached the proxy.
   *
   * @param host the authority the request names ({@link AbsoluteForm}), or null
   * @param client the client ({@link RealIp}): X-Real-IP is its address, X-Forwarded-For its chain;
   *     null when the peer is unknown
   * @param tls the client came over TLS
   * @param port the listener's port, null when unknown
   * @param clientCertificate the client certificate's verification, for a route with client
   *     certificates ({@link CompiledRoute#clientCertificates}); null for one without
   * @param route the route's own edits: its upstream Host ({@link CompiledRoute#upstreamHost}) and
   *     headers to set, applied last
   */
  record Forwarded(String host, RealIp.Client client, boolean tls, String port,
      ClientVerification.Result clientCertificate, CompiledRoute route) {

    /**
     * Sets the proxy's own headers, then the route's ({@link io.clbingress.dataplane.routing.SetHeaders#lines}:
     * the last of each name, never {@code Expect}, which the proxy meets itself), each replacing
     * the fields of its name: the same fields, in the same order, as {@link UpstreamRequestHead}
     * writes, whichever engine forwards.
     */
    void applyTo(Sink to) {
      applyOwnTo(to);
      List<HttpHeader> set = route.setHeaders().lines();
      for (int i = 0; i < set.size(); i++) {
        to.set(set.get(i).name(), set.get(i).value());
      }
    }

    /**
     * The proxy's own headers (Host, X-Forwarded-*, X-Real-IP, the client certificate's), without
     * the route's ({@link CompiledRoute#setHeaders}), which {@link #applyTo} sets after them.
     */
    void applyOwnTo(Sink to) {
      if (route.upstreamHost() != null) {
        to.set("Host", route.upstreamHost()); // ingress-nginx's upstream-vhost
      } else if (host != null) {
        to.set("Host", host);
      }
      if (client != null) {
        to.set("X-Forwarded-For", client.forwardedFor());
        to.set("X-Real-IP", client.ip());
      }
      to.set("X-Forwarded-Proto", client != null && client.proto() != null ? client.proto() : tls ? "https" : "http");
      if (host != null) {
        to.set("X-Forwarded-Host", host); // as ingress-nginx's $best_http_host: the Host as sent
      }
      if (clientCertificate != null) {
        clientCertificate.applyTo(to::set); // ingress-nginx's header names
      }
      if (port != null) {
        to.set("X-Forwarded-Port", port);
      }
    }
  }

  /**
   * The Host of a request to a backend that the client named none for: the endpoint's address and
   * port. Only an HTTP/1.0 client may send no Host; HTTP/1.1 requires one (RFC 9112 §3.2).
   */
  static void hostIfNone(io.netty.handler.codec.http.HttpHeaders headers, io.clbingress.dataplane.table.Endpoint endpoint) {
    if (!headers.contains("host")) {
      headers.set("host", endpoint.toString());
    }
  }

  /**
   * Edits an HTTP/1.x message's headers in place for the next hop (the Netty engine): hop-by-hop
   * headers and those the Connection header lists go; towards a backend, so do the ones the
   * proxy sets itself ({@link Forwarded}).
   *
   * @param keepUpgrade keep Upgrade (a WebSocket handshake); Connection becomes {@code Upgrade}
   * @param request the headers go to a backend
   */
  static void dropHopByHop(io.netty.handler.codec.http.HttpHeaders headers, boolean keepUpgrade, boolean request) {
    for (String name : connectionListed(headers)) {
      headers.remove(name);
    }
    for (int i = 0; i < HOP_BY_HOP_NAMES.size(); i++) {
      String name = HOP_BY_HOP_NAMES.get(i);
      if (!(keepUpgrade && name.equals("upgrade"))) {
        headers.remove(name);
      }
    }
    if (request) {
      for (int i = 0; i < SET_BY_PROXY_NAMES.size(); i++) {
        headers.remove(SET_BY_PROXY_NAMES.get(i));
      }
    }
    if (keepUpgrade) {
      headers.set("Connection", "Upgrade");
    }
  }

  private ProxyHeaders() {
  }

  /**
   * Edits an HTTP/1.x request's headers in place for its backend (the Netty engine): hop-by-hop
   * headers and those the proxy sets go ({@link #dropHopByHop}), as do names with {@code _}
   * unless {@code underscores}; then {@code forwarded} is set. What {@link UpstreamRequestHead}
   * writes without editing.
   */
  static void towardsBackend(io.netty.handler.codec.http.HttpHeaders headers, boolean keepUpgrade, Forwarded forwarded,
      boolean underscores) {
    dropHopByHop(headers, keepUpgrade, true);
    if (!underscores) {
      dropUnderscored(headers);
    }
    forwarded.applyTo(headers::set);
  }

  /**
   * The names a request towards a backend loses whatever its route ({@link #dropHopByHop} with
   * {@code request}, and Expect, which the proxy meets itself), lower case, by their length.
   */
  private static final String[][] DROPPED_TOWARDS_BACKEND = byLength(java.util.stream.Stream.of(
      HOP_BY_HOP_NAMES, SET_BY_PROXY_NAMES, List.of("expect")).flatMap(List::stream).toList());

  /**
   * Whether a client's request header of this name never reaches a backend as the client sent
   * it: hop-by-hop (RFC 9110 §7.6.1), one the proxy sets itself ({@link Forwarded}), or Expect
   * (RFC 9110 §10.1.1: the proxy answers it). The names the Connection header lists are
   * {@link #connectionListed}'s. A comparison by length, without allocation: it runs for every
   * header of every request.
   */
  static boolean droppedTowardsBackend(CharSequence name) {
    int length = name.length();
    if (length >= DROPPED_TOWARDS_BACKEND.length) {
      return false;
    }
    for (String dropped : DROPPED_TOWARDS_BACKEND[length]) {
      if (io.netty.util.AsciiString.contentEqualsIgnoreCase(name, dropped)) {
        return true;
      }
    }
    return false;
  }

  /** {@code names} by their length: the names of length n at index n (an empty array for none). */
  static String[][] byLength(List<String> names) {
    int longest = names.stream().mapToInt(String::length).max().orElse(0);
    String[][] byLength = new String[longest + 1][];
    for (int length = 0; length <= longest; length++) {
      int n = length;
      byLength[length] = names.stream().filter(name -> name.length() == n).toArray(String[]::new);
    }
    return byLength;
  }

  /**
   * The fields an HTTP/1.x message's Connection header names as hop-by-hop (RFC 9110 §7.6.1),
   * compared in any case; none, without allocation, when it has none or only one of the usual
   * single tokens.
   */
  static Set<String> connectionListed(io.netty.handler.codec.http.HttpHeaders headers) {
    return headers.contains("connection") ? connectionListed(headers.getAll("connection")) : Set.of();
  }

  /**
   * Whether a client's request header goes on to another server as it is: not hop-by-hop (RFC 9110
   * §7.6.1), not one the proxy sets itself ({@link Forwarded}), not framing ({@code Content-Length},
   * {@code Expect}), not an HTTP/2 pseudo-header.
   */
  static boolean passesOn(String name) {
    return !HOP_BY_HOP.contains(name) && !SET_BY_PROXY.contains(name) && !name.equalsIgnoreCase("content-length")
        && !name.equalsIgnoreCase("expect") && !name.startsWith(":");
  }

  /** Copies end-to-end headers; {@code keepUpgrade} keeps Connection/Upgrade for a WebSocket handshake. */
  static void copyEndToEnd(MultiMap from, MultiMap to, boolean keepUpgrade) {
    copy(from, to, keepUpgrade, Set.of(), true);
  }

  /**
   * Drops the headers whose names hold {@code _} from an HTTP/1.x request (the Netty engine), in
   * place. A scan without allocation; only a request with such a header pays for their list.
   */
  static void dropUnderscored(io.netty.handler.codec.http.HttpHeaders headers) {
    List<CharSequence> underscored = null;
    for (java.util.Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
      CharSequence name = it.next().getKey();
      if (io.netty.util.AsciiString.indexOf(name, '_', 0) >= 0) {
        if (underscored == null) {
          underscored = new java.util.ArrayList<>(2);
        }
        underscored.add(name);
      }
    }
    if (underscored != null) {
      underscored.forEach(headers::remove);
    }
  }

  /**
   * @param underscores headers whose names hold {@code _} are copied too; else they are dropped
   */
  private static void copy(MultiMap from, MultiMap to, boolean keepUpgrade, Set<String> alsoDropped,
      boolean underscores) {
    Set<String> listed = from.contains("connection") ? connectionListed(from.getAll("connection")) : Set.of();
    for (Map.Entry<String, String> header : from) {
      String name = header.getKey();
      if (keepUpgrade && name.equalsIgnoreCase("upgrade")) {
        to.add(name, header.getValue());
      } else if (!HOP_BY_HOP.contains(name) && !alsoDropped.contains(name) && !listed.contains(name)
          && (underscores || name.indexOf('_') < 0)) {
        add(to, name, header.getValue());
      }
    }
    if (keepUpgrade) {
      // One canonical token towards the backend, whatever list the client sent (Firefox:
      // "keep-alive, Upgrade"): the other tokens belong to the client's hop, and Vert.x's client
      // only recognises its upgrade when the header is exactly "Upgrade".
      to.set("Connection", "Upgrade");
    }
  }

  /**
   * Adds a request header towards another server; a further {@code cookie} field is joined to the
   * one already there with {@code "; "}, since an HTTP/1.1 request carries one Cookie header (RFC
   * 6265 §5.4): an HTTP/2 client may split its cookies into several fields, to be joined so before
   * an HTTP/1.1 hop (RFC 9113 §8.2.3; Vert.x 5.0 joins them already when it reads an h2 head,
   * {@code Http2CookiesTest}), and an HTTP/1.x client or gateway may send several Cookie lines.
   * One cookie field costs nothing more.
   */
  static void add(MultiMap to, String name, String value) {
    if (name.length() == 6 && name.equalsIgnoreCase("cookie")) {
      String before = to.get(name);
      if (before != null) {
        to.set(name, before + "; " + value);
        return;
      }
    }
    to.add(name, value);
  }

  /**
   * Whether the Connection header lists {@code token}, in any case and position, over any number
   * of header lines (RFC 9110 §7.6.1: a comma-separated list).
   */
  static boolean connectionHasToken(List<String> connection, String token) {
    for (String value : connection) {
      for (String listed : value.split(",")) {
        if (listed.trim().equalsIgnoreCase(token)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Request headers towards the backend, with X-Forwarded-* describing the client.
   *
   * @param from the client, found once for the request ({@link #client})
   * @param route the route: its client certificate checks (looked up only for a route with them,
   *     since asking a session without a certificate costs an exception), and its own edits
   * @param underscores headers whose names hold {@code _} go on ({@code --enable-underscores-in-headers});
   *     else they are dropped
   */
  static void copyRequest(HttpServerRequest request, RealIp.Client from, MultiMap to, boolean keepUpgrade,
      CompiledRoute route, boolean underscores) {
    copy(request.headers(), to, keepUpgrade, SET_BY_PROXY, underscores);
    // The Host the backend receives: an absolute-form target's authority (RFC 9112 §3.2.2), else
    // the client's Host exactly as sent (":80" and all), or HTTP/2's :authority; null for none.
    SocketAddress local = request.localAddress();
    new Forwarded(AbsoluteForm.authority(request), from, request.isSSL(),
        local == null || local.port() <= 0 ? null : Integer.toString(local.port()),
        route.clientCertificates() == null ? null
            : route.clientCertificates().verify(request.isSSL() ? request.sslSession() : null), route).applyTo(to::set);
  }

  private static Set<String> caseInsensitive(List<String> names) {
    Set<String> set = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    set.addAll(names);
    return java.util.Collections.unmodifiableSet(set);
  }

  /**
   * The client of a request Vert.x serves (HTTP/2, or the Vert.x engine), found once per request:
   * the peer is the connection's remote address, which Vert.x takes from the PROXY protocol header
   * on a listener that reads one; behind a trusted peer, {@code realIp}'s header names the client.
   */
  static RealIp.Client client(HttpServerRequest request, RealIp realIp) {
    SocketAddress remote = request.remoteAddress();
    if (remote != null && remote.hostAddress() == null) {
      remote = request.connection().remoteAddress(true); // a PROXY header named a Unix socket: the socket's
    }
    String peer = remote == null ? null : RealIp.peer(remote.hostAddress());
    if (peer != null && realIp.trusts(peer)) {
      return realIp.behind(peer, request.headers().getAll(realIp.header()), request.getHeader("x-forwarded-proto"));
    }
    return peer == null ? null : RealIp.Client.direct(peer);
  }

  /**
   * Headers that the Connection header values name as hop-by-hop; none (and no allocation) for
   * the usual single {@code keep-alive}, {@code close} or {@code upgrade}. Never Content-Length:
   * it frames the message on the next hop too (RFC 9112 §6.3), and a request whose length went
   * would leave its body to be read by the backend as the next request on the connection
   * (request smuggling past every route check); nginx keeps it as well.
   */
  private static Set<String> connectionListed(List<String> values) {
    String first = values.get(0);
    boolean namesNoHeader = first.equalsIgnoreCase("keep-alive") || first.equalsIgnoreCase("close")
        || first.equalsIgnoreCase("upgrade");
    if (namesNoHeader && values.size() == 1) {
      return Set.of();
    }
    Set<String> listed = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (String value : values) {
      for (String token : value.split(",")) {
        String name = token.trim().toLowerCase(Locale.ROOT);
        if (!name.isEmpty() && !name.equals("upgrade") && !name.equals("content-length")) {
          listed.add(name);
        }
      }
    }
    return listed;
  }
}
