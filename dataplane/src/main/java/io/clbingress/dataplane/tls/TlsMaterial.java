package io.clbingress.dataplane.tls;

import io.clbingress.dataplane.table.Certificate;
import io.clbingress.dataplane.table.ClientCertificateAuth;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.VirtualHost;
import io.vertx.core.net.TrustOptions;
import java.util.HashMap;
import java.util.HashSet;
import io.clbingress.dataplane.table.ListenerTls;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The server TLS settings of HTTPS listeners: TLS 1.2 and 1.3 only, ALPN h2 and http/1.1, and
 * every certificate of the routing table for SNI, after a default certificate (self-signed,
 * made at start) that answers handshakes without SNI or for unknown names.
 */
public final class TlsMaterial {

  public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
  public static final String DEFAULT_NAME = "clb-ingress.invalid";

  private final Buffer defaultCertificate;
  private final Buffer defaultKey;

  private final TlsEngine engine;

  private TlsMaterial(Buffer defaultCertificate, Buffer defaultKey, TlsEngine engine) {
    this.defaultCertificate = defaultCertificate;
    this.defaultKey = defaultKey;
    this.engine = engine;
  }

  /** With a self-signed default certificate for {@link #DEFAULT_NAME}, servers on {@code engine}. */
  public static TlsMaterial withSelfSignedDefault(TlsEngine engine) {
    SelfSignedCertificate generated = SelfSignedCertificate.create(DEFAULT_NAME);
    try {
      Buffer certificate = Buffer.buffer(Files.readAllBytes(Path.of(generated.certificatePath())));
      Buffer key = Buffer.buffer(Files.readAllBytes(Path.of(generated.privateKeyPath())));
      Files.deleteIfExists(Path.of(generated.privateKeyPath()));
      Files.deleteIfExists(Path.of(generated.certificatePath()));
      return new TlsMaterial(certificate, key, engine);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the generated default certificate", e);
    }
  }

  /** Settings of the default HTTPS listener: every certificate, h2, TLS 1.2 and 1.3. */
  public ServerSSLOptions options(Certificate fallback, List<Certificate> certificates) {
    return options(fallback, certificates, (ListenerTls) null);
  }

  /**
   * What the default HTTPS listener's handshakes ask of clients: for its hosts with
   * {@link VirtualHost#clientCertificates}, chosen by SNI, a certificate from their CAs
   * ({@link SniClientTrust}); null when no host asks (then no handshake does).
   *
   * @param listener the default HTTPS listener ({@link RoutingTable#defaultHttpsListener}), or null
   */
  public static TrustOptions clientTrust(Listener listener) {
    if (listener == null) {
      return null;
    }
    Map<String, ClientCertificateAuth> byHost = new HashMap<>();
    for (VirtualHost vhost : listener.virtualHosts()) {
      if (vhost.clientCertificates() != null) {
        byHost.put(vhost.host(), vhost.clientCertificates());
      }
    }
    if (byHost.isEmpty()) {
      return null;
    }
    boolean shadows = byHost.keySet().stream().anyMatch(host -> host.startsWith("*"));
    if (!shadows) {
      return new SniClientTrust(byHost, Set.of());
    }
    Set<String> hosts = new HashSet<>();
    listener.virtualHosts().forEach(vhost -> hosts.add(vhost.host()));
    return new SniClientTrust(byHost, hosts);
  }

  /**
   * Settings of the default HTTPS listener whose hosts may ask for client certificates.
   *
   * @param clientTrust {@link #clientTrust}'s, or null
   */
  public ServerSSLOptions options(Certificate fallback, List<Certificate> certificates, TrustOptions clientTrust) {
    ServerSSLOptions options = options(fallback, certificates, (ListenerTls) null);
    return clientTrust == null ? options : options.setTrustOptions(clientTrust);
  }

  public TlsEngine engine() {
    return engine;
  }

  /** What a server starts with: these settings and this data plane's TLS engine. */
  public ServerTls server(ServerSSLOptions options) {
    return new ServerTls(options, engine.options());
  }

  /**
   * Settings of an HTTPS or TCP_SSL listener: its certificates for SNI, its TLS versions and ALPN,
   * and with mutual TLS a required client certificate chaining to its CA.
   *
   * @param fallback the certificate for handshakes that match no name ({@code --default-cert});
   *     null for the self-signed one
   * @param tls the listener's settings; null for the default listener's
   */
  public ServerSSLOptions options(Certificate fallback, List<Certificate> certificates, ListenerTls tls) {
    PemKeyCertOptions fallbackPair = fallback == null
        ? new PemKeyCertOptions().addCertValue(defaultCertificate).addKeyValue(defaultKey)
        : new PemKeyCertOptions().addCertValue(Buffer.buffer(fallback.certificatePem()))
            .addKeyValue(Buffer.buffer(fallback.privateKeyPem()));
    PemKeyCertOptions byName = fallbackPair.copy();
    for (Certificate certificate : certificates) {
      byName.addCertValue(Buffer.buffer(certificate.certificatePem())).addKeyValue(Buffer.buffer(certificate.privateKeyPem()));
    }
    SniKeyCertOptions keys = new SniKeyCertOptions(fallbackPair, byName);
    boolean http2 = tls == null || tls.http2();
    ServerSSLOptions options = new ServerSSLOptions()
        .setKeyCertOptions(keys)
        .setSni(true)
        .setUseAlpn(true)
        .setApplicationLayerProtocols(http2 ? List.of("h2", "http/1.1") : List.of("http/1.1"))
        .setEnabledSecureTransportProtocols(tls == null ? PROTOCOLS : Set.copyOf(tls.protocols()));
    if (tls != null && tls.isMutual()) {
      options.setClientAuth(ClientAuth.REQUIRED)
          .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(tls.clientCaPem())));
    }
    return options;
  }
}
