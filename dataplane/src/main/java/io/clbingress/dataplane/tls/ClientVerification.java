package io.clbingress.dataplane.tls;

import com.google.re2j.Pattern;
import io.clbingress.dataplane.table.ClientCertificateAuth;
import io.clbingress.dataplane.table.ClientCertificateAuth.Verify;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CRL;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The client certificate checks of a host or listener, compiled once per routing table: what the
 * handshake asked for ({@link ClientCertificateRequest}) is verified here, once per TLS session
 * (the result is kept in the session), as nginx verifies for {@code ssl_verify_client}, and
 * decides each request and the {@code ssl-client-*} headers the backend receives.
 *
 * <p>The handshake accepts any certificate whose holder proves its key (as nginx does, so that a
 * failure is an HTTP answer, 400 or the error page, and not a broken handshake); the chain is
 * then built from the client certificate through the certificates the client sent to one of the
 * CA certificates, at most {@code depth} certificates long without the CA (nginx's
 * {@code ssl_verify_depth}), checked by the JDK's PKIX validator (signatures, validity dates,
 * basic constraints) and against the CRLs ({@code ca.crl}: a listed certificate is refused; a
 * certificate no CRL covers passes). The CRLs are the administrator's own Secret and are taken as
 * they are, their signatures not checked.
 */
public final class ClientVerification {

  /** The session value under which a verification result is kept. */
  private static final String SESSION_KEY = "io.clbingress.client-certificate";

  /** A CLBListener with mode MUTUAL: its handshake required a certificate of its CA, nothing more to check. */
  public static final ClientVerification HANDSHAKE = new ClientVerification(null, List.of(), List.of(), null);

  /** What a session's client certificate is, for one {@link ClientVerification}. */
  public enum Status { SUCCESS, NONE, UNKNOWN_ISSUER, FAILED }

  /**
   * A session's verification.
   *
   * @param verify nginx's {@code $ssl_client_verify}: {@code SUCCESS}, {@code NONE} or {@code FAILED:reason}
   * @param subject the client certificate's subject DN (RFC 2253), or null
   * @param issuer its issuer DN, or null
   * @param escapedPem its PEM, URL-encoded (nginx's {@code $ssl_client_escaped_cert}), or null
   */
  public record Result(ClientVerification by, Status status, String verify, String subject, String issuer,
      String escapedPem) {

    /**
     * Sets the headers ingress-nginx sends to a backend of a host with client certificates:
     * {@code ssl-client-verify}, {@code ssl-client-subject-dn} and {@code ssl-client-issuer-dn}
     * when there is a certificate, and {@code ssl-client-cert} when the host passes it on.
     */
    public void applyTo(BiConsumer<String, String> to) {
      to.accept("ssl-client-verify", verify);
      if (subject != null) {
        to.accept("ssl-client-subject-dn", subject);
        to.accept("ssl-client-issuer-dn", issuer);
      }
      if (escapedPem != null && by.auth != null && by.auth.passCertificate()) {
        to.accept("ssl-client-cert", escapedPem);
      }
    }
  }

  private static final Result NONE = new Result(null, Status.NONE, "NONE", null, null, null);

  private final ClientCertificateAuth auth;
  private final List<X509Certificate> authorities;
  private final List<X509CRL> revocations;
  private final Pattern matchCn;

  private ClientVerification(ClientCertificateAuth auth, List<X509Certificate> authorities, List<X509CRL> revocations,
      Pattern matchCn) {
    this.auth = auth;
    this.authorities = authorities;
    this.revocations = revocations;
    this.matchCn = matchCn;
  }

  /**
   * A host's checks. A CA or CRL that does not parse counts as none (no certificate verifies: the
   * operator reports such a Secret and fails closed before it comes here).
   */
  public static ClientVerification of(ClientCertificateAuth auth) {
    return new ClientVerification(auth, certificates(auth.caPem()), crls(auth.crlPem()),
        auth.matchCn() == null ? null : Pattern.compile(auth.matchCn()));
  }

  /** The table's policy, or null for a listener's mutual TLS. */
  public ClientCertificateAuth auth() {
    return auth;
  }

  /** Whether these checks belong to one host of a shared listener (chosen by SNI), not to a whole listener. */
  public boolean perHost() {
    return auth != null;
  }

  /** The CA certificates a client certificate must chain to (the handshake names them to the client). */
  List<X509Certificate> authorities() {
    return authorities;
  }

  /**
   * The answer a request gets before anything else when its session's certificate does not do, 0
   * when it passes: 400 for a missing certificate that {@link Verify#ON} requires or a certificate
   * that does not verify (unless {@link Verify#OPTIONAL_NO_CA} and only its issuer is unknown), as
   * nginx's 496 and 495 (answered 400); 403 when the subject does not match {@code matchCn}
   * (ingress-nginx's {@code auth-tls-match-cn}).
   */
  public int refusal(Result result) {
    if (auth == null) {
      return 0;
    }
    boolean passes = switch (result.status()) {
      case SUCCESS -> true;
      case NONE -> auth.verify() != Verify.ON;
      case UNKNOWN_ISSUER -> auth.verify() == Verify.OPTIONAL_NO_CA && auth.caPem() != null;
      case FAILED -> false;
    };
    if (!passes) {
      return 400;
    }
    return matchCn != null && (result.subject() == null || !matchCn.matcher(result.subject()).find()) ? 403 : 0;
  }

  /**
   * Where a refused request is redirected (302), or null to answer 400: the error page, whose
   * final {@code $request_uri} (as nginx expands it in {@code error_page}) becomes the request's target.
   */
  public String errorLocation(String requestUri) {
    String page = auth == null ? null : auth.errorPage();
    String variable = "$request_uri";
    return page == null || !page.endsWith(variable) ? page
        : page.substring(0, page.length() - variable.length()) + requestUri;
  }

  /** The text of a 400 for a session (null for a plain connection): nginx's for a missing certificate and for one that does not verify. */
  public String refusalText(SSLSession session) {
    return verify(session).status() == Status.NONE ? "No required SSL certificate was sent" : "The SSL certificate error";
  }

  /**
   * The verification of a session's client certificate, computed at its first request and kept in
   * the session; {@code NONE} for a plain connection (null session) or a session without one.
   */
  public Result verify(SSLSession session) {
    if (session == null) {
      return NONE;
    }
    Object kept = session.getValue(SESSION_KEY);
    if (kept instanceof Result result && result.by() == this) {
      return result;
    }
    Result result = verifyChain(peerCertificates(session));
    session.putValue(SESSION_KEY, result);
    return result;
  }

  private static List<X509Certificate> peerCertificates(SSLSession session) {
    try {
      List<X509Certificate> chain = new ArrayList<>();
      for (java.security.cert.Certificate certificate : session.getPeerCertificates()) {
        if (certificate instanceof X509Certificate x509) {
          chain.add(x509);
        }
      }
      return chain;
    } catch (SSLPeerUnverifiedException e) {
      return List.of(); // no certificate sent
    }
  }

  /** The verification of a chain as the client sent it (client certificate first). */
  Result verifyChain(List<X509Certificate> chain) {
    if (chain.isEmpty()) {
      return new Result(this, Status.NONE, "NONE", null, null, null);
    }
    X509Certificate leaf = chain.get(0);
    String subject = leaf.getSubjectX500Principal().getName();
    String issuer = leaf.getIssuerX500Principal().getName();
    String pem = escapedPem(leaf);
    if (auth == null) {
      return new Result(this, Status.SUCCESS, "SUCCESS", subject, issuer, pem); // the handshake verified it
    }
    String failure = failure(chain);
    Status status = failure == null ? Status.SUCCESS
        : failure.equals(UNKNOWN_ISSUER) || failure.equals(SELF_SIGNED) ? Status.UNKNOWN_ISSUER : Status.FAILED;
    return new Result(this, status, failure == null ? "SUCCESS" : "FAILED:" + failure, subject, issuer, pem);
  }

  // OpenSSL's texts (X509_verify_cert_error_string), which nginx puts after "FAILED:"
  private static final String UNKNOWN_ISSUER = "unable to get local issuer certificate";
  private static final String SELF_SIGNED = "self-signed certificate";

  /** Why the chain does not verify, or null when it does. */
  private String failure(List<X509Certificate> chain) {
    List<X509Certificate> path = new ArrayList<>(List.of(chain.get(0)));
    X509Certificate anchor = null;
    while (anchor == null) {
      X509Certificate current = path.get(path.size() - 1);
      anchor = issuerAmong(current, authorities);
      if (anchor != null) {
        break;
      }
      X509Certificate next = issuerAmong(current, chain);
      if (next == null || path.contains(next)) {
        return current.getSubjectX500Principal().equals(current.getIssuerX500Principal()) ? SELF_SIGNED : UNKNOWN_ISSUER;
      }
      path.add(next);
    }
    if (path.size() > auth.depth()) {
      return "certificate chain too long";
    }
    try {
      PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
      parameters.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path),
          parameters);
    } catch (CertPathValidatorException e) {
      if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
        return "certificate has expired";
      }
      if (e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
        return "certificate is not yet valid";
      }
      return "certificate verify failed";
    } catch (GeneralSecurityException e) {
      return "certificate verify failed";
    }
    for (X509Certificate certificate : path) {
      for (X509CRL crl : revocations) {
        if (crl.getIssuerX500Principal().equals(certificate.getIssuerX500Principal()) && crl.isRevoked(certificate)) {
          return "certificate revoked";
        }
      }
    }
    return null;
  }

  /** The certificate of {@code candidates} that issued {@code certificate} (name and signature), or null. */
  private static X509Certificate issuerAmong(X509Certificate certificate, List<X509Certificate> candidates) {
    for (X509Certificate candidate : candidates) {
      if (candidate != certificate && candidate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())
          && signedBy(certificate, candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static boolean signedBy(X509Certificate certificate, X509Certificate issuer) {
    try {
      certificate.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The PEM of a certificate, URL-encoded as nginx's {@code $ssl_client_escaped_cert}. */
  static String escapedPem(X509Certificate certificate) {
    try {
      String pem = "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
      StringBuilder escaped = new StringBuilder(pem.length() + 64);
      for (byte b : pem.getBytes(StandardCharsets.US_ASCII)) {
        char c = (char) b;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
            || c == '_' || c == '~') {
          escaped.append(c);
        } else {
          escaped.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
              .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
        }
      }
      return escaped.toString();
    } catch (java.security.cert.CertificateEncodingException e) {
      return null;
    }
  }

  static List<X509Certificate> certificates(String pem) {
    if (pem == null) {
      return List.of();
    }
    try {
      List<X509Certificate> certificates = new ArrayList<>();
      for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        certificates.add((X509Certificate) c);
      }
      return List.copyOf(certificates);
    } catch (GeneralSecurityException e) {
      return List.of();
    }
  }

  private static List<X509CRL> crls(String pem) {
    if (pem == null) {
      return List.of();
    }
    try {
      List<X509CRL> crls = new ArrayList<>();
      for (CRL crl : CertificateFactory.getInstance("X.509")
          .generateCRLs(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        crls.add((X509CRL) crl);
      }
      return List.copyOf(crls);
    } catch (GeneralSecurityException e) {
      return List.of();
    }
  }
}
