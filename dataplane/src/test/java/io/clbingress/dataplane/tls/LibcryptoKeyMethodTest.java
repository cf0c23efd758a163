package io.clbingress.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslPrivateKeyMethod;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import java.math.BigInteger;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The system libcrypto's private-key operations, checked by the JDK: every signature scheme
 * BoringSSL may ask for verifies with the certificate's public key, and RSA decryption is raw.
 */
class LibcryptoKeyMethodTest {

  @TempDir
  static Path dir;
  static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    // The scheme constants come from tcnative's native code; the library itself is the point.
    assumeTrue(OpenSsl.isAvailable(), "netty-tcnative (BoringSSL) does not load on this platform");
    assumeTrue(Libcrypto.built(), "this build has no libclbcrypto (gcc was missing when it was built; .ci/run installs it)");
    assertThat(Libcrypto.version()).as("libcrypto.so.3 (libssl3) through the build's libclbcrypto").isPresent();
    vertx = Vertx.vertx();
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=rsa.example.test",
        "-keyout", "rsa-key.pem", "-out", "rsa-cert.pem");
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
        "-subj", "/CN=ec.example.test", "-keyout", "ec-key.pem", "-out", "ec-cert.pem");
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  void everyRsaSchemeVerifiesWithTheCertificatesPublicKey() throws Exception {
    LibcryptoKeyMethod.Offload offload = offload("rsa");
    byte[] message = "the handshake's signed content".getBytes();
    assertThat(verifies(offload, OpenSslPrivateKeyMethod.SSL_SIGN_RSA_PKCS1_SHA256, message, "SHA256withRSA")).isTrue();
    assertThat(verifies(offload, OpenSslPrivateKeyMethod.SSL_SIGN_RSA_PKCS1_SHA384, message, "SHA384withRSA")).isTrue();
    assertThat(verifies(offload, OpenSslPrivateKeyMethod.SSL_SIGN_RSA_PKCS1_SHA512, message, "SHA512withRSA")).isTrue();
    assertThat(verifies(offload, OpenSslPrivateKeyMethod.SSL_SIGN_RSA_PKCS1_SHA1, message, "SHA1withRSA")).isTrue();
    assertThat(verifiesPss(offload, OpenSslPrivateKeyMethod.SSL_SIGN_RSA_PSS_RSAE_SHA256, message, "SHA-256", 32)).isTrue();
    assertThat(verifiesPss(offload, OpenSslPrivateKeyMethod.SSL_SIGN_RSA_PSS_RSAE_SHA384, message, "SHA-384", 48)).isTrue();
    assertThat(verifiesPss(offload, OpenSslPrivateKeyMethod.SSL_SIGN_RSA_PSS_RSAE_SHA512, message, "SHA-512", 64)).isTrue();
    // and a signature over other content does not verify (the check above can fail)
    byte[] signature = offload.method().sign(null, OpenSslPrivateKeyMethod.SSL_SIGN_RSA_PKCS1_SHA256, message);
    Signature jdk = Signature.getInstance("SHA256withRSA");
    jdk.initVerify(publicKey(offload));
    jdk.update("other content".getBytes());
    assertThat(jdk.verify(signature)).isFalse();
  }

  @Test
  void ecdsaSignaturesVerifyWithTheCertificatesPublicKey() throws Exception {
    LibcryptoKeyMethod.Offload offload = offload("ec");
    byte[] message = "the handshake's signed content".getBytes();
    assertThat(verifies(offload, OpenSslPrivateKeyMethod.SSL_SIGN_ECDSA_SECP256R1_SHA256, message, "SHA256withECDSA")).isTrue();
  }

  @Test
  void rsaDecryptionIsRawForBoringSslToUnpad() throws Exception {
    LibcryptoKeyMethod.Offload offload = offload("rsa");
    RSAPublicKey publicKey = (RSAPublicKey) publicKey(offload);
    byte[] plain = new byte[256];
    new Random(7).nextBytes(plain);
    plain[0] = 0; // below the modulus
    Cipher cipher = Cipher.getInstance("RSA/ECB/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, publicKey);
    byte[] decrypted = offload.method().decrypt(null, cipher.doFinal(plain));
    assertThat(new BigInteger(1, decrypted)).isEqualTo(new BigInteger(1, plain));
  }

  @Test
  void aSchemeItDoesNotOfferIsAnErrorNotAWrongSignature() throws Exception {
    LibcryptoKeyMethod.Offload offload = offload("rsa");
    long before = Libcrypto.operations();
    assertThatThrownBy(() -> offload.method().sign(null, OpenSslPrivateKeyMethod.SSL_SIGN_RSA_PKCS1_MD5_SHA1, new byte[36]))
        .isInstanceOf(SSLException.class).hasMessageContaining("is not offered");
    assertThat(Libcrypto.operations()).isEqualTo(before);
  }

  @Test
  void theKeyManagersItBuildsWithGiveTheChainButNotTheKey() throws Exception {
    LibcryptoKeyMethod.Offload offload = offload("rsa");
    X509KeyManager keys = (X509KeyManager) offload.keyManagers().getKeyManagers()[0];
    String alias = keys.chooseServerAlias("RSA", null, null);
    assertThat(keys.getCertificateChain(alias)[0].getSubjectX500Principal().getName()).contains("rsa.example.test");
    assertThat(keys.getPrivateKey(alias)).isNull();
  }

  @Test
  void keyManagersWithTwoKeysStayWithBoringSsl() throws Exception {
    PemKeyCertOptions both = new PemKeyCertOptions()
        .addCertPath(dir.resolve("rsa-cert.pem").toString()).addKeyPath(dir.resolve("rsa-key.pem").toString())
        .addCertPath(dir.resolve("ec-cert.pem").toString()).addKeyPath(dir.resolve("ec-key.pem").toString());
    assertThat(LibcryptoKeyMethod.offload(both.getKeyManagerFactory(vertx))).isEmpty();
  }

  /** Whatever goes wrong in handing a key over, the context is still built, its key with BoringSSL. */
  @Test
  void aKeyManagerThatBreaksTheOffloadStillGetsItsContext() throws Exception {
    X509KeyManager real = (X509KeyManager) keyManagers("rsa").getKeyManagers()[0];
    // the real one's answers, but a failure when asked for its aliases
    X509KeyManager breaking = (X509KeyManager) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {X509KeyManager.class}, (proxy, method, arguments) -> {
          if (method.getName().equals("getServerAliases")) {
            throw new IllegalStateException("a key manager that fails when asked for its aliases");
          }
          return method.invoke(real, arguments);
        });
    KeyManagerFactory factory = new LibcryptoKeyMethod.FixedKeyManagers(breaking);
    assertThatThrownBy(() -> LibcryptoKeyMethod.offload(factory)).isInstanceOf(IllegalStateException.class);
    SslContext context = new ClientAuthBySni.OpenSsl().sslContextFactory().forClient(false).useAlpn(false)
        .keyMananagerFactory(factory).create();
    assertThat(context.isServer()).isTrue();
  }

  private static KeyManagerFactory keyManagers(String name) throws Exception {
    return new PemKeyCertOptions().setCertPath(dir.resolve(name + "-cert.pem").toString())
        .setKeyPath(dir.resolve(name + "-key.pem").toString()).getKeyManagerFactory(vertx);
  }

  private static LibcryptoKeyMethod.Offload offload(String name) throws Exception {
    return LibcryptoKeyMethod.offload(keyManagers(name)).orElseThrow();
  }

  private static PublicKey publicKey(LibcryptoKeyMethod.Offload offload) {
    X509KeyManager keys = (X509KeyManager) offload.keyManagers().getKeyManagers()[0];
    String alias = keys.getServerAliases("RSA", null) != null ? keys.getServerAliases("RSA", null)[0]
        : keys.getServerAliases("EC", null)[0];
    X509Certificate certificate = keys.getCertificateChain(alias)[0];
    return certificate.getPublicKey();
  }

  private static boolean verifies(LibcryptoKeyMethod.Offload offload, int scheme, byte[] message, String jdkName)
      throws Exception {
    Signature jdk = Signature.getInstance(jdkName);
    jdk.initVerify(publicKey(offload));
    jdk.update(message);
    return jdk.verify(offload.method().sign(null, scheme, message));
  }

  private static boolean verifiesPss(LibcryptoKeyMethod.Offload offload, int scheme, byte[] message, String digest,
      int saltLength) throws Exception {
    Signature jdk = Signature.getInstance("RSASSA-PSS");
    jdk.setParameter(new PSSParameterSpec(digest, "MGF1", new MGF1ParameterSpec(digest), saltLength, 1));
    jdk.initVerify(publicKey(offload));
    jdk.update(message);
    return jdk.verify(offload.method().sign(null, scheme, message));
  }

  private static void openssl(String... arguments) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }
}
