package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.RouteFilter;
import io.clbingress.dataplane.table.SourceRanges;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.SecretInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * An Ingress refused for a wrong value of an annotation that guards its routes (an access list, a
 * rate or connection limit, a tunnel cap, basic authentication and its Secret, external
 * authentication, client certificates), or refused for any other wrong value while its guarding
 * annotations are not the very ones of its last accepted version: its paths are still claimed,
 * and answered 403 to every client, rather than served with the last accepted version's guards
 * (none, or others than the user now asks for) or left to fall through to another Ingress's less
 * specific path (where ingress-nginx answers 503 for a location it denied). The last accepted
 * version is kept only when the refused one differs from it in other annotations alone, so the
 * guards served are exactly the ones written.
 *
 * <p>A guard changed from one valid value to a wrong one fails closed too, although the old value
 * was valid: ingress-nginx keeps its old configuration when a reload fails, but the old value may
 * be the very one the edit meant to take back (a range found hostile, a leaked password), and
 * for an access guard serving nobody is the answer that cannot be wrong in the client's favour.
 * The problems are reported as for any refused Ingress (a Warning naming the Ingress and the
 * annotation; when only the other annotations are wrong, one more naming the changed guard);
 * once the values are right, the Ingress is served as written. A CLBListener rule with a wrong
 * guard field, or ignored for another field while it carries guards, is kept the same way
 * ({@link ListenerPolicies}).
 */
final class FailClosed {

  /** Every client refused: all of IPv4 and all of IPv6. */
  static final SourceRanges NOBODY = new SourceRanges(List.of(), List.of("0.0.0.0/0", "::/0"));

  private FailClosed() {
  }

  /**
   * Whether the refused version {@code refused} (with {@code problems}) is served closed rather
   * than its last accepted version.
   *
   * @param lastAccepted the last accepted version, when it still reads without problems; else null
   */
  static boolean applies(IngressInfo refused, List<Problem> problems, IngressInfo lastAccepted) {
    return hasWrongGuard(problems) || !changedGuards(refused, lastAccepted).isEmpty();
  }

  /**
   * The problem to report when the refused version is closed for its changed guards only (its wrong
   * values are others), naming the first guarding annotation that changed; empty otherwise.
   */
  static Optional<Problem> changedGuardProblem(IngressInfo refused, List<Problem> problems,
      IngressInfo lastAccepted) {
    if (hasWrongGuard(problems)) {
      return Optional.empty();
    }
    return changedGuards(refused, lastAccepted).stream().findFirst().map(key -> new Problem(refused.ref(),
        Problem.annotationField(key), lastAccepted == null
            ? "a guard of a version refused for another annotation and never accepted before: the routes refuse"
                + " every client (403) until it is fixed, rather than fall through to another Ingress's path"
            : "a guard changed since the last accepted version, in a version refused for another annotation: the"
                + " routes refuse every client (403) until it is fixed, rather than serve the last accepted guards"));
  }

  /** Whether the annotation (ours or ingress-nginx's name) guards access. */
  static boolean isGuard(String key) {
    return key != null && GUARD_KEYS.contains(key);
  }

  private static boolean hasWrongGuard(List<Problem> problems) {
    return problems.stream().anyMatch(problem -> isGuard(annotationOf(problem)));
  }

  /**
   * The guarding annotations whose value differs between the two versions (a null last accepted
   * version has none), in name order; none on a canary, whose guards are not read (the main
   * Ingress's apply to both sides).
   */
  private static SortedSet<String> changedGuards(IngressInfo refused, IngressInfo lastAccepted) {
    SortedSet<String> changed = new TreeSet<>();
    if (AnnotationCoverage.isCanary(refused)) {
      return changed;
    }
    Map<String, String> now = guards(refused);
    Map<String, String> before = lastAccepted == null ? Map.of() : guards(lastAccepted);
    for (String key : GUARD_KEYS) {
      if (!Objects.equals(now.get(key), before.get(key))) {
        changed.add(key);
      }
    }
    return changed;
  }

  private static Map<String, String> guards(IngressInfo ingress) {
    Map<String, String> guards = new HashMap<>(ingress.annotations());
    guards.keySet().removeIf(key -> !isGuard(key));
    return guards;
  }

  /**
   * The Ingress's options without the annotations that have problems, its routes refusing every
   * client; null when even so it cannot be read (then it is not served, as any refused Ingress).
   * Dropping an annotation may make another one wrong (auth-type without the auth-secret dropped):
   * that one is dropped in turn, until the rest reads without problems.
   */
  static IngressOptions.Parsed parse(IngressInfo ingress, List<Problem> problems, Set<ObjectRef> existingListeners,
      Map<ObjectRef, SecretInfo> secrets) {
    Map<String, String> kept = new HashMap<>(ingress.annotations());
    List<Problem> left = problems;
    IngressOptions.Parsed parsed;
    do {
      int before = kept.size();
      left.forEach(problem -> kept.remove(annotationOf(problem)));
      if (kept.size() == before) {
        return null;
      }
      IngressInfo without = new IngressInfo(ingress.ref(), ingress.created(), ingress.className(), Map.copyOf(kept),
          ingress.defaultBackend(), ingress.rules(), ingress.tls());
      parsed = IngressOptions.parse(without, existingListeners, secrets);
      left = parsed.problems();
    } while (!left.isEmpty());
    return new IngressOptions.Parsed(refusingEveryone(parsed.options()), List.of());
  }

  /** The same options, their routes refusing every client (their access list replaced by {@link #NOBODY}). */
  static IngressOptions refusingEveryone(IngressOptions options) {
    List<RouteFilter> filters = new ArrayList<>(options.filters().stream()
        .filter(filter -> !(filter instanceof SourceRanges)).toList());
    filters.add(NOBODY);
    return new IngressOptions(options.timeouts(), options.sslRedirect(),
        options.backendProtocol(), options.scheduler(), options.hashBy(), options.serviceUpstream(),
        options.sessionPersistenceSeconds(), options.listeners(), filters, options.maxBodyBytes(),
        options.forceSslRedirect(), options.extras());
  }

  /** The guarding annotations' keys, ours and ingress-nginx's. */
  private static final Set<String> GUARD_KEYS = EdgePolicyOptions.GUARDS.stream()
      .flatMap(spec -> Stream.concat(Stream.of(spec.key()), spec.nginxKeys().stream()))
      .collect(Collectors.toUnmodifiableSet());

  /** The annotation a problem names, or null. */
  private static String annotationOf(Problem problem) {
    String field = problem.field();
    String prefix = "metadata.annotations[";
    return field.startsWith(prefix) && field.endsWith("]") ? field.substring(prefix.length(), field.length() - 1) : null;
  }
}
