package io.clbingress.dataplane.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.HashSet;
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

  private static final Set<String> HOP_BY_HOP = Set.of(
      "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
      "te", "trailer", "transfer-encoding", "upgrade");
  private static final Set<String> FORWARDED = Set.of(
      "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-real-ip", "forwarded",
      "ssl-client-subject-dn", "ssl-client-verify");

  private ProxyHeaders() {
  }

  /** Copies end-to-end headers; {@code keepUpgrade} keeps Connection/Upgrade for a WebSocket handshake. */
  static void copyEndToEnd(MultiMap from, MultiMap to, boolean keepUpgrade) {
    Set<String> dropped = connectionListed(from);
    for (Map.Entry<String, String> header : from) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      boolean upgradeHeader = name.equals("connection") || name.equals("upgrade");
      if (keepUpgrade && upgradeHeader) {
        to.add(header.getKey(), header.getValue());
      } else if (!HOP_BY_HOP.contains(name) && !dropped.contains(name)) {
        to.add(header.getKey(), header.getValue());
      }
    }
  }

  /**
   * Request headers towards the backend, with X-Forwarded-* describing the client.
   *
   * @param clientCertificate the listener verified a client certificate (mutual TLS); looked up
   *     only then, since asking a session without one costs an exception
   */
  static void copyRequest(HttpServerRequest request, MultiMap to, boolean keepUpgrade, boolean clientCertificate) {
    copyEndToEnd(request.headers(), to, keepUpgrade);
    to.remove("host");
    for (String name : FORWARDED) {
      to.remove(name);
    }
    String clientIp = clientIp(request);
    if (clientIp != null) {
      to.set("X-Forwarded-For", clientIp);
      to.set("X-Real-IP", clientIp);
    }
    to.set("X-Forwarded-Proto", request.isSSL() ? "https" : "http");
    HostAndPort authority = request.authority();
    if (authority != null) {
      to.set("X-Forwarded-Host", authority.port() > 0 ? authority.host() + ":" + authority.port() : authority.host());
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

  static String clientIp(HttpServerRequest request) {
    SocketAddress remote = request.remoteAddress();
    return remote == null ? null : remote.hostAddress();
  }

  private static Set<String> connectionListed(MultiMap headers) {
    Set<String> listed = new HashSet<>();
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
