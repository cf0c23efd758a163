package io.clbingress.dataplane.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Header edits of a reverse proxy: hop-by-hop headers stay on their hop (RFC 9110 §7.6.1), and the
 * backend learns the client through X-Forwarded-*. Like ingress-nginx by default, a client's own
 * X-Forwarded-* values are replaced, not trusted.
 */
final class ProxyHeaders {

  /** Case-insensitive sets: header names are compared as they come, without a lower-case copy. */
  private static final Set<String> HOP_BY_HOP = caseInsensitive(
      "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
      "te", "trailer", "transfer-encoding", "upgrade");
  /** What the proxy sets itself towards the backend: a client's own values are dropped. */
  private static final Set<String> SET_BY_PROXY = caseInsensitive(
      "host", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-real-ip", "forwarded",
      "ssl-client-subject-dn", "ssl-client-verify");

  private ProxyHeaders() {
  }

  /** Copies end-to-end headers; {@code keepUpgrade} keeps Connection/Upgrade for a WebSocket handshake. */
  static void copyEndToEnd(MultiMap from, MultiMap to, boolean keepUpgrade) {
    copy(from, to, keepUpgrade, Set.of());
  }

  private static void copy(MultiMap from, MultiMap to, boolean keepUpgrade, Set<String> alsoDropped) {
    Set<String> listed = connectionListed(from);
    for (Map.Entry<String, String> header : from) {
      String name = header.getKey();
      if (keepUpgrade && name.equalsIgnoreCase("upgrade")) {
        to.add(name, header.getValue());
      } else if (!HOP_BY_HOP.contains(name) && !alsoDropped.contains(name) && !listed.contains(name)) {
        to.add(name, header.getValue());
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
   * Whether the Connection header lists {@code token}, in any case and position, over any number
   * of header lines (RFC 9110 §7.6.1: a comma-separated list).
   */
  static boolean connectionHasToken(MultiMap headers, String token) {
    for (String value : headers.getAll("connection")) {
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
   * @param clientCertificate the listener verified a client certificate (mutual TLS); looked up
   *     only then, since asking a session without one costs an exception
   */
  static void copyRequest(HttpServerRequest request, MultiMap to, boolean keepUpgrade, boolean clientCertificate) {
    copy(request.headers(), to, keepUpgrade, SET_BY_PROXY);
    // The Host the backend receives: an absolute-form target's authority (RFC 9112 §3.2.2), else
    // the client's Host exactly as sent (":80" and all), or HTTP/2's :authority; null for none.
    String host = AbsoluteForm.authority(request);
    if (host != null) {
      to.set("Host", host);
    }
    String clientIp = clientIp(request);
    if (clientIp != null) {
      to.set("X-Forwarded-For", clientIp);
      to.set("X-Real-IP", clientIp);
    }
    to.set("X-Forwarded-Proto", request.isSSL() ? "https" : "http");
    if (host != null) {
      to.set("X-Forwarded-Host", host); // as ingress-nginx's $best_http_host: the Host as sent
    }
    if (clientCertificate) {
      clientCertificate(request, to);
    }
    SocketAddress local = request.localAddress();
    if (local != null && local.port() > 0) {
      to.set("X-Forwarded-Port", Integer.toString(local.port()));
    }
  }

  /**
   * With mutual TLS, the verified client certificate's subject goes to the backend, under the
   * header names ingress-nginx uses ({@code ssl-client-subject-dn}, {@code ssl-client-verify}).
   */
  private static void clientCertificate(HttpServerRequest request, MultiMap to) {
    if (!request.isSSL()) {
      return;
    }
    try {
      List<java.security.cert.Certificate> chain = request.connection().peerCertificates();
      if (!chain.isEmpty() && chain.get(0) instanceof X509Certificate client) {
        to.set("ssl-client-subject-dn", client.getSubjectX500Principal().getName());
        to.set("ssl-client-verify", "SUCCESS");
      }
    } catch (SSLPeerUnverifiedException e) {
      // No client certificate on this listener: nothing to tell.
    }
  }

  private static Set<String> caseInsensitive(String... names) {
    Set<String> set = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    set.addAll(List.of(names));
    return java.util.Collections.unmodifiableSet(set);
  }

  static String clientIp(HttpServerRequest request) {
    SocketAddress remote = request.remoteAddress();
    return remote == null ? null : remote.hostAddress();
  }

  /** Headers that the Connection header names as hop-by-hop; none (and no allocation) usually. */
  private static Set<String> connectionListed(MultiMap headers) {
    String first = headers.get("connection");
    if (first == null) {
      return Set.of();
    }
    boolean namesNoHeader = first.equalsIgnoreCase("keep-alive") || first.equalsIgnoreCase("close")
        || first.equalsIgnoreCase("upgrade");
    if (namesNoHeader && headers.getAll("connection").size() == 1) {
      return Set.of();
    }
    Set<String> listed = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (String value : headers.getAll("connection")) {
      for (String token : value.split(",")) {
        String name = token.trim().toLowerCase(Locale.ROOT);
        if (!name.isEmpty() && !name.equals("upgrade")) {
          listed.add(name);
        }
      }
    }
    return listed;
  }
}
