package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;

/** How a route matches the request path (query excluded). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = PathMatch.Exact.class, name = "Exact"),
    @JsonSubTypes.Type(value = PathMatch.Prefix.class, name = "Prefix")
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

  private static void requireAbsolute(String path) {
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/': " + path);
    }
  }
}
