package io.clbingress.dataplane.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The system's OpenSSL 3 {@code libcrypto.so.3}, reached through the project's small JNI library
 * {@code clbcrypto} (built from {@code src/main/c/clbcrypto.c} into the jar), for the private-key
 * operations of TLS handshakes: see {@link LibcryptoKeyMethod}.
 *
 * <p>Why: a full handshake costs one signature with the certificate's key, and with RSA-2048 that
 * signature is most of the handshake's CPU. OpenSSL 3 signs RSA-2048 with AVX-512 IFMA where the
 * CPU has it (about 3,800 signatures/s on one core of the development machine against about
 * 1,260/s for the BoringSSL bundled in netty-tcnative, {@code openssl speed rsa2048}); nginx gets
 * the same from the same library. Everything else of TLS stays in BoringSSL.
 *
 * <p>Not available (and BoringSSL does it all, as before) when the JVM property
 * {@code clb.tls.libcrypto} is {@code false}, on a platform the jar has no build of
 * {@code clbcrypto} for, or when {@code libcrypto.so.3} is missing or not OpenSSL 3; the reason is
 * logged once at INFO.
 */
public final class Libcrypto {

  private static final Logger LOG = LogManager.getLogger(Libcrypto.class);
  private static final String SONAME = "libcrypto.so.3";
  private static final String RESOURCE =
      "/native/libclbcrypto-linux-" + System.getProperty("os.arch").toLowerCase(Locale.ROOT) + ".so";
  private static final LongAdder OPERATIONS = new LongAdder();
  private static final Optional<String> VERSION = load();

  private Libcrypto() {
  }

  /** The OpenSSL version string when the system libcrypto does the private-key operations. */
  public static Optional<String> version() {
    return VERSION;
  }

  /** Private-key operations (signatures and decryptions) libcrypto has done since start. */
  public static long operations() {
    return OPERATIONS.sum();
  }

  static void counted() {
    OPERATIONS.increment();
  }

  /** Whether this build has libclbcrypto for this platform (built when gcc was there). */
  public static boolean built() {
    return Libcrypto.class.getResource(RESOURCE) != null;
  }

  private static Optional<String> load() {
    if ("false".equals(System.getProperty("clb.tls.libcrypto"))) {
      LOG.info("TLS private-key operations: BoringSSL (clb.tls.libcrypto=false)");
      return Optional.empty();
    }
    try (InputStream library = Libcrypto.class.getResourceAsStream(RESOURCE)) {
      if (library == null) {
        LOG.info("TLS private-key operations: BoringSSL (this build has no {})", RESOURCE);
        return Optional.empty();
      }
      // Where Netty unpacks its own native libraries, so that one writable directory serves both.
      Path dir = Path.of(System.getProperty("io.netty.native.workdir", System.getProperty("java.io.tmpdir")));
      Path file = Files.createTempFile(dir, "libclbcrypto", ".so");
      try {
        Files.copy(library, file, StandardCopyOption.REPLACE_EXISTING);
        System.load(file.toAbsolutePath().toString());
      } finally {
        Files.deleteIfExists(file);
      }
      String version = open(SONAME);
      LOG.info("TLS private-key operations: {} ({})", version, SONAME);
      return Optional.of(version);
    } catch (IOException | RuntimeException | LinkageError e) {
      LOG.info("TLS private-key operations: BoringSSL ({})", e.toString());
      return Optional.empty();
    }
  }

  /** dlopen()s the library and looks up what the others need; its version, or UnsatisfiedLinkError. */
  private static native String open(String soname);

  /** A DER (PKCS#8) private key as libcrypto's EVP_PKEY; InvalidKeyException if it cannot read it. */
  static native long parsePrivateKey(byte[] der) throws java.security.InvalidKeyException;

  static native void freePrivateKey(long key);

  /**
   * Signs {@code input} (hashing it first): {@code digest} 0..3 is SHA-1, SHA-256, SHA-384,
   * SHA-512, -1 none (Ed25519); {@code pss} RSASSA-PSS with a digest-long salt, else PKCS#1 v1.5.
   */
  static native byte[] sign(long key, int digest, boolean pss, byte[] input) throws javax.net.ssl.SSLException;

  /** Raw RSA decryption, no padding removed. */
  static native byte[] decrypt(long key, byte[] input) throws javax.net.ssl.SSLException;
}
