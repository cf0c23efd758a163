package io.clbingress.dataplane.tls;

import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Who does the TLS work of the listeners: BoringSSL through Netty's tcnative (as nginx does with
 * OpenSSL; several times the JDK's handshake rate) or the JDK's SSLEngine, which needs nothing
 * native and is the fallback where the BoringSSL library cannot load.
 */
public enum TlsEngine {
  OPENSSL, JDK;

  private static final Logger LOG = LogManager.getLogger(TlsEngine.class);

  /** The engine to use: the one asked for, or the JDK's when BoringSSL cannot load here. */
  public TlsEngine orFallback() {
    if (this == OPENSSL && !OpenSSLEngineOptions.isAvailable()) {
      Throwable cause = io.netty.handler.ssl.OpenSsl.unavailabilityCause();
      LOG.warn("TLS engine openssl is not available on this platform ({}); using the JDK's",
          cause == null ? "unknown cause" : cause.toString());
      return JDK;
    }
    if (this == OPENSSL) {
      // Loads (and logs) at start who makes the handshakes' signatures, not on an event loop at the first handshake.
      Libcrypto.version();
    }
    return this;
  }

  SSLEngineOptions options() {
    return this == OPENSSL ? new ClientAuthBySni.OpenSsl() : new ClientAuthBySni.Jdk();
  }
}
