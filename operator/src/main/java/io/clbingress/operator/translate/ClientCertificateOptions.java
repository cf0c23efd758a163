package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.ClientCertificateAuth;
import io.clbingress.dataplane.table.ClientCertificateAuth.Verify;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.SecretInfo;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CRLException;
import java.util.List;
import java.util.Map;

/**
 * An Ingress's client certificate annotations (ingress-nginx's {@code auth-tls-*}, documented at
 * https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#client-certificate-authentication),
 * read with the others; the Secret is looked up when the table is made ({@link #resolve}).
 *
 * @param secret the Secret with {@code ca.crt} (and maybe {@code ca.crl})
 * @param secretKey the annotation that named it, ours or ingress-nginx's, for problems
 * @param verify {@code auth-tls-verify-client} (never {@code off}: then there are no options)
 * @param depth {@code auth-tls-verify-depth}, 1–100
 * @param errorPage {@code auth-tls-error-page}, or null
 * @param matchCn {@code auth-tls-match-cn}, or null
 */
record ClientCertificateOptions(ObjectRef secret, String secretKey, Verify verify, int depth, boolean passCertificate,
    String errorPage, String matchCn) {

  /** The annotations, all of which guard access: a wrong value fails closed ({@link FailClosed}). */
  static final List<AnnotationSpec> ALL = List.of(AnnotationSpec.AUTH_TLS_SECRET, AnnotationSpec.AUTH_TLS_VERIFY_CLIENT,
      AnnotationSpec.AUTH_TLS_VERIFY_DEPTH, AnnotationSpec.AUTH_TLS_PASS_CERTIFICATE_TO_UPSTREAM,
      AnnotationSpec.AUTH_TLS_ERROR_PAGE, AnnotationSpec.AUTH_TLS_MATCH_CN);

  /**
   * The options, or null when the Ingress asks for no client certificate (no {@code auth-tls-secret},
   * as ingress-nginx, which reads the others only with it; or {@code auth-tls-verify-client: off}).
   * Wrong values are problems naming the annotation.
   */
  static ClientCertificateOptions parse(IngressInfo ingress, List<Problem> problems) {
    Map<String, String> annotations = ingress.annotations();
    ObjectRef secret = IngressOptions.valid(ingress, problems,
        AnnotationParser.secretRef(annotations, AnnotationSpec.AUTH_TLS_SECRET), null);
    String verify = IngressOptions.valid(ingress, problems,
        AnnotationParser.choice(annotations, AnnotationSpec.AUTH_TLS_VERIFY_CLIENT), "ON");
    long depth = IngressOptions.valid(ingress, problems,
        AnnotationParser.number(annotations, AnnotationSpec.AUTH_TLS_VERIFY_DEPTH), 1L);
    boolean pass = IngressOptions.valid(ingress, problems,
        AnnotationParser.bool(annotations, AnnotationSpec.AUTH_TLS_PASS_CERTIFICATE_TO_UPSTREAM), false);
    AnnotationValue<?> page = AnnotationParser.redirectUrl(annotations, AnnotationSpec.AUTH_TLS_ERROR_PAGE);
    IngressOptions.valid(ingress, problems, page, null);
    String errorPage = page instanceof AnnotationValue.Valid<?>
        ? annotations.get(IngressOptions.annotationKey(annotations, AnnotationSpec.AUTH_TLS_ERROR_PAGE)).trim() : null;
    String matchCn = IngressOptions.valid(ingress, problems,
        AnnotationParser.regex(annotations, AnnotationSpec.AUTH_TLS_MATCH_CN), null);
    if (secret == null || verify.equals("OFF")) {
      return null;
    }
    return new ClientCertificateOptions(secret, IngressOptions.annotationKey(annotations, AnnotationSpec.AUTH_TLS_SECRET),
        Verify.valueOf(verify), (int) depth, pass, errorPage, matchCn);
  }

  /**
   * The policy of the Ingress's hosts: with the Secret's {@code ca.crt} and {@code ca.crl}; when the
   * Secret is missing, has no {@code ca.crt}, or a {@code ca.crt} or {@code ca.crl} that does not
   * parse, a problem naming the annotation and a policy that refuses every request of the hosts
   * (fail closed: they are never served without client verification).
   */
  ClientCertificateAuth resolve(ObjectRef ingress, Map<ObjectRef, SecretInfo> secrets, List<Problem> problems) {
    String source = "Ingress " + ingress.namespacedName();
    SecretInfo found = secrets.get(secret);
    String wrong = found == null ? secret + " not found"
        : found.caPem() == null ? secret + " has no ca.crt"
        : !parses(found.caPem(), false) ? secret + " ca.crt is not PEM certificates"
        : found.crlPem() != null && !parses(found.crlPem(), true) ? secret + " ca.crl is not PEM CRLs"
        : null;
    if (wrong != null) {
      problems.add(new Problem(ingress, Problem.annotationField(secretKey), wrong
          + "; every request of this Ingress's hosts is refused (400) until it is"));
      return ClientCertificateAuth.refusingAll(source);
    }
    return new ClientCertificateAuth(source, found.caPem(), found.crlPem(), verify, depth, passCertificate, errorPage,
        matchCn);
  }

  private static boolean parses(String pem, boolean crls) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      ByteArrayInputStream in = new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
      return !(crls ? factory.generateCRLs(in) : factory.generateCertificates(in)).isEmpty();
    } catch (CertificateException | CRLException e) {
      return false;
    }
  }
}
