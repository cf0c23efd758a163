package io.clbingress.dataplane;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Certificates made with openssl at test time, and openssl/curl as TLS clients. */
final class Openssl {

  record Result(int exitCode, String output) {
  }

  private Openssl() {
  }

  static boolean available() {
    return run(Path.of("."), List.of("sh", "-c", "command -v openssl && command -v curl"), "").exitCode() == 0;
  }

  /** A self-signed certificate for {@code host} (and its SAN): writes NAME-cert.pem and NAME-key.pem. */
  static void certificate(Path dir, String name, String host) {
    certificate(dir, name, host, "rsa:2048");
  }

  /** The same with an ECDSA P-256 key. */
  static void ecdsaCertificate(Path dir, String name, String host) {
    certificate(dir, name, host, "ec:" + dir.resolve("p256.pem"));
  }

  private static void certificate(Path dir, String name, String host, String newkey) {
    if (newkey.startsWith("ec:")) {
      check(run(dir, List.of("openssl", "ecparam", "-name", "prime256v1", "-out", "p256.pem"), ""));
    }
    Result result = run(dir, List.of("openssl", "req", "-x509", "-newkey", newkey, "-nodes", "-days", "2",
        "-subj", "/CN=" + host, "-addext", "subjectAltName=DNS:" + host,
        "-keyout", name + "-key.pem", "-out", name + "-cert.pem"), "");
    if (result.exitCode() != 0) {
      throw new IllegalStateException("openssl req failed: " + result.output());
    }
  }

  /**
   * An openssl s_client handshake with 127.0.0.1:{@code port}: with SNI {@code serverName}
   * ({@code -noservername} when null) and {@code options}; its whole output.
   */
  static Result handshake(Path dir, int port, String serverName, List<String> options) {
    List<String> command = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
    command.addAll(options);
    if (serverName == null) {
      command.add("-noservername");
    } else {
      command.addAll(List.of("-servername", serverName));
    }
    return run(dir, command, "");
  }

  /** A CA (NAME-cert.pem, NAME-key.pem) and a client certificate CLIENT-cert.pem/-key.pem it signed. */
  static void caAndClient(Path dir, String ca, String client) {
    caAndClient(dir, ca, client, true);
  }

  /** A client certificate signed by the CA NAME-cert.pem/-key.pem, which is made first when {@code newCa}. */
  static void caAndClient(Path dir, String ca, String client, boolean newCa) {
    if (newCa) {
      check(run(dir, List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
          "-subj", "/CN=" + ca, "-keyout", ca + "-key.pem", "-out", ca + "-cert.pem"), ""));
    }
    check(run(dir, List.of("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + client,
        "-keyout", client + "-key.pem", "-out", client + ".csr"), ""));
    check(run(dir, List.of("openssl", "x509", "-req", "-in", client + ".csr", "-CA", ca + "-cert.pem",
        "-CAkey", ca + "-key.pem", "-CAcreateserial", "-days", "2", "-out", client + "-cert.pem"), ""));
  }

  /**
   * A CA, an intermediate CA it signed, and a client certificate the intermediate signed:
   * CLIENT-chain.pem holds the client certificate then the intermediate (what a client sends),
   * CLIENT-key.pem its key.
   */
  static void caIntermediateAndClient(Path dir, String ca, String intermediate, String client) {
    check(run(dir, List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=" + ca, "-keyout", ca + "-key.pem", "-out", ca + "-cert.pem"), ""));
    check(run(dir, List.of("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + intermediate,
        "-keyout", intermediate + "-key.pem", "-out", intermediate + ".csr"), ""));
    check(run(dir, List.of("sh", "-c", "printf 'basicConstraints=critical,CA:TRUE\\nkeyUsage=keyCertSign,cRLSign\\n' > "
        + intermediate + ".ext"), ""));
    check(run(dir, List.of("openssl", "x509", "-req", "-in", intermediate + ".csr", "-CA", ca + "-cert.pem",
        "-CAkey", ca + "-key.pem", "-CAcreateserial", "-days", "2", "-extfile", intermediate + ".ext",
        "-out", intermediate + "-cert.pem"), ""));
    caAndClient(dir, intermediate, client, false);
    check(run(dir, List.of("sh", "-c", "cat " + client + "-cert.pem " + intermediate + "-cert.pem > " + client
        + "-chain.pem"), ""));
  }

  /**
   * A CA and a client certificate it signed, then revoked: NAME.crl is the CA's CRL (PEM), which
   * lists it.
   */
  static void revokedClient(Path dir, String ca, String client) {
    caAndClient(dir, ca, client);
    check(run(dir, List.of("sh", "-c", "touch " + ca + "-index.txt && echo 01 > " + ca + "-crlnumber && printf '"
        + "[ca]\\ndefault_ca=d\\n[d]\\ndatabase=" + ca + "-index.txt\\ncrlnumber=" + ca + "-crlnumber\\n"
        + "default_md=sha256\\ndefault_crl_days=2\\n' > " + ca + "-ca.cnf"), ""));
    check(run(dir, List.of("openssl", "ca", "-config", ca + "-ca.cnf", "-keyfile", ca + "-key.pem", "-cert",
        ca + "-cert.pem", "-revoke", client + "-cert.pem"), ""));
    check(run(dir, List.of("openssl", "ca", "-config", ca + "-ca.cnf", "-keyfile", ca + "-key.pem", "-cert",
        ca + "-cert.pem", "-gencrl", "-out", ca + ".crl"), ""));
  }

  private static void check(Result result) {
    if (result.exitCode() != 0) {
      throw new IllegalStateException("openssl failed: " + result.output());
    }
  }

  /**
   * The routing table's certificate {@code test/NAME} for {@code host}, from {@link #certificate}'s
   * NAME-cert.pem and NAME-key.pem in {@code dir}.
   */
  static io.clbingress.dataplane.table.Certificate tableCertificate(Path dir, String name, String host) {
    return new io.clbingress.dataplane.table.Certificate("test/" + name, List.of(host),
        read(dir.resolve(name + "-cert.pem")), read(dir.resolve(name + "-key.pem")), "CN=" + host, List.of(host),
        "2030-01-01T00:00:00Z", name);
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Result run(Path dir, List<String> command, String stdin) {
    try {
      Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      return new Result(process.exitValue(), output);
    } catch (java.io.IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
