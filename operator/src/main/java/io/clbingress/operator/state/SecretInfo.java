package io.clbingress.operator.state;

import java.util.Map;

/**
 * A Secret as translation needs it: its type and, decoded, {@code tls.crt}, {@code tls.key},
 * {@code ca.crt} and {@code ca.crl} (null when absent); for a Secret of another type than
 * {@code kubernetes.io/tls}, every key, decoded as UTF-8 (an htpasswd file under {@code auth}, or a
 * user per key). Never logged: {@link #toString()} names the Secret only.
 *
 * @param crlPem {@code ca.crl}: the revoked client certificates of a client-certificate CA, or null
 * @param data every key but of a TLS Secret (empty for those), as text
 */
public record SecretInfo(ObjectRef ref, String type, String certificatePem, String privateKeyPem, String caPem,
    String crlPem, Map<String, String> data) {

  public static final String TLS_TYPE = "kubernetes.io/tls";
  /** The type of a Secret made by {@code kubectl create secret generic}, as an htpasswd Secret is. */
  public static final String OPAQUE_TYPE = "Opaque";

  public SecretInfo {
    data = data == null ? Map.of() : Map.copyOf(data);
  }

  /** A Secret without keys besides the TLS ones and without a CRL. */
  public SecretInfo(ObjectRef ref, String type, String certificatePem, String privateKeyPem, String caPem) {
    this(ref, type, certificatePem, privateKeyPem, caPem, null, Map.of());
  }

  /** A Secret without a CRL, with these keys besides the TLS ones. */
  public SecretInfo(ObjectRef ref, String type, String certificatePem, String privateKeyPem, String caPem,
      Map<String, String> data) {
    this(ref, type, certificatePem, privateKeyPem, caPem, null, data);
  }

  @Override
  public String toString() {
    return "SecretInfo[" + ref + " type=" + type + "]";
  }
}
