package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.GzipPolicy;
import io.clbingress.dataplane.routing.ListenerRouter;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A request on a listener that compresses answers (gzip, and Brotli on the default listeners):
 * the listener's policies, how much the client wants each coding, and the levels. Made only for
 * such listeners (else null, and nothing of the request is read for it: a listener without
 * compression pays a few field reads per request).
 *
 * <p>Which coding an answer gets: of those the client accepts (weight above 0, RFC 9110 §12.5.3)
 * and whose policy covers the answer (type, length, status), the one with the higher weight;
 * Brotli on a tie (as nginx with ngx_brotli, whose filter runs before gzip's, and browsers, which
 * send {@code gzip, deflate, br} without weights).
 *
 * @param gzip the listener's gzip policy, or null
 * @param gzipWeight the client's weight for gzip, 0-1000 ({@link GzipPolicy#weight})
 * @param brotli the listener's Brotli policy, or null
 * @param brotliWeight the client's weight for {@code br}, 0-1000; 0 when the listener has no Brotli
 */
record GzipRequest(GzipPolicy gzip, int gzipWeight, GzipPolicy brotli, int brotliWeight, Compression compression) {

  /** For a request served by Vert.x (h2); null when the listener compresses nothing. */
  static GzipRequest of(Compression compression, ListenerRouter listener, HttpServerRequest request) {
    // Accept-Encoding is read only when the listener compresses: a list of its values costs allocations
    return compression.compresses(listener) ? of(compression, listener, request.headers().getAll("accept-encoding")) : null;
  }

  /** For a request served by the Netty engine (HTTP/1.x); null when the listener compresses nothing. */
  static GzipRequest of(Compression compression, ListenerRouter listener, io.netty.handler.codec.http.HttpHeaders headers) {
    return compression.compresses(listener) ? of(compression, listener, headers.getAll("accept-encoding")) : null;
  }

  /** @param acceptEncoding the request's Accept-Encoding values, on a listener that compresses */
  private static GzipRequest of(Compression compression, ListenerRouter listener, List<String> acceptEncoding) {
    GzipPolicy gzip = compression.of(listener);
    GzipPolicy brotli = compression.brotliOf(listener);
    String accepted = String.join(",", acceptEncoding);
    return new GzipRequest(gzip, gzip == null ? 0 : GzipPolicy.weight(accepted, "gzip", "x-gzip"),
        brotli, brotli == null ? 0 : GzipPolicy.weight(accepted, "br", null), compression);
  }

  /**
   * The answer's head edited ({@link GzipAnswer}) for the coding chosen; an encoder when its body
   * is to be compressed, else null. The caller closes the encoder.
   */
  ContentEncoder answer(boolean head, int status, Function<String, List<String>> getAll, BiConsumer<String, String> set,
      Consumer<String> remove) {
    boolean gzipCovers = GzipAnswer.covers(gzip, head, status, getAll);
    boolean brotliCovers = GzipAnswer.covers(brotli, head, status, getAll);
    if (!gzipCovers && !brotliCovers) {
      return null;
    }
    GzipAnswer.vary(getAll, set);
    if (brotliCovers && brotliWeight > 0 && (brotliWeight >= gzipWeight || !gzipCovers)) {
      GzipAnswer.encoded("br", getAll, set, remove);
      return new BrotliEncoder(compression.brotliLevel());
    }
    if (gzipCovers && gzipWeight > 0) {
      GzipAnswer.encoded("gzip", getAll, set, remove);
      return new GzipEncoder(compression.level());
    }
    return null;
  }
}
