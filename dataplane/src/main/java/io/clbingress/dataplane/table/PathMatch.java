package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;

/**
 * How a route matches the request path (query excluded), after normalisation (dot segments
 * resolved, runs of slashes merged, unreserved characters decoded). A virtual host tries its
 * Exact routes first, then its RegularExpression routes in the table's order (the first that
 * matches wins, as nginx's regex locations), then the longest Prefix.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = PathMatch.Exact.class, name = "Exact"),
    @JsonSubTypes.Type(value = PathMatch.Prefix.class, name = "Prefix"),
    @JsonSubTypes.Type(value = PathMatch.RegularExpression.class, name = "RegularExpression")
})
public sealed interface PathMatch {

  String path();

  /** The path exactly, case-sensitive; {@code /foo} does not match {@code /foo/}. */
  record Exact(String path) implements PathMatch {
    public Exact {
      requireAbsolute(path);
    }
  }

  /**
   * Element-wise prefix: {@code /foo} matches {@code /foo}, {@code /foo/} and {@code /foo/bar},
   * not {@code /foobar}. Stored without a trailing slash ({@code /} alone stays {@code /}).
   */
  record Prefix(String path) implements PathMatch {
    public Prefix {
      requireAbsolute(path);
      if (path.length() > 1 && path.endsWith("/")) {
        throw new IllegalArgumentException("prefix must be stored without trailing slash: " + path);
      }
    }

    /** The normal form of a Kubernetes Prefix path: trailing slashes dropped. */
    public static Prefix of(String path) {
      String trimmed = path;
      while (trimmed.length() > 1 && trimmed.endsWith("/")) {
        trimmed = trimmed.substring(0, trimmed.length() - 1);
      }
      return new Prefix(trimmed);
    }
  }

  /**
   * A regular expression in RE2 syntax (what Kubernetes and ingress-nginx document for regex
   * paths, and Envoy's {@code safe_regex}), matched from the start of the path and not anchored at
   * its end, as nginx's {@code location ~ "^path"}: {@code /api/v[0-9]+} matches
   * {@code /api/v2/users}. Case-sensitive unless the pattern says otherwise ({@code (?i)}, which
   * ingress-nginx's {@code use-regex} paths carry). RE2 runs in time linear in the path's length,
   * so no path can make a pattern backtrack for long.
   *
   * @param path the pattern
   * @throws IllegalArgumentException when it is not a valid RE2 pattern
   */
  record RegularExpression(String path) implements PathMatch {
    public RegularExpression {
      Objects.requireNonNull(path, "path");
      Re2.compile("path pattern", path);
    }
  }

  private static void requireAbsolute(String path) {
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/': " + path);
    }
  }
}
