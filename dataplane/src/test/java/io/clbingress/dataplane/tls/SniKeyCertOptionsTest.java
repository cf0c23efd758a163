package io.clbingress.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SniKeyCertOptionsTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private static PemKeyCertOptions pair(SelfSignedCertificate certificate) {
    return new PemKeyCertOptions().setCertPath(certificate.certificatePath()).setKeyPath(certificate.privateKeyPath());
  }

  /**
   * With the OpenSSL engine, a plain key manager factory makes Netty encode the private key to PEM
   * and parse it back on every handshake (a third of the event loop under new TLS connections);
   * Netty's caching factory does it once per certificate.
   */
  @Test
  void fallbackAndNamedKeyMaterialIsCachedAcrossHandshakes() throws Exception {
    // Given a fallback certificate and one chosen by name
    SelfSignedCertificate fallback = SelfSignedCertificate.create("fallback.example.test");
    SelfSignedCertificate named = SelfSignedCertificate.create("named.example.test");
    SniKeyCertOptions options = new SniKeyCertOptions(pair(fallback),
        new PemKeyCertOptions().addCertPath(named.certificatePath()).addKeyPath(named.privateKeyPath()));
    // When Vert.x asks for the key managers of a handshake without SNI and of one for the name
    KeyManagerFactory withoutName = options.getKeyManagerFactory(vertx);
    KeyManagerFactory forName = options.keyManagerFactoryMapper(vertx).apply("named.example.test");
    // Then both cache their key material, and each still serves its own certificate
    assertThat(withoutName).isInstanceOf(OpenSslCachingX509KeyManagerFactory.class);
    assertThat(forName).isInstanceOf(OpenSslCachingX509KeyManagerFactory.class);
    assertThat(subject(withoutName)).contains("fallback.example.test");
    assertThat(subject(forName)).contains("named.example.test");
    // and a name no certificate covers is left to the fallback (null), as Vert.x expects
    assertThat(options.keyManagerFactoryMapper(vertx).apply("stranger.example.test")).isNull();
  }

  private static String subject(KeyManagerFactory factory) {
    X509KeyManager keys = (X509KeyManager) factory.getKeyManagers()[0];
    String alias = keys.chooseServerAlias("RSA", null, null);
    X509Certificate certificate = keys.getCertificateChain(alias)[0];
    return certificate.getSubjectX500Principal().getName();
  }
}
