package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.Certificate;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.SecretInfo;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a {@code kubernetes.io/tls} Secret into a {@link Certificate}, or into a problem naming
 * the Secret and why: missing, not of type TLS, no certificate or key, unparsable certificate, or
 * a private key that does not belong to the certificate, a certificate outside its validity
 * period at translation time, or one that does not cover one of its hosts (that host then gets
 * the default one).
 */
final class CertificateCheck {

  private CertificateCheck() {
  }

  /** For an Ingress's TLS hosts: @return the certificate, or null after adding a problem */
  static Certificate certificate(ObjectRef user, String field, String namespace, String secretName, List<String> hosts,
      Map<ObjectRef, SecretInfo> secrets, Instant now, List<Problem> problems) {
    return certificate(user, field, namespace, secretName, hosts, "; " + String.join(", ", hosts) + " get"
        + (hosts.size() == 1 ? "s" : "") + " the default certificate", secrets, now, problems);
  }

  /**
   * @param consequence what follows for the user when the Secret is wrong, e.g. "; the listener is
   *     not programmed"
   * @param now the time against which the certificate's validity period is checked
   * @return the certificate, or null after adding a problem
   */
  static Certificate certificate(ObjectRef user, String field, String namespace, String secretName, List<String> hosts,
      String consequence, Map<ObjectRef, SecretInfo> secrets, Instant now, List<Problem> problems) {
    ObjectRef ref = new ObjectRef("Secret", namespace, secretName);
    SecretInfo secret = secrets.get(ref);
    if (secret == null) {
      problems.add(new Problem(user, field, ref + " not found" + consequence));
      return null;
    }
    if (!SecretInfo.TLS_TYPE.equals(secret.type())) {
      problems.add(new Problem(user, field, ref + " is of type " + secret.type() + ", not " + SecretInfo.TLS_TYPE
          + consequence));
      return null;
    }
    if (secret.certificatePem() == null || secret.privateKeyPem() == null
        || !secret.privateKeyPem().contains("PRIVATE KEY-----")) {
      problems.add(new Problem(user, field, ref + " has no tls.crt and tls.key key pair" + consequence));
      return null;
    }
    X509Certificate certificate;
    try {
      Collection<? extends java.security.cert.Certificate> chain = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(secret.certificatePem().getBytes(StandardCharsets.UTF_8)));
      if (chain.isEmpty()) {
        throw new CertificateException("no certificate in tls.crt");
      }
      certificate = (X509Certificate) chain.iterator().next();
    } catch (CertificateException e) {
      problems.add(new Problem(user, field, ref + " tls.crt is not a PEM certificate (" + e.getMessage() + ")"
          + consequence));
      return null;
    }
    String mismatch = KeyPairCheck.mismatch(secret.certificatePem(), secret.privateKeyPem());
    if (mismatch != null) {
      problems.add(new Problem(user, field, ref + " " + mismatch + consequence));
      return null;
    }
    if (now.isAfter(certificate.getNotAfter().toInstant())) {
      problems.add(new Problem(user, field, ref + " holds a certificate that expired at "
          + certificate.getNotAfter().toInstant() + consequence));
      return null;
    }
    if (now.isBefore(certificate.getNotBefore().toInstant())) {
      problems.add(new Problem(user, field, ref + " holds a certificate not valid before "
          + certificate.getNotBefore().toInstant() + consequence));
      return null;
    }
    List<String> names = subjectAltNames(certificate);
    for (String host : hosts) {
      if (!covers(names, host)) {
        problems.add(new Problem(user, field, ref + " does not cover host " + host + " (it is for "
            + String.join(", ", names) + "); " + host + " gets the default certificate"));
      }
    }
    return new Certificate(ref.namespacedName(), hosts, secret.certificatePem(), secret.privateKeyPem(),
        certificate.getSubjectX500Principal().getName(), names, certificate.getNotAfter().toInstant().toString(),
        sha256(certificate));
  }

  static boolean covers(List<String> names, String host) {
    for (String name : names) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.equals(host)) {
        return true;
      }
      int dot = host.indexOf('.');
      if (lower.startsWith("*.") && dot > 0 && lower.substring(2).equals(host.substring(dot + 1))) {
        return true;
      }
    }
    return false;
  }

  private static List<String> subjectAltNames(X509Certificate certificate) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
      if (entries != null) {
        for (List<?> entry : entries) {
          Object kind = entry.get(0);
          if (Integer.valueOf(2).equals(kind) || Integer.valueOf(7).equals(kind)) {
            names.add(String.valueOf(entry.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      return names;
    }
    return names;
  }

  private static String sha256(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (NoSuchAlgorithmException | java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
