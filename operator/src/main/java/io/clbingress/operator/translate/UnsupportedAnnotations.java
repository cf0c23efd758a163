package io.clbingress.operator.translate;

import io.clbingress.operator.state.IngressInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The annotations of an Ingress that clb-ingress does not honour, reported, never dropped in
 * silence: every {@code nginx.ingress.kubernetes.io/*} annotation other than the ingress-nginx
 * names of {@link AnnotationSpec#ALL}, and every {@code clb.ingress.io/*} name that is not ours (a
 * typo, most likely). The route is still served, without them; one problem per Ingress (Event
 * reason {@link Problem#UNSUPPORTED_ANNOTATION}) lists them, each with a one-line reason.
 *
 * <p>Annotations that leave a route more open when ignored (access lists, authentication, rate
 * and connection limits, CORS, ModSecurity) are marked {@code SECURITY-RELEVANT} in the reason.
 * nginx configuration snippets are never executed, whatever they hold. Names and meanings are
 * those of the ingress-nginx annotations reference.
 */
public final class UnsupportedAnnotations {

  /** The field the problem names: the annotations as a whole. */
  static final String FIELD = "metadata.annotations";

  private static final String SNIPPET = "never executed (nginx configuration snippets)";
  private static final String SECURITY = "SECURITY-RELEVANT, not applied, so this route is more open than it was on"
      + " ingress-nginx";
  private static final Set<String> SECURITY_NAMES = Set.of("whitelist-source-range", "allowlist-source-range",
      "denylist-source-range", "enable-cors", "enable-modsecurity", "enable-owasp-core-rules", "satisfy",
      "modsecurity-transaction-id");
  private static final List<String> SECURITY_PREFIXES = List.of("auth-", "limit-", "cors-", "global-rate-limit");
  /** What a user gets instead, for the ingress-nginx annotations users set most. */
  private static final Map<String, String> INSTEAD = Map.ofEntries(
      Map.entry("rewrite-target", "the backend receives the request path unchanged"),
      Map.entry("use-regex", "paths are matched as Prefix or Exact, not as regular expressions"),
      Map.entry("app-root", "no redirect from / is made"),
      Map.entry("permanent-redirect", "the route is proxied, not redirected"),
      Map.entry("temporal-redirect", "the route is proxied, not redirected"),
      Map.entry("force-ssl-redirect", "HTTP is redirected to HTTPS only for hosts with TLS (ssl-redirect)"),
      Map.entry("from-to-www-redirect", "no www redirect is made"),
      Map.entry("canary", "this Ingress is routed as a normal one, not as a canary"),
      Map.entry("affinity", "use clb.ingress.io/session-persistence for sticky sessions"),
      Map.entry("upstream-hash-by", "use clb.ingress.io/scheduler: IP_HASH for hashing by client address"),
      Map.entry("load-balance", "use clb.ingress.io/scheduler"),
      Map.entry("proxy-body-size", "request bodies are not limited per route"),
      Map.entry("custom-http-errors", "the backend's error pages are relayed as they are"),
      Map.entry("default-backend", "unmatched requests get the Ingress's spec.defaultBackend or 404"),
      Map.entry("service-upstream", "requests go to the Service's endpoints"),
      Map.entry("upstream-vhost", "the backend receives the client's Host"),
      Map.entry("x-forwarded-prefix", "no X-Forwarded-Prefix header is sent"),
      Map.entry("proxy-buffering", "responses are streamed, not buffered"),
      Map.entry("proxy-request-buffering", "request bodies are streamed, not buffered"),
      Map.entry("ssl-passthrough", "TLS is terminated by clb-ingress; use a TCP CLBListener to pass it through"));

  private UnsupportedAnnotations() {
  }

  /** The problem listing what {@code ingress} sets and clb-ingress does not honour; empty when nothing. */
  public static Optional<Problem> of(IngressInfo ingress) {
    List<String> security = new ArrayList<>();
    List<String> snippets = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (String key : new TreeSet<>(ingress.annotations().keySet())) {
      if (key.startsWith(AnnotationSpec.NGINX_PREFIX) && !honouredNginx(key)) {
        String name = key.substring(AnnotationSpec.NGINX_PREFIX.length());
        if (securityRelevant(name)) {
          security.add(key);
        } else if (name.endsWith("-snippet")) {
          snippets.add(key);
        } else {
          others.add(key + " (" + instead(name) + ")");
        }
      } else if (key.startsWith(AnnotationSpec.PREFIX) && !ours(key)) {
        others.add(key + " (not a clb-ingress annotation; known: " + AnnotationSpec.ALL.stream()
            .map(AnnotationSpec::name).collect(Collectors.joining(", ")) + ")");
      }
    }
    List<String> groups = new ArrayList<>();
    if (!security.isEmpty()) {
      groups.add(SECURITY + ": " + String.join(", ", security));
    }
    if (!snippets.isEmpty()) {
      groups.add(SNIPPET + ": " + String.join(", ", snippets));
    }
    if (!others.isEmpty()) {
      groups.add("not honoured: " + String.join(", ", others));
    }
    return groups.isEmpty() ? Optional.empty() : Optional.of(new Problem(ingress.ref(), FIELD,
        "the route is served without these annotations. " + String.join(". ", groups), Problem.UNSUPPORTED_ANNOTATION));
  }

  /** Whether an unsupported ingress-nginx annotation {@code name} (without prefix) leaves a route more open. */
  static boolean securityRelevant(String name) {
    return SECURITY_NAMES.contains(name) || SECURITY_PREFIXES.stream().anyMatch(name::startsWith);
  }

  /** What happens instead of an ingress-nginx annotation {@code name} (without prefix). */
  private static String instead(String name) {
    return INSTEAD.entrySet().stream().filter(known -> name.equals(known.getKey()) || name.startsWith(known.getKey() + "-"))
        .map(Map.Entry::getValue).findFirst().orElse("no equivalent in clb-ingress");
  }

  private static boolean honouredNginx(String key) {
    return AnnotationSpec.ALL.stream().anyMatch(spec -> spec.nginxAlias() && spec.nginxKey().equals(key));
  }

  private static boolean ours(String key) {
    return AnnotationSpec.ALL.stream().anyMatch(spec -> spec.key().equals(key));
  }
}
