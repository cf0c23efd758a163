package io.clbingress.e2e.chart;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, found by a tokenizer rather than a parser: Maven
 * Central has no PromQL parser from the Prometheus project (the one Java port there is a
 * single-release library of one author), and the syntax itself is checked by promtool, the
 * reference parser, where it is installed. The steps: string literals are emptied (label values,
 * Grafana's {@code $variables} in them); label matchers {@code {...}}, ranges and subqueries
 * {@code [...]} and the label lists of {@code by}, {@code without}, {@code on}, {@code ignoring},
 * {@code group_left} and {@code group_right} are dropped; what is left is numbers and durations,
 * identifiers followed by {@code (} (functions and aggregations), keywords, and metric names.
 */
public final class PromQlNames {

  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
      "group_left", "group_right", "offset", "bool", "inf", "nan", "start", "end");
  private static final Pattern STRINGS = Pattern.compile("\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])*'|`[^`]*`");
  private static final Pattern LABEL_LISTS =
      Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern TOKENS = Pattern.compile(
      "(?<number>[0-9]*\\.?[0-9]+(?:[eE][+-]?[0-9]+)?(?:ms|[smhdwy])*)|(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<call>\\s*\\()?");

  private PromQlNames() {
  }

  /** The metric names {@code expr} selects, in order of name. */
  public static Set<String> of(String expr) {
    String rest = STRINGS.matcher(expr).replaceAll("\"\"");
    rest = rest.replaceAll("\\{[^}]*\\}", " ").replaceAll("\\[[^\\]]*\\]", " ");
    rest = LABEL_LISTS.matcher(rest).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher token = TOKENS.matcher(rest);
    while (token.find()) {
      String name = token.group("name");
      if (name != null && token.group("call") == null && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        names.add(name);
      }
    }
    return names;
  }
}
