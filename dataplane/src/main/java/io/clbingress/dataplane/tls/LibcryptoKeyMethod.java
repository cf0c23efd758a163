package io.clbingress.dataplane.tls;

import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.OpenSslPrivateKeyMethod;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.util.SimpleKeyManagerFactory;
import java.lang.ref.Cleaner;
import java.net.Socket;
import java.security.InvalidKeyException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * BoringSSL's private-key method ({@code SSL_PRIVATE_KEY_METHOD}, through Netty's
 * {@link OpenSslPrivateKeyMethod}) that
 * hands a TLS context's handshake signatures and RSA decryptions to the system's OpenSSL 3
 * ({@link Libcrypto}).
 *
 * <p>tcnative calls the method only for a handshake whose key material has no private key, so a
 * context is built from key managers that answer {@code getPrivateKey} with null
 * ({@link Offload#keyManagers()}), and the method goes on the context it was built into
 * ({@link Offload#installOn}); the key itself lives in libcrypto, freed once the context (which
 * holds this method) is gone.
 *
 * <p>Only a context with exactly one server key (RSA or ECDSA, PKCS#8-encodable) is offloaded:
 * with several, the method could not tell which one the handshake chose. Every other context keeps
 * its key in BoringSSL, as does every context when libcrypto is not available.
 */
final class LibcryptoKeyMethod implements OpenSslPrivateKeyMethod {

  private static final Cleaner CLEANER = Cleaner.create();
  /** The key types Netty asks its key managers for on the server side. */
  private static final String[] SERVER_KEY_TYPES = {"RSA", "EC"};

  /**
   * BoringSSL's signature schemes (their values come from tcnative's native code at run time) by
   * what libcrypto needs: the digest as {@link Libcrypto#sign} numbers it, and whether RSA-PSS.
   */
  private static final Map<Integer, Scheme> SCHEMES = Map.ofEntries(
      Map.entry(SSL_SIGN_RSA_PKCS1_SHA1, new Scheme(0, false)),
      Map.entry(SSL_SIGN_RSA_PKCS1_SHA256, new Scheme(1, false)),
      Map.entry(SSL_SIGN_RSA_PKCS1_SHA384, new Scheme(2, false)),
      Map.entry(SSL_SIGN_RSA_PKCS1_SHA512, new Scheme(3, false)),
      Map.entry(SSL_SIGN_ECDSA_SHA1, new Scheme(0, false)),
      Map.entry(SSL_SIGN_ECDSA_SECP256R1_SHA256, new Scheme(1, false)),
      Map.entry(SSL_SIGN_ECDSA_SECP384R1_SHA384, new Scheme(2, false)),
      Map.entry(SSL_SIGN_ECDSA_SECP521R1_SHA512, new Scheme(3, false)),
      Map.entry(SSL_SIGN_RSA_PSS_RSAE_SHA256, new Scheme(1, true)),
      Map.entry(SSL_SIGN_RSA_PSS_RSAE_SHA384, new Scheme(2, true)),
      Map.entry(SSL_SIGN_RSA_PSS_RSAE_SHA512, new Scheme(3, true)),
      Map.entry(SSL_SIGN_ED25519, new Scheme(-1, false)));

  private record Scheme(int digest, boolean pss) {
  }

  private final long key;

  private LibcryptoKeyMethod(long key) {
    this.key = key;
    CLEANER.register(this, () -> Libcrypto.freePrivateKey(key));
  }

  /**
   * What offloading a context's key takes: the key managers to build it from, and the method to
   * install once built. Empty when libcrypto is not available or the key managers do not hold
   * exactly one server key that libcrypto reads.
   */
  static Optional<Offload> offload(KeyManagerFactory factory) {
    if (Libcrypto.version().isEmpty() || factory == null) {
      return Optional.empty();
    }
    X509KeyManager manager = onlyX509(factory.getKeyManagers());
    if (manager == null) {
      return Optional.empty();
    }
    Set<String> aliases = new LinkedHashSet<>();
    for (String type : SERVER_KEY_TYPES) {
      String[] found = manager.getServerAliases(type, null);
      if (found != null) {
        aliases.addAll(Arrays.asList(found));
      }
    }
    if (aliases.size() != 1) {
      return Optional.empty();
    }
    PrivateKey privateKey = manager.getPrivateKey(aliases.iterator().next());
    byte[] encoded = privateKey == null || !"PKCS#8".equals(privateKey.getFormat()) ? null : privateKey.getEncoded();
    if (encoded == null) {
      return Optional.empty();
    }
    try {
      LibcryptoKeyMethod method = new LibcryptoKeyMethod(Libcrypto.parsePrivateKey(encoded));
      return Optional.of(new Offload(new OpenSslCachingX509KeyManagerFactory(new FixedKeyManagers(new KeylessManager(manager))), method));
    } catch (InvalidKeyException e) {
      return Optional.empty();
    } finally {
      Arrays.fill(encoded, (byte) 0);
    }
  }

  private static X509KeyManager onlyX509(KeyManager[] managers) {
    return managers != null && managers.length == 1 && managers[0] instanceof X509KeyManager x509 ? x509 : null;
  }

  /**
   * @param algorithm a TLS SignatureScheme (RFC 8446 section 4.2.3), as BoringSSL names them
   * @throws SSLException for a scheme other than RSA PKCS#1 v1.5, RSA-PSS (RSAE), ECDSA or Ed25519,
   *     or when libcrypto fails
   */
  @Override
  public byte[] sign(SSLEngine engine, int algorithm, byte[] input) throws SSLException {
    Scheme scheme = SCHEMES.get(algorithm);
    if (scheme == null) {
      throw new SSLException(String.format("signature scheme 0x%04x is not offered", algorithm));
    }
    byte[] signature = Libcrypto.sign(key, scheme.digest(), scheme.pss(), input);
    Libcrypto.counted();
    return signature;
  }

  /** RSA key exchange (TLS 1.2 {@code TLS_RSA_*} suites): raw RSA, BoringSSL removes the padding. */
  @Override
  public byte[] decrypt(SSLEngine engine, byte[] input) throws SSLException {
    byte[] plain = Libcrypto.decrypt(key, input);
    Libcrypto.counted();
    return plain;
  }

  /** Key managers without the private key, and the method that holds it. */
  record Offload(KeyManagerFactory keyManagers, LibcryptoKeyMethod method) {

    /**
     * Puts the method on a context built from {@link #keyManagers()}; false (and the context must
     * not be used) when it is not a tcnative one.
     */
    boolean installOn(SslContext context) {
      if (!(context instanceof ReferenceCountedOpenSslContext openSsl)) {
        return false;
      }
      openSsl.setPrivateKeyMethod(method);
      return true;
    }
  }

  /** A key manager factory that hands out the key managers it was made with. */
  static final class FixedKeyManagers extends SimpleKeyManagerFactory {

    private final KeyManager[] managers;

    FixedKeyManagers(KeyManager... managers) {
      this.managers = managers.clone();
    }

    @Override
    protected void engineInit(KeyStore keyStore, char[] password) {
    }

    @Override
    protected void engineInit(ManagerFactoryParameters parameters) {
    }

    @Override
    protected KeyManager[] engineGetKeyManagers() {
      return managers.clone();
    }
  }

  /** A server key manager that gives the certificate chain but never the private key. */
  private static final class KeylessManager extends X509ExtendedKeyManager {

    private final X509KeyManager delegate;

    KeylessManager(X509KeyManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return delegate.getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return delegate.chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return delegate instanceof X509ExtendedKeyManager extended
          ? extended.chooseEngineServerAlias(keyType, issuers, engine)
          : delegate.chooseServerAlias(keyType, issuers, null);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return delegate.getCertificateChain(alias);
    }

    /** Always null: the key is in libcrypto, and a null key is what makes tcnative call the method. */
    @Override
    public PrivateKey getPrivateKey(String alias) {
      return null;
    }
  }
}
