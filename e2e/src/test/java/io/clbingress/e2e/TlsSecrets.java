package io.clbingress.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Certificates made with openssl, and the kubernetes.io/tls Secrets (namespace e2e) that carry them. */
final class TlsSecrets {

  private TlsSecrets() {
  }

  /** A self-signed certificate for {@code host} made with openssl: cert.pem and key.pem in a new directory. */
  static Path selfSigned(String host) throws Exception {
    Path certs = Files.createTempDirectory("e2e-tls");
    Processes.Run openssl = Processes.run(certs, List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-days", "1", "-subj", "/CN=" + host, "-addext", "subjectAltName=DNS:" + host,
        "-keyout", "key.pem", "-out", "cert.pem"), 60);
    assertThat(openssl.exitCode()).as(openssl.stderr()).isZero();
    return certs;
  }

  /** A Secret {@code e2e/name} of type kubernetes.io/tls with the certificate of {@code certs}, and a document separator. */
  static String secret(String name, Path certs) throws IOException {
    java.util.Base64.Encoder base64 = java.util.Base64.getEncoder();
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: %s, namespace: e2e}
        type: kubernetes.io/tls
        data: {tls.crt: %s, tls.key: %s}
        ---
        """.formatted(name, base64.encodeToString(Files.readAllBytes(certs.resolve("cert.pem"))),
        base64.encodeToString(Files.readAllBytes(certs.resolve("key.pem"))));
  }
}
