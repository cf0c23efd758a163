package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.GzipPolicy;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The head of an answer the listener's {@link GzipPolicy} (gzip or Brotli) covers, edited for compression, for
 * both engines (Netty's and Vert.x's headers through the same three functions, as
 * {@link io.clbingress.dataplane.routing.CorsPolicy#applyTo}):
 * <ul>
 *   <li>Every answer the policy would compress varies by {@code Accept-Encoding}, whether this
 *       client asked or not, so that a cache keeps the two apart: {@code Vary} gets it, merged with
 *       the lines there (one line; {@code Vary: *} left alone, RFC 9110 §12.5.5). nginx does the
 *       same ({@code gzip_vary on} in ingress-nginx).
 *   <li>A compressed answer: {@code Content-Encoding: gzip} (or {@code br}), no {@code Content-Length} (the engine
 *       frames it: chunked to HTTP/1.1, ended by the close to HTTP/1.0, DATA frames on h2), and a
 *       strong {@code ETag} made weak ({@code W/}), since the bytes are no longer the backend's
 *       representation (RFC 9110 §8.8.1; nginx does this).
 * </ul>
 */
final class GzipAnswer {

  private GzipAnswer() {
  }

  /**
   * Whether {@code policy} would compress this answer, the client having asked
   * ({@link GzipPolicy#compresses}); false for a null policy.
   *
   * @param head the request was HEAD
   * @param getAll a header's lines, empty when absent
   */
  static boolean covers(GzipPolicy policy, boolean head, int status, Function<String, List<String>> getAll) {
    return policy != null && policy.compresses(head, status, first(getAll, "content-encoding"),
        first(getAll, "content-type"), first(getAll, "content-length"), first(getAll, "content-range"));
  }

  /** Adds {@code Accept-Encoding} to the answer's {@code Vary} ({@link #vary(List)}). */
  static void vary(Function<String, List<String>> getAll, BiConsumer<String, String> set) {
    String merged = vary(getAll.apply("vary"));
    if (merged != null) {
      set.accept("vary", merged);
    }
  }

  /** Edits the head of an answer whose body goes out in {@code coding} ({@code gzip}, {@code br}). */
  static void encoded(String coding, Function<String, List<String>> getAll, BiConsumer<String, String> set,
      Consumer<String> remove) {
    set.accept("content-encoding", coding);
    remove.accept("content-length");
    String etag = first(getAll, "etag");
    if (etag != null && !etag.startsWith("W/")) {
      set.accept("etag", "W/" + etag);
    }
  }

  /** The {@code Vary} value with {@code Accept-Encoding}; null when the lines say it already (or {@code *}). */
  static String vary(List<String> lines) {
    if (lines.isEmpty()) {
      return "Accept-Encoding";
    }
    String joined = String.join(", ", lines);
    for (String field : joined.split(",")) {
      String name = field.trim();
      if (name.equals("*") || name.equalsIgnoreCase("accept-encoding")) {
        return lines.size() == 1 ? null : joined;
      }
    }
    return joined + ", Accept-Encoding";
  }

  private static String first(Function<String, List<String>> getAll, String name) {
    List<String> values = getAll.apply(name);
    return values.isEmpty() ? null : values.get(0);
  }
}
