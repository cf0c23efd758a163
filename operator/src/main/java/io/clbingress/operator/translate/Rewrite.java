package io.clbingress.operator.translate;

import com.google.re2j.Pattern;
import io.clbingress.dataplane.table.Re2;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.RegexSubstitution;

/**
 * An Ingress's path options, grouped as ingress-nginx's rewrite annotations are: {@code use-regex},
 * {@code rewrite-target} and {@code app-root}.
 *
 * <p>As ingress-nginx (its "Ingress Path Matching" guide): when any Ingress on a host sets
 * {@code use-regex} or {@code rewrite-target}, every path of that host, whatever its Ingress and
 * pathType, is matched as the case-insensitive regular expression {@code ^path} (nginx's
 * {@code location ~* "^path"}), longest path first, the first that matches winning; a
 * {@code rewrite-target} sends the backend that target with the path's groups in {@code $1}–{@code $9}
 * (nginx's {@code rewrite "(?i)path" target break}).
 *
 * @param useRegex this Ingress's paths, and every path on its hosts, are regular expressions
 *     ({@code use-regex}, or implied by {@code rewrite-target})
 * @param target the path (and query) the backend receives instead, or null
 * @param appRoot where a request for {@code /} is redirected (302), or null
 */
record Rewrite(boolean useRegex, String target, String appRoot) {

  static final Rewrite NONE = new Rewrite(false, null, null);

  Rewrite {
    useRegex = useRegex || target != null;
  }

  /**
   * The match of a path written on a host whose paths are regular expressions: case-insensitive,
   * from the start of the path. A path that is no valid RE2 pattern (written by an Ingress without
   * use-regex, on a host where another one turned it on) matches as the literal text it is.
   */
  static PathMatch regexMatch(String written) {
    return new PathMatch.RegularExpression(isPattern(written) ? pattern(written) : "(?i)" + Pattern.quote(written));
  }

  /** The rewrite of a route matched by {@link #regexMatch}: its own pattern, and {@link #target}. */
  RegexSubstitution substitution(String written) {
    return new RegexSubstitution(regexMatch(written).path(), target);
  }

  /** Why {@code written} is no pattern a table takes ({@link Re2#problem}: RE2 syntax, bounded size), or null. */
  static String patternProblem(String written) {
    return Re2.problem(pattern(written));
  }

  private static boolean isPattern(String written) {
    return patternProblem(written) == null;
  }

  private static String pattern(String written) {
    return "(?i)" + written;
  }
}
