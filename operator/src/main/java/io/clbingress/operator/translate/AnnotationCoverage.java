package io.clbingress.operator.translate;

import io.clbingress.operator.state.IngressInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What clb-ingress does with each {@code nginx.ingress.kubernetes.io/*} and {@code clb.ingress.io/*}
 * annotation of an Ingress: the single classification behind the {@code UnsupportedAnnotation}
 * Warning and the {@code migrate} report. Names and meanings are those of the ingress-nginx
 * annotations reference.
 *
 * @param key the annotation as written
 * @param value its value
 * @param note for {@link Verdict#HONOURED}: empty, or how the accepted values differ from
 *     ingress-nginx's; otherwise why, and what happens instead
 * @param securityRelevant not honoured, and the route is more open without it (authentication, rate
 *     and connection limits, ModSecurity)
 */
public record AnnotationCoverage(String key, String value, Verdict verdict, String note, boolean securityRelevant) {

  /** What happens to one annotation. */
  public enum Verdict {
    /** Applied as ingress-nginx applies it (within the range the note gives). */
    HONOURED,
    /**
     * A name clb-ingress reads, with a value it refuses: the Ingress keeps its last accepted
     * configuration, or for a guard refuses every client ({@link FailClosed}).
     */
    INVALID,
    /** Ignored: the route is served without it. */
    NOT_HONOURED
  }

  static final String CUSTOM_ERRORS_ALONE = "needs default-backend on the same Ingress: there is no"
      + " controller-wide error backend, so the backend's error pages are relayed as they are";
  static final String SNIPPET = "never executed (nginx configuration snippets)";
  static final String ON_A_CANARY = "not read on a canary Ingress: the main Ingress's access list, basic and"
      + " external authentication, CORS, rate and connection limits, tunnel caps, client certificates and"
      + " enable-access-log apply to both sides, as in ingress-nginx";
  static final String SECURITY = "SECURITY-RELEVANT, not applied, so this route is more open than it was on"
      + " ingress-nginx";
  private static final Set<String> SECURITY_NAMES = Set.of("enable-modsecurity", "enable-owasp-core-rules", "satisfy",
      "modsecurity-transaction-id");
  private static final List<String> SECURITY_PREFIXES = List.of("auth-", "limit-", "global-rate-limit");
  /** What a user gets instead, for the ingress-nginx annotations users set most (a name or a name prefix). */
  private static final Map<String, String> INSTEAD = Map.ofEntries(
      Map.entry("proxy-ssl", "TLS to the backend (backend-protocol HTTPS) neither verifies the backend's certificate"
          + " nor sends a client certificate"),
      Map.entry("ssl-passthrough", "TLS is terminated by clb-ingress; use a TCP CLBListener to pass it through"));

  /** Every annotation of {@code ingress} under either prefix, in name order. */
  public static List<AnnotationCoverage> of(IngressInfo ingress) {
    Map<String, String> invalid = new TreeMap<>();
    for (Problem problem : IngressOptions.parse(ingress, Set.of(), null).problems()) {
      String field = problem.field();
      if (field.startsWith("metadata.annotations[") && !field.endsWith("[" + AnnotationSpec.LISTENER.key() + "]")) {
        invalid.put(field.substring("metadata.annotations[".length(), field.length() - 1), problem.reason());
      }
    }
    return classify(ingress, invalid);
  }

  /**
   * The annotations of {@code ingress} that are not honoured, in name order: what {@link #of} gives
   * with that verdict, without parsing the honoured ones again (translation has parsed them).
   */
  static List<AnnotationCoverage> notHonoured(IngressInfo ingress) {
    return classify(ingress, Map.of()).stream().filter(annotation -> annotation.verdict() == Verdict.NOT_HONOURED)
        .toList();
  }

  /** @param invalid the refused values of honoured names, by key, with the reason */
  private static List<AnnotationCoverage> classify(IngressInfo ingress, Map<String, String> invalid) {
    List<AnnotationCoverage> coverage = new ArrayList<>();
    new TreeMap<>(ingress.annotations()).forEach((key, value) -> {
      AnnotationSpec spec = spec(key);
      if (spec == AnnotationSpec.CUSTOM_HTTP_ERRORS && !invalid.containsKey(key)
          && !ingress.annotations().containsKey(AnnotationSpec.DEFAULT_BACKEND.key())
          && !ingress.annotations().containsKey(AnnotationSpec.DEFAULT_BACKEND.nginxKey())) {
        coverage.add(new AnnotationCoverage(key, value, Verdict.NOT_HONOURED, CUSTOM_ERRORS_ALONE, false));
      } else if (spec != null && (EdgePolicyOptions.ALL.contains(spec) || spec == AnnotationSpec.ENABLE_ACCESS_LOG)
          && isCanary(ingress)) {
        coverage.add(new AnnotationCoverage(key, value, Verdict.NOT_HONOURED, ON_A_CANARY, false));
      } else if (spec != null) {
        coverage.add(invalid.containsKey(key)
            ? new AnnotationCoverage(key, value, Verdict.INVALID, invalid.get(key) + (FailClosed.isGuard(key)
                ? " (a guard: the Ingress's paths refuse every client, 403, until it is fixed)"
                : " (the Ingress keeps its last accepted configuration)"), false)
            : new AnnotationCoverage(key, value, Verdict.HONOURED, difference(spec, key), false));
      } else if (key.startsWith(AnnotationSpec.NGINX_PREFIX)) {
        coverage.add(nginxNotHonoured(key.substring(AnnotationSpec.NGINX_PREFIX.length()), value));
      } else if (key.startsWith(AnnotationSpec.PREFIX)) {
        coverage.add(new AnnotationCoverage(key, value, Verdict.NOT_HONOURED, "not a clb-ingress annotation; known: "
            + AnnotationSpec.ALL.stream().map(AnnotationSpec::name).collect(Collectors.joining(", ")), false));
      }
    });
    return coverage;
  }

  /** Whether the Ingress says it is a canary (a wrong canary value: not). */
  static boolean isCanary(IngressInfo ingress) {
    return AnnotationParser.bool(ingress.annotations(), AnnotationSpec.CANARY).orElse(false);
  }

  /** An ingress-nginx annotation (its name after the prefix) that clb-ingress does not honour. */
  private static AnnotationCoverage nginxNotHonoured(String name, String value) {
    boolean security = SECURITY_NAMES.contains(name) || SECURITY_PREFIXES.stream().anyMatch(name::startsWith);
    return new AnnotationCoverage(AnnotationSpec.NGINX_PREFIX + name, value, Verdict.NOT_HONOURED,
        security ? SECURITY : name.endsWith("-snippet") ? SNIPPET : instead(name), security);
  }

  /**
   * The classification of the ingress-nginx names this class knows of but does not honour, for the
   * documentation: security-relevant names and prefixes ({@code auth-*}), snippets ({@code *-snippet}),
   * the names with an "instead" (each also covers the names that start with it and a dash), and
   * {@code custom-http-errors} without {@code default-backend}, and {@code *} for any other name;
   * each as {@link #of} classifies it. The value is empty.
   */
  static List<AnnotationCoverage> knownNotHonoured() {
    List<String> names = new ArrayList<>(SECURITY_NAMES.stream().sorted().toList());
    SECURITY_PREFIXES.stream().sorted().map(prefix -> prefix + "*").forEach(names::add);
    names.addAll(List.of("configuration-snippet", "server-snippet", "stream-snippet", "*-snippet"));
    names.addAll(new TreeMap<>(INSTEAD).keySet());
    names.add("*");
    List<AnnotationCoverage> known = new ArrayList<>(names.stream().map(name -> nginxNotHonoured(name, "")).toList());
    // honoured with default-backend; alone, it is not
    known.add(known.size() - 1, new AnnotationCoverage(AnnotationSpec.CUSTOM_HTTP_ERRORS.nginxKey(), "",
        Verdict.NOT_HONOURED, CUSTOM_ERRORS_ALONE, false));
    return List.copyOf(known);
  }

  /** Ours, or an ingress-nginx name that we honour; null for anything else. */
  private static AnnotationSpec spec(String key) {
    return AnnotationSpec.ALL.stream().filter(spec -> spec.key().equals(key)
        || spec.nginxKeys().contains(key)).findFirst().orElse(null);
  }

  /** How an honoured ingress-nginx name's accepted values differ from ingress-nginx's; empty for ours. */
  private static String difference(AnnotationSpec spec, String key) {
    if (!spec.nginxKeys().contains(key)) {
      return "";
    }
    return switch (spec.type()) {
      case DURATION -> "accepted: " + spec.acceptedText() + " (ingress-nginx takes any number of seconds)";
      case CHOICE -> "accepted: " + spec.acceptedText();
      case URL -> "accepted: " + spec.acceptedText() + " (ingress-nginx also expands other nginx variables)";
      case SIZE -> "accepted: " + spec.acceptedText();
      case REWRITE -> "accepted: " + spec.acceptedText() + " (ingress-nginx also expands other nginx variables);"
          + " groups capture from the normalised path, where percent-encoded reserved characters stay encoded";
      case HOST -> "accepted: " + spec.acceptedText() + " (ingress-nginx also expands nginx variables)";
      case REGEX -> "accepted: " + spec.acceptedText() + " (ingress-nginx takes PCRE; most patterns are both)";
      case NUMBER -> "accepted: " + spec.acceptedText();
      case HASH_KEY -> "accepted: " + spec.acceptedText() + " (ingress-nginx takes any nginx variable)";
      case WORDS -> "accepted: " + spec.acceptedText() + "; a request whose body already went to an endpoint is not"
          + " sent again (the body streams; nginx keeps a buffered body and may send it again)";
      case STATUS -> "accepted: " + spec.acceptedText() + " (ingress-nginx falls back to " + spec.defaultValue()
          + " for other codes without a word)";
      default -> spec == AnnotationSpec.USE_REGEX ? "RE2 syntax (as Kubernetes documents for ingress-nginx); paths"
          + " are matched after normalisation, where percent-encoded reserved characters stay encoded (nginx decodes them)"
          : "";
    };
  }

  private static String instead(String name) {
    return INSTEAD.entrySet().stream()
        .filter(known -> name.equals(known.getKey()) || name.startsWith(known.getKey() + "-"))
        .map(Map.Entry::getValue).findFirst().orElse("no equivalent in clb-ingress");
  }
}
