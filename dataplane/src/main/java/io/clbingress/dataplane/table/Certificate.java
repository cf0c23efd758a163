package io.clbingress.dataplane.table;

import java.util.List;
import java.util.Objects;

/**
 * A certificate chain and its private key, from a {@code kubernetes.io/tls} Secret, with what a
 * person needs to recognise it. The private key travels to data planes over the authenticated
 * control channel only; {@code /config} and logs show the other fields.
 *
 * @param name {@code namespace/secret}
 * @param hosts the hosts it was asked to serve (lower case)
 */
public record Certificate(String name, List<String> hosts, String certificatePem, String privateKeyPem,
    String subject, List<String> subjectAltNames, String notAfter, String sha256) {

  public Certificate {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(certificatePem, "certificatePem");
    Objects.requireNonNull(privateKeyPem, "privateKeyPem");
    hosts = List.copyOf(hosts);
    subjectAltNames = List.copyOf(subjectAltNames);
  }

  @Override
  public String toString() {
    return "Certificate[" + name + " " + subject + " until " + notAfter + " sha256=" + sha256 + "]";
  }
}
