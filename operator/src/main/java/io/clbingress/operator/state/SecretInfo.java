package io.clbingress.operator.state;

/**
 * A Secret as translation needs it: its type and, decoded, {@code tls.crt}, {@code tls.key},
 * {@code ca.crt} and {@code ca.crl} (null when absent). Never logged: {@link #toString()} names
 * the Secret only.
 */
public record SecretInfo(ObjectRef ref, String type, String certificatePem, String privateKeyPem, String caPem,
    String crlPem) {

  public static final String TLS_TYPE = "kubernetes.io/tls";

  /** A Secret without {@code ca.crl}. */
  public SecretInfo(ObjectRef ref, String type, String certificatePem, String privateKeyPem, String caPem) {
    this(ref, type, certificatePem, privateKeyPem, caPem, null);
  }

  @Override
  public String toString() {
    return "SecretInfo[" + ref + " type=" + type + "]";
  }
}
