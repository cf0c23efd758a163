package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.GzipPolicy;
import io.clbingress.dataplane.routing.ListenerRouter;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A request on a listener that compresses answers: its listener's policy, whether the client
 * takes gzip, and the level. Made only for such listeners (else null, and nothing of the request
 * is read for it: a listener without compression pays one field read per request).
 *
 * @param accepted the client's {@code Accept-Encoding} takes gzip ({@link GzipPolicy#accepts})
 */
record GzipRequest(GzipPolicy policy, boolean accepted, int level) {

  /** For a request served by Vert.x (h2); null when the listener compresses nothing. */
  static GzipRequest of(Compression compression, ListenerRouter listener, HttpServerRequest request) {
    GzipPolicy policy = compression.of(listener);
    return policy == null ? null : new GzipRequest(policy,
        GzipPolicy.accepts(String.join(",", request.headers().getAll("accept-encoding"))), compression.level());
  }

  /** For a request served by the Netty engine (HTTP/1.x); null when the listener compresses nothing. */
  static GzipRequest of(Compression compression, ListenerRouter listener, io.netty.handler.codec.http.HttpHeaders headers) {
    GzipPolicy policy = compression.of(listener);
    return policy == null ? null : new GzipRequest(policy,
        GzipPolicy.accepts(String.join(",", headers.getAll("accept-encoding"))), compression.level());
  }

  /**
   * The answer's head edited ({@link GzipAnswer#prepare}); an encoder when its body is to be
   * compressed, else null. The caller closes the encoder.
   */
  GzipEncoder answer(boolean head, int status, Function<String, List<String>> getAll, BiConsumer<String, String> set,
      Consumer<String> remove) {
    return GzipAnswer.prepare(policy, accepted, head, status, getAll, set, remove) ? new GzipEncoder(level) : null;
  }
}
