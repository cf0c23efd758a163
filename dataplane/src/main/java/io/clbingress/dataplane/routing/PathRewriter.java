package io.clbingress.dataplane.routing;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import io.clbingress.dataplane.table.RegexSubstitution;
import java.util.List;

/** A {@link RegexSubstitution} compiled once, when its table is: see there for the rules. */
public final class PathRewriter {

  private final Pattern pattern;
  private final String[] literals;
  private final int[] groups;

  PathRewriter(RegexSubstitution substitution) {
    this.pattern = substitution.compiledPattern();
    RegexSubstitution.Template template = substitution.template();
    this.literals = template.literals().toArray(String[]::new);
    List<Integer> references = template.groups();
    this.groups = new int[references.size()];
    for (int i = 0; i < groups.length; i++) {
      groups[i] = references.get(i);
    }
  }

  /**
   * The substitution for this path, with its own query if it has one ({@code ?} and after), or null
   * when the pattern is not found in the path (the path is not changed).
   *
   * @param path the normalised request path, without the query
   */
  public String rewrite(String path) {
    Matcher matcher = pattern.matcher(path);
    if (!matcher.find()) {
      return null;
    }
    StringBuilder out = new StringBuilder(literals[0]);
    for (int i = 0; i < groups.length; i++) {
      if (groups[i] <= matcher.groupCount()) {
        String group = matcher.group(groups[i]);
        if (group != null) {
          out.append(group);
        }
      }
      out.append(literals[i + 1]);
    }
    return out.toString();
  }

  /**
   * The query after a rewrite, nginx's rules: the substitution's own query, then the request's
   * after {@code &}; a substitution ending in {@code ?} drops the request's.
   *
   * @param substituted the substitution's query (after its {@code ?}), or null when it has none
   * @param request the request's query, or null
   * @return {@code ?query}, or the empty string for none
   */
  public static String query(String substituted, String request) {
    if (substituted == null) {
      return request == null ? "" : "?" + request;
    }
    if (substituted.isEmpty()) {
      return ""; // the substitution ended with its "?"
    }
    if (substituted.endsWith("?")) {
      String own = substituted.substring(0, substituted.length() - 1);
      return own.isEmpty() ? "" : "?" + own;
    }
    return request == null || request.isEmpty() ? "?" + substituted : "?" + substituted + "&" + request;
  }
}
