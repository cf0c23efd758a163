package io.clbingress.dataplane.metrics;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Why a TLS handshake with a client failed, as one of a fixed set of labels (so the series of
 * {@code clb_tls_handshake_errors_total} stay bounded whatever the exceptions say). Read from the
 * exception chain: its types and the messages of the JDK engine and of OpenSSL/BoringSSL
 * (netty-tcnative), which name the TLS alert (RFC 8446 §6.2) or the library's reason code.
 */
public enum HandshakeFailure {
  /** The client asked for a host name (SNI) the listener has no certificate for (alert unrecognized_name). */
  NO_SNI_MATCH("no_sni_match"),
  /** No TLS version in common (alert protocol_version; OpenSSL UNSUPPORTED_PROTOCOL, WRONG_VERSION_NUMBER). */
  PROTOCOL("protocol"),
  /** No cipher suite in common (OpenSSL NO_SHARED_CIPHER; JDK "no cipher suites in common"). */
  CIPHER("cipher"),
  /** The client refused the data plane's certificate (it sent bad_certificate, unknown_ca, certificate_unknown ...). */
  CERTIFICATE("certificate"),
  /** The client's certificate was missing or did not verify against the listener's client CA. */
  CLIENT_CERTIFICATE("client_certificate"),
  /** The handshake did not complete within the handshake timeout. */
  TIMEOUT("timeout"),
  /** The bytes were no TLS record at all (plain HTTP sent to an HTTPS port, say). */
  NOT_TLS("not_tls"),
  /** Any other failure (a reset during the handshake, an alert not listed above). */
  OTHER("other");

  private final String label;

  HandshakeFailure(String label) {
    this.label = label;
  }

  /** The metric label. */
  public String label() {
    return label;
  }

  /**
   * The failure of a handshake, or null when {@code error} is no TLS failure (a connection error
   * before the HTTP connection was made, which the TLS metric does not count).
   */
  public static HandshakeFailure of(Throwable error) {
    boolean tls = false;
    StringBuilder messages = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SslHandshakeTimeoutException) {
        return TIMEOUT;
      }
      if (t instanceof NotSslRecordException) {
        return NOT_TLS;
      }
      tls |= t instanceof SSLException;
      if (t.getMessage() != null) {
        messages.append(t.getMessage()).append('\n');
      }
    }
    return tls ? ofMessage(messages.toString().toLowerCase(Locale.ROOT)) : null;
  }

  private static HandshakeFailure ofMessage(String m) {
    if (m.contains("unrecognized_name") || m.contains("unrecognized name")) {
      return NO_SNI_MATCH;
    }
    if (m.contains("timed out")) {
      return TIMEOUT;
    }
    if (m.contains("protocol_version") || m.contains("unsupported_protocol") || m.contains("wrong_version_number")
        || m.contains("version_too_low") || m.contains("no appropriate protocol") || m.contains("is not enabled or supported")
        || m.contains("unsupported protocol") || m.contains("no protocols")) {
      return PROTOCOL;
    }
    if (m.contains("no_shared_cipher") || m.contains("no cipher suites in common") || m.contains("insufficient_security")) {
      return CIPHER;
    }
    // Our own check of the client's certificate (a client-certificate listener or host).
    if (m.contains("peer_did_not_return_a_certificate") || m.contains("empty client certificate chain")
        || m.contains("null cert chain") || m.contains("certificate_verify_failed") || m.contains("certificate_required")
        || m.contains("pkix path") || m.contains("unable to find valid certification path")) {
      return CLIENT_CERTIFICATE;
    }
    // An alert the client sent about the certificate we presented.
    if (m.contains("bad_certificate") || m.contains("unknown_ca") || m.contains("certificate_unknown")
        || m.contains("certificate_expired") || m.contains("bad certificate") || m.contains("unknown ca")
        || m.contains("certificate unknown") || m.contains("certificate expired")) {
      return CERTIFICATE;
    }
    return OTHER;
  }
}
