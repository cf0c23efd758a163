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
import java.util.Set;

/**
 * An Ingress refused for a wrong value of an annotation that guards its routes (an access list, a
 * rate or connection limit, a tunnel cap, basic authentication and its Secret, external
 * authentication, client certificates), with no configuration accepted before (a new Ingress, or
 * any after a restart) or with its last accepted one no longer readable (its htpasswd Secret
 * deleted or broken since): its paths are still claimed, and answered 403 to every client, rather
 * than left to fall through to another Ingress's less specific path (where ingress-nginx answers
 * 503 for a location it denied); a CLBListener rule with a wrong guard field is kept the same way
 * ({@link ListenerPolicies}). The problems are
 * reported as for any refused Ingress; once the value is right, the Ingress is served as written.
 */
final class FailClosed {

  /** Every client refused: all of IPv4 and all of IPv6. */
  static final SourceRanges NOBODY = new SourceRanges(List.of(), List.of("0.0.0.0/0", "::/0"));

  private FailClosed() {
  }

  /** Whether one of {@code problems} is a wrong value of a guarding annotation. */
  static boolean applies(List<Problem> problems) {
    return problems.stream().anyMatch(problem -> GUARD_KEYS.contains(annotationOf(problem)));
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
      .flatMap(spec -> java.util.stream.Stream.concat(java.util.stream.Stream.of(spec.key()), spec.nginxKeys().stream()))
      .collect(java.util.stream.Collectors.toUnmodifiableSet());

  /** The annotation a problem names, or null. */
  private static String annotationOf(Problem problem) {
    String field = problem.field();
    String prefix = "metadata.annotations[";
    return field.startsWith(prefix) && field.endsWith("]") ? field.substring(prefix.length(), field.length() - 1) : null;
  }
}
