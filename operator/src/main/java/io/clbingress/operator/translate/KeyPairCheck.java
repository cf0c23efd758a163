package io.clbingress.operator.translate;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * Whether a Secret's {@code tls.key} belongs to its {@code tls.crt}. The pair is read as the data
 * plane reads it (Vert.x's PEM reader: PKCS#8, PKCS#1 RSA, SEC1 EC), so a pair accepted here also
 * loads there; then a message signed with the key must verify with the certificate's public key.
 * Results are remembered per pair, because every rebuild checks every certificate again.
 */
final class KeyPairCheck {

  private static final byte[] PROBE = "clb-ingress key pair check".getBytes(StandardCharsets.US_ASCII);
  private static final int REMEMBERED = 4096;
  private static final Map<String, String> RESULTS = Collections.synchronizedMap(
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > REMEMBERED;
        }
      });

  private KeyPairCheck() {
  }

  /** @return null when the key belongs to the certificate, else why not (never the key itself) */
  static String mismatch(String certificatePem, String privateKeyPem) {
    String result = RESULTS.computeIfAbsent(certificatePem + '\n' + privateKeyPem,
        pair -> check(certificatePem, privateKeyPem));
    return result.isEmpty() ? null : result;
  }

  private static String check(String certificatePem, String privateKeyPem) {
    PrivateKey key;
    X509Certificate certificate;
    try {
      PemKeyCertOptions pair = new PemKeyCertOptions()
          .addCertValue(Buffer.buffer(certificatePem)).addKeyValue(Buffer.buffer(privateKeyPem));
      // No Vert.x instance is needed to read values (only to read files).
      KeyStore store = pair.loadKeyStore(null);
      String alias = store.aliases().nextElement();
      KeyManager manager = pair.getKeyManagerFactory(null).getKeyManagers()[0];
      key = ((X509KeyManager) manager).getPrivateKey(alias);
      certificate = (X509Certificate) store.getCertificate(alias);
    } catch (Exception e) {
      return "tls.key cannot be read with tls.crt (" + e.getMessage() + ")";
    }
    if (key == null || certificate == null) {
      return "tls.key cannot be read with tls.crt";
    }
    try {
      String algorithm = switch (key.getAlgorithm()) {
        case "RSA" -> "SHA256withRSA";
        case "EC" -> "SHA256withECDSA";
        default -> key.getAlgorithm(); // Ed25519, Ed448, EdDSA sign without a digest name
      };
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(PROBE);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(PROBE);
      return verifier.verify(signature) ? "" : "tls.key does not belong to the certificate in tls.crt";
    } catch (java.security.GeneralSecurityException e) {
      return "tls.key does not belong to the certificate in tls.crt (" + e.getMessage() + ")";
    }
  }
}
