package io.clbingress.dataplane.tls;

import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.Objects;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;

/**
 * Certificates of a TLS listener, split by the question they answer. A handshake whose SNI name
 * one of {@code byName}'s certificates covers (exactly, or as a one-label wildcard) gets that
 * certificate; a handshake without SNI, or for a name no certificate covers, gets
 * {@code fallback} and only it.
 *
 * <p>Vert.x, given one set of certificates, answers the second kind of handshake from all of them,
 * and the key manager then picks by key type: once any tenant's ECDSA certificate is loaded, a
 * stranger's handshake gets that tenant's certificate (and an RSA-only client fails). Keeping the
 * fallback in a key store of its own is what ingress-nginx's default server does with
 * {@code --default-ssl-certificate}.
 *
 * <p>Every key manager factory handed out is wrapped in Netty's
 * {@link OpenSslCachingX509KeyManagerFactory}: with the OpenSSL engine, Netty otherwise encodes the
 * chosen private key to PEM and parses it back (checking the RSA key) on every handshake, which
 * was a third of the event loop's time under new TLS connections. The wrapper changes nothing for
 * the JDK engine.
 */
final class SniKeyCertOptions implements KeyCertOptions {

  private final PemKeyCertOptions fallback;
  private final PemKeyCertOptions byName;

  /**
   * @param fallback exactly one certificate and key: the answer to every name nothing else covers
   * @param byName every certificate chosen by SNI name (the fallback may be among them)
   */
  SniKeyCertOptions(PemKeyCertOptions fallback, PemKeyCertOptions byName) {
    this.fallback = Objects.requireNonNull(fallback);
    this.byName = Objects.requireNonNull(byName);
  }

  @Override
  public KeyCertOptions copy() {
    return new SniKeyCertOptions(fallback.copy(), byName.copy());
  }

  /** The key managers of handshakes that no SNI name matched: the fallback's alone. */
  @Override
  public KeyManagerFactory getKeyManagerFactory(Vertx vertx) throws Exception {
    return cachingKeyMaterial(fallback.getKeyManagerFactory(vertx));
  }

  /** For a server name, the key managers of the certificates covering it; null when none does. */
  @Override
  public Function<String, KeyManagerFactory> keyManagerFactoryMapper(Vertx vertx) throws Exception {
    Function<String, KeyManagerFactory> mapper = byName.keyManagerFactoryMapper(vertx);
    // Vert.x asks once per name and keeps the TLS context it builds from the answer.
    return mapper == null ? null : name -> cachingKeyMaterial(mapper.apply(name));
  }

  private static KeyManagerFactory cachingKeyMaterial(KeyManagerFactory factory) {
    return factory == null || factory instanceof OpenSslCachingX509KeyManagerFactory ? factory
        : new OpenSslCachingX509KeyManagerFactory(factory);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SniKeyCertOptions that && fallback.equals(that.fallback) && byName.equals(that.byName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(fallback, byName);
  }
}
