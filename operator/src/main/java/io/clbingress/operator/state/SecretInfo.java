package io.clbingress.operator.state;

/**
 * A Secret as translation needs it: its type and, decoded, {@code tls.crt}, {@code tls.key} and
 * {@code ca.crt} (null when absent). Never logged: {@link #toString()} names the Secret only.
 */
public record SecretInfo(ObjectRef ref, String type, String certificatePem, String privateKeyPem, String caPem) {

  public static final String TLS_TYPE = "kubernetes.io/tls";

  @Override
  public String toString() {
    return "SecretInfo[" + ref + " type=" + type + "]";
  }
}
