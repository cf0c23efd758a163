package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * Client certificates asked for by the TLS handshakes of one host on the default HTTPS listener,
 * and checked per request: ingress-nginx's {@code auth-tls-*} annotations
 * (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#client-certificate-authentication),
 * which configure nginx's {@code ssl_verify_client}, {@code ssl_client_certificate},
 * {@code ssl_crl} and {@code ssl_verify_depth} for the host's server.
 *
 * @param source the Ingress that asked for it, {@code Ingress namespace/name}
 * @param caPem PEM certificates that a client certificate must chain to (the Secret's
 *     {@code ca.crt}); null when they could not be read, which fails closed: no certificate
 *     verifies, so with {@link Verify#ON} every request of the host is refused
 * @param crlPem PEM certificate revocation lists (the Secret's {@code ca.crl}); a certificate one of
 *     them lists is refused; null for none
 * @param verify what a request without a valid certificate gets
 * @param depth the longest chain accepted, counted as nginx's {@code ssl_verify_depth}: 1 = the
 *     client certificate issued by a CA of {@code caPem}, 2 = with one intermediate, ...; at least 1
 * @param passCertificate the client certificate goes to the backend in {@code ssl-client-cert}
 *     (URL-encoded PEM, nginx's {@code $ssl_client_escaped_cert})
 * @param errorPage where a refused request is redirected (302) instead of answered 400, an http(s)
 *     URL that may end in {@code $request_uri}; null for 400
 * @param matchCn an RE2 pattern the certificate's subject DN (RFC 2253) must contain, else 403;
 *     null for none
 */
public record ClientCertificateAuth(String source, @JsonInclude(JsonInclude.Include.NON_NULL) String caPem,
    @JsonInclude(JsonInclude.Include.NON_NULL) String crlPem, Verify verify, int depth, boolean passCertificate,
    @JsonInclude(JsonInclude.Include.NON_NULL) String errorPage,
    @JsonInclude(JsonInclude.Include.NON_NULL) String matchCn) {

  /** nginx's {@code ssl_verify_client} values but {@code off} (which asks for nothing: no record at all). */
  public enum Verify {
    /** A valid certificate is required: none is 400 "No required SSL certificate was sent", an invalid one 400. */
    ON,
    /** None passes (verify {@code NONE}); an invalid one is 400 as with {@link #ON}. */
    OPTIONAL,
    /** Asked for but its issuer need not be known: none or one from an unknown CA passes; other errors are 400. */
    OPTIONAL_NO_CA
  }

  public ClientCertificateAuth {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(verify, "verify");
    if (depth < 1) {
      throw new IllegalArgumentException("client certificate verify depth " + depth + " is below 1");
    }
  }

  /** This policy failed closed: no CA, every certificate refused, whatever was asked. */
  public static ClientCertificateAuth refusingAll(String source) {
    return new ClientCertificateAuth(source, null, null, Verify.ON, 1, false, null, null);
  }
}
