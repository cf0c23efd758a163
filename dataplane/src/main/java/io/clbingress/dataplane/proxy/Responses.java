package io.clbingress.dataplane.proxy;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** The proxy's own answers (no route, no endpoint, backend failures): short plain text. */
final class Responses {

  private Responses() {
  }

  static void send(HttpServerRequest request, int status, String message) {
    // The forwarders pause the request; a paused request keeps the whole keep-alive connection
    // from reading its next request. What is left of its body is read and dropped, so that the
    // connection can serve the next request (a pump towards a failed backend must not stall it).
    if (!request.isEnded()) {
      request.handler(unread -> { });
    }
    request.resume();
    HttpServerResponse response = request.response();
    if (response.headWritten() || response.ended() || response.closed()) {
      request.connection().close();
      return;
    }
    response.setStatusCode(status)
        .putHeader("content-type", "text/plain; charset=utf-8")
        .end(status + " " + message + "\n");
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

  static boolean isTimeout(Throwable failure) {
    return failure instanceof java.util.concurrent.TimeoutException;
  }
}
