package io.clbingress.dataplane.proxy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeoutException;

/**
 * Streams a request body to the backend with backpressure, and enforces the send timeout: when
 * the backend has taken nothing for that long while data waits, the exchange is reset with a
 * {@link SendTimeoutException} (answered 504, as a read timeout is).
 */
final class RequestBodyPump {

  /** The backend accepted no request data within the route's send timeout. */
  static final class SendTimeoutException extends TimeoutException {
    SendTimeoutException(long millis) {
      super("backend accepted no request data for " + millis + " ms");
    }
  }

  private RequestBodyPump() {
  }

  static void pump(Vertx vertx, HttpServerRequest from, HttpClientRequest to, long sendMillis) {
    if (!from.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
      to.setChunked(true);
    }
    from.handler(data -> {
      to.write(data);
      if (to.writeQueueFull()) {
        from.pause();
        long timer = vertx.setTimer(sendMillis, id -> to.reset(0, new SendTimeoutException(sendMillis)));
        to.drainHandler(v -> {
          vertx.cancelTimer(timer);
          from.resume();
        });
      }
    });
    from.endHandler(v -> to.end());
    from.exceptionHandler(e -> to.reset());
    from.resume();
  }
}
