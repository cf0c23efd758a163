package io.clbingress.dataplane.tls;

import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust manager of a handshake for a host with client certificates: the CertificateRequest
 * names the host's CAs, and any certificate the client sends is taken (its holder still proves
 * its key); {@link ClientVerification} verifies it per request, so that a wrong or missing
 * certificate gets nginx's HTTP answer (400, or the error page) rather than a failed handshake.
 * Only the handshake engine's wrapper ({@link ClientAuthBySni}) recognises it, to ask for a
 * certificate on these handshakes alone.
 */
final class ClientCertificateRequest extends X509ExtendedTrustManager {

  private final X509Certificate[] authorities;

  ClientCertificateRequest(List<X509Certificate> authorities) {
    this.authorities = authorities.toArray(new X509Certificate[0]);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return authorities.clone();
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) {
    // verified per request by ClientVerification
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
    // verified per request by ClientVerification
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    // verified per request by ClientVerification
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
    throw new java.security.cert.CertificateException("a server-side trust manager does not check servers");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws java.security.cert.CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws java.security.cert.CertificateException {
    checkServerTrusted(chain, authType);
  }
}
