package io.clbingress.dataplane.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The TLS contexts of a server, each asking for a client certificate only when its trust managers
 * say so. Vert.x builds one context per SNI name with that name's key and trust managers
 * ({@link SniClientTrust}), but one client-auth setting for all; this wrapper of its context
 * factory asks (optionally, nginx's {@code ssl_verify_client optional}: the HTTP layer answers a
 * missing certificate) on the contexts whose trust managers are a {@link ClientCertificateRequest},
 * so that the other hosts of the same listener see no CertificateRequest. Every other context is
 * built exactly as Vert.x asked (a CLBListener's MUTUAL: required, its CA).
 *
 * <p>It also hands the private key of a BoringSSL server context to the system's OpenSSL 3 when it
 * can ({@link LibcryptoKeyMethod}).
 */
final class ClientAuthBySni implements SslContextFactory {

  private static final Logger LOG = LogManager.getLogger(ClientAuthBySni.class);

  private final SslContextFactory delegate;
  private final boolean tcnative;
  private TrustManagerFactory trustManagers;
  private KeyManagerFactory keyManagers;
  private boolean forClient;

  /** @param tcnative whether {@code delegate} builds BoringSSL contexts (keys may go to {@link Libcrypto}) */
  ClientAuthBySni(SslContextFactory delegate, boolean tcnative) {
    this.delegate = delegate;
    this.tcnative = tcnative;
  }

  @Override
  public SslContextFactory useAlpn(boolean useAlpn) {
    delegate.useAlpn(useAlpn);
    return this;
  }

  @Override
  public SslContextFactory clientAuth(ClientAuth clientAuth) {
    delegate.clientAuth(clientAuth);
    return this;
  }

  @Override
  public SslContextFactory forClient(boolean forClient) {
    this.forClient = forClient;
    delegate.forClient(forClient);
    return this;
  }

  @Override
  public SslContextFactory keyMananagerFactory(KeyManagerFactory factory) {
    keyManagers = factory;
    delegate.keyMananagerFactory(factory);
    return this;
  }

  @Override
  public SslContextFactory trustManagerFactory(TrustManagerFactory factory) {
    trustManagers = factory;
    delegate.trustManagerFactory(factory);
    return this;
  }

  @Override
  public SslContextFactory enabledCipherSuites(Set<String> cipherSuites) {
    delegate.enabledCipherSuites(cipherSuites);
    return this;
  }

  @Override
  public SslContextFactory applicationProtocols(List<String> protocols) {
    delegate.applicationProtocols(protocols);
    return this;
  }

  @Override
  public SslContextFactory serverName(String serverName) {
    delegate.serverName(serverName);
    return this;
  }

  @Override
  public SslContext create() throws SSLException {
    if (trustManagers != null) {
      for (TrustManager manager : trustManagers.getTrustManagers()) {
        if (manager instanceof ClientCertificateRequest) {
          delegate.clientAuth(ClientAuth.OPTIONAL);
          break;
        }
      }
    }
    Optional<LibcryptoKeyMethod.Offload> offload = tcnative && !forClient ? offload() : Optional.empty();
    if (offload.isEmpty()) {
      return delegate.create();
    }
    delegate.keyMananagerFactory(offload.get().keyManagers());
    SslContext context = delegate.create();
    if (offload.get().installOn(context)) {
      return context;
    }
    delegate.keyMananagerFactory(keyManagers);
    return delegate.create();
  }

  /** Offloading's plan for this context; empty, BoringSSL keeping the key, if anything in it fails. */
  private Optional<LibcryptoKeyMethod.Offload> offload() {
    try {
      return LibcryptoKeyMethod.offload(keyManagers);
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("TLS private key stays with BoringSSL: handing it to libcrypto failed", e);
      return Optional.empty();
    }
  }

  /** BoringSSL through tcnative, with contexts as above. */
  static final class OpenSsl extends OpenSSLEngineOptions {

    OpenSsl() {
    }

    private OpenSsl(OpenSsl other) {
      super(other);
    }

    @Override
    public OpenSsl copy() {
      return new OpenSsl(this);
    }

    @Override
    public SslContextFactory sslContextFactory() {
      return new ClientAuthBySni(super.sslContextFactory(), true);
    }
  }

  /** The JDK's SSLEngine, with contexts as above. */
  static final class Jdk extends JdkSSLEngineOptions {

    Jdk() {
    }

    private Jdk(Jdk other) {
      super(other);
    }

    @Override
    public Jdk copy() {
      return new Jdk(this);
    }

    @Override
    public SslContextFactory sslContextFactory() {
      return new ClientAuthBySni(super.sslContextFactory(), false);
    }
  }
}
