package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.Cors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A route's {@link Cors} filter compiled: which origins it allows, and its answer headers joined
 * once. Engines ask {@link #allowOrigin} with the request's {@code Origin} and, when it allows,
 * put {@link #applyTo} on every answer of the request.
 */
public final class CorsPolicy {

  private final boolean anyOrigin;
  private final Set<String> origins = new HashSet<>();
  /** {@code scheme://} and {@code .domain[:port]} of each {@code *.} origin. */
  private final List<String[]> wildcards = new ArrayList<>();
  private final boolean credentials;
  private final String methods;
  private final String headers;
  private final String expose;
  private final String maxAge;

  public CorsPolicy(Cors cors) {
    anyOrigin = cors.allowOrigins().contains(Cors.ANY_ORIGIN);
    for (String origin : cors.allowOrigins()) {
      if (Cors.isWildcard(origin)) {
        int star = origin.indexOf("://*.") + 3;
        wildcards.add(new String[] {origin.substring(0, star), origin.substring(star + 1)});
      } else {
        origins.add(origin);
      }
    }
    credentials = cors.allowCredentials();
    methods = String.join(", ", cors.allowMethods());
    headers = cors.allowHeaders().isEmpty() ? null : String.join(", ", cors.allowHeaders());
    expose = cors.exposeHeaders().isEmpty() ? null : String.join(", ", cors.exposeHeaders());
    maxAge = Long.toString(cors.maxAgeSeconds());
  }

  /**
   * The {@code Access-Control-Allow-Origin} for a request of {@code origin}: {@code *} when every
   * origin is allowed, the origin as sent when it is one of the list, null when it is not (or
   * absent, or {@code null}, which a sandboxed page sends and which a list never allows).
   */
  public String allowOrigin(String origin) {
    if (anyOrigin) {
      return Cors.ANY_ORIGIN;
    }
    if (origin == null) {
      return null;
    }
    String lower = origin.toLowerCase(Locale.ROOT);
    if (origins.contains(lower)) {
      return origin;
    }
    for (String[] wildcard : wildcards) {
      if (matchesOneLabel(lower, wildcard[0], wildcard[1])) {
        return origin;
      }
    }
    return null;
  }

  /** {@code origin} is {@code scheme} + one host label + {@code rest} (the domain and port). */
  private static boolean matchesOneLabel(String origin, String scheme, String rest) {
    if (!origin.startsWith(scheme) || !origin.endsWith(rest)) {
      return false;
    }
    int end = origin.length() - rest.length();
    if (end <= scheme.length()) {
      return false;
    }
    for (int i = scheme.length(); i < end; i++) {
      char c = origin.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
        return false; // a dot (another label), a port, a user-info or anything else
      }
    }
    return true;
  }

  /**
   * Puts the route's CORS headers on an answer for a request this policy allowed with
   * {@code allowOrigin}: every {@code Access-Control-*} answer header the backend sent is replaced
   * or removed, so only the route's own reach the browser; {@code Vary: Origin} joins the answer's
   * Vary values (all of its Vary lines, merged into one) when the answer names the origin, so a
   * cache does not give it to another origin.
   *
   * @param getAll every value of an answer header joined with ", ", or empty when absent
   * @param set replaces every value of an answer header
   * @param remove removes an answer header
   */
  public void applyTo(Function<String, String> getAll, BiConsumer<String, String> set, Consumer<String> remove,
      String allowOrigin) {
    set.accept("access-control-allow-origin", allowOrigin);
    setOrRemove(set, remove, "access-control-allow-credentials", credentials ? "true" : null);
    set.accept("access-control-allow-methods", methods);
    setOrRemove(set, remove, "access-control-allow-headers", headers);
    setOrRemove(set, remove, "access-control-expose-headers", expose);
    set.accept("access-control-max-age", maxAge);
    for (String other : OTHER_BACKEND_HEADERS) {
      remove.accept(other);
    }
    if (!anyOrigin) {
      String vary = getAll.apply("vary");
      if (vary.isBlank()) {
        set.accept("vary", "Origin");
      } else if (!varies(vary)) {
        set.accept("vary", vary + ", Origin");
      } else {
        set.accept("vary", vary); // its lines merged into one
      }
    }
  }

  /** The other CORS answer headers a backend may send (Private Network Access): never relayed next to the route's. */
  private static final List<String> OTHER_BACKEND_HEADERS = List.of("access-control-allow-private-network");

  private static void setOrRemove(BiConsumer<String, String> set, Consumer<String> remove, String name, String value) {
    if (value == null) {
      remove.accept(name);
    } else {
      set.accept(name, value);
    }
  }

  /** Whether a Vary value already names Origin, or is {@code *}. */
  private static boolean varies(String vary) {
    for (String field : vary.split(",")) {
      String name = field.trim();
      if (name.equalsIgnoreCase("origin") || name.equals("*")) {
        return true;
      }
    }
    return false;
  }
}
