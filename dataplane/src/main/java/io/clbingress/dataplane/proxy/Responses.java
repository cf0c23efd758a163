package io.clbingress.dataplane.proxy;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** The proxy's own answers (no route, no endpoint, backend failures): short plain text. */
final class Responses {

  private Responses() {
  }

  /**
   * The proxy's own answer. What is left of the request's body is read and dropped, so that the
   * connection can serve the next request; but a client that waits for {@code 100 Continue}
   * before sending its body (RFC 9110 §10.1.1) never sends it, so its connection is closed after
   * the answer (with {@code Connection: close}) rather than left waiting for a body.
   */
  static void send(HttpServerRequest request, int status, String message) {
    answer(request, status, message, ExpectContinue.awaited(request));
  }

  /**
   * The proxy's own answer to a client that was told {@code 100 Continue} and sends its body:
   * the rest of it is read and dropped, the connection kept.
   */
  static void sendAfterContinue(HttpServerRequest request, int status, String message) {
    answer(request, status, message, false);
  }

  /**
   * 204 without a body or Content-Length (RFC 9110 §8.6, §15.3.5): a CORS preflight answered at
   * the edge; the connection closes after it when the client awaits {@code 100 Continue}.
   */
  static void noContent(HttpServerRequest request) {
    answer(request, 204, null, ExpectContinue.awaited(request));
  }

  /** {@code message}: the text of the body, or null for none. */
  private static void answer(HttpServerRequest request, int status, String message, boolean close) {
    // The forwarders pause the request; a paused request keeps the whole keep-alive connection
    // from reading its next request. What is left of its body is read and dropped, so that the
    // connection can serve the next request (a pump towards a failed backend must not stall it).
    if (!request.isEnded()) {
      request.handler(unread -> { });
    }
    if (!request.isEnded() || request.version() != io.vertx.core.http.HttpVersion.HTTP_2) {
      request.resume(); // an HTTP/2 request that has ended (or was reset) refuses to be resumed
    }
    HttpServerResponse response = request.response();
    if (response.headWritten() || response.ended() || response.closed()) {
      if (request.version() == io.vertx.core.http.HttpVersion.HTTP_2) {
        response.reset(); // this stream only: the connection carries other exchanges
      } else {
        request.connection().close();
      }
      return;
    }
    response.setStatusCode(status);
    if (close) {
      lastOnConnection(request);
    }
    var ended = message == null ? response.end()
        : response.putHeader("content-type", "text/plain; charset=utf-8").end(status + " " + message + "\n");
    if (close) {
      closeWhenWritten(request, ended);
    }
  }

  /** Marks the answer as the connection's last (HTTP/1.x: {@code Connection: close}). */
  static void lastOnConnection(HttpServerRequest request) {
    if (request.version() != io.vertx.core.http.HttpVersion.HTTP_2) {
      request.response().putHeader("connection", "close");
    }
  }

  /**
   * Closes an HTTP/1.x connection once its last answer is written: for a client that waits for a
   * 100 Continue it will not get (RFC 9110 §10.1.1). An HTTP/2 stream just ends with its answer.
   */
  static void closeWhenWritten(HttpServerRequest request, io.vertx.core.Future<Void> written) {
    if (request.version() != io.vertx.core.http.HttpVersion.HTTP_2) {
      written.onComplete(done -> request.connection().close());
    }
  }

  /**
   * 413 for a body over the listener's limit; the connection closes after it rather than reading
   * the rest of a body that may be huge (HTTP/2 resets only the stream).
   */
  static void tooLarge(HttpServerRequest request) {
    if (request.version() != io.vertx.core.http.HttpVersion.HTTP_2 && !request.response().headWritten()) {
      request.response().putHeader("connection", "close");
    }
    send(request, 413, "Request Entity Too Large");
  }

  /** The reason phrase of a status (RFC 9110 §15), as the proxy's own answers word it. */
  static String reason(int status) {
    return io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase();
  }

  static boolean isTimeout(Throwable failure) {
    return failure instanceof java.util.concurrent.TimeoutException;
  }
}
