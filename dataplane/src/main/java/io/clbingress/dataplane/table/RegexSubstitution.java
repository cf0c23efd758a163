package io.clbingress.dataplane.table;

import com.google.re2j.Pattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The path a backend receives is {@code substitution} with its group references filled in, when
 * {@code pattern} is found in the request path; else the path is not changed. The semantics of
 * nginx's {@code rewrite regex replacement break} (ingress-nginx's {@code rewrite-target}) and of
 * Envoy's {@code regex_rewrite}:
 * <ul>
 *   <li>the pattern (RE2 syntax) is searched for anywhere in the normalised path, leftmost match
 *       first; a route's own RegularExpression pattern is found at the start;
 *   <li>the whole path is replaced, not only the part matched: with the pattern
 *       {@code /api(/|$)(.*)}, the substitution {@code /$2} sends {@code /api/users} as {@code /users};
 *   <li>{@code $1} to {@code $9} are the groups, empty when a group took no part in the match or the
 *       pattern has fewer groups;
 *   <li>a {@code ?} in the substitution starts a new query, the request's query following it after
 *       {@code &}; a substitution ending in {@code ?} drops the request's query; without one, the
 *       request's query is kept (nginx's rules for {@code rewrite}).
 * </ul>
 *
 * @param pattern what to find, in RE2 syntax ({@code (?i)} for case-insensitive)
 * @param substitution the new path (and query), starting with {@code /}; visible ASCII only, no
 *     {@code #}; {@code $} only before a digit 1–9
 * @throws IllegalArgumentException for a pattern that is not RE2, or a substitution that does not
 *     start with {@code /}, holds white space, control characters, non-ASCII or {@code #}, or a {@code $} not followed by
 *     a digit 1–9 (nginx variables such as {@code $uri} are not expanded here)
 */
public record RegexSubstitution(String pattern, String substitution) implements PathModifier {

  public RegexSubstitution {
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(substitution, "substitution");
    Re2.compile("rewrite pattern", pattern);
    template(substitution);
  }

  /**
   * A substitution split at its group references: {@code literals} has one more element than
   * {@code groups}; the result is {@code literals[0] + group(groups[0]) + literals[1] + ...}.
   */
  public record Template(List<String> literals, List<Integer> groups) {
  }

  /** The pattern compiled. */
  public Pattern compiledPattern() {
    return Re2.compile("rewrite pattern", pattern);
  }

  /** The substitution split at its group references. */
  public Template template() {
    return template(substitution);
  }

  /**
   * A substitution's own text must make a path the data plane would send: {@code %} only before two
   * hex digits (not {@code %00}), and no dot segment hidden behind an encoded slash or a backslash
   * ({@code /a/..%2Fb}), which the normalisation of every rewritten path would refuse with 400 on
   * every request.
   */
  private static void requireSendable(String substitution) {
    for (int i = 0; i < substitution.length(); i++) {
      if (substitution.charAt(i) == '%') {
        boolean hex = i + 2 < substitution.length() && Character.digit(substitution.charAt(i + 1), 16) >= 0
            && Character.digit(substitution.charAt(i + 2), 16) >= 0;
        if (!hex || substitution.startsWith("%00", i)) {
          throw new IllegalArgumentException("rewrite substitution \"" + TableText.printable(substitution)
              + "\" has a % that is not an escape of a character (two hex digits, not 00)");
        }
      }
    }
    String dots = substitution.replaceAll("(?i)%2e", ".");
    for (String segment : dots.split("/", -1)) {
      for (String part : segment.split("(?i)%2f|%5c|\\\\", -1)) {
        if (!part.equals(segment) && (part.equals(".") || part.equals(".."))) {
          throw new IllegalArgumentException("rewrite substitution \"" + TableText.printable(substitution)
              + "\" hides a dot segment behind an encoded slash or a backslash");
        }
      }
    }
  }

  private static Template template(String substitution) {
    if (!substitution.startsWith("/") || !TableText.requestTarget(substitution)) {
      throw new IllegalArgumentException("rewrite substitution \"" + TableText.printable(substitution)
          + "\" must start with / and hold only visible ASCII (percent-encode the rest), no #");
    }
    requireSendable(substitution);
    List<String> literals = new ArrayList<>();
    List<Integer> groups = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < substitution.length(); i++) {
      char c = substitution.charAt(i);
      if (c != '$') {
        literal.append(c);
        continue;
      }
      char next = i + 1 < substitution.length() ? substitution.charAt(i + 1) : 0;
      if (next < '1' || next > '9') {
        throw new IllegalArgumentException("rewrite substitution \"" + TableText.printable(substitution)
            + "\" has a $ that is not $1 to $9 (variables such as $uri are not supported)");
      }
      literals.add(literal.toString());
      literal.setLength(0);
      groups.add(next - '0');
      i++;
    }
    literals.add(literal.toString());
    return new Template(List.copyOf(literals), List.copyOf(groups));
  }
}
