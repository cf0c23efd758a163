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

  static boolean isTimeout(Throwable failure) {
    return failure instanceof java.util.concurrent.TimeoutException;
  }
}
