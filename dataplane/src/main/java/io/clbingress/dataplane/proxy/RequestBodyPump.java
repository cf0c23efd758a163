package io.clbingress.dataplane.proxy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.StreamResetException;
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

  /** The body grew past the listener's limit (a chunked body, whose size is not known up front). */
  static final class BodyTooLargeException extends RuntimeException {
    BodyTooLargeException(long maxBytes) {
      super("request body over " + maxBytes + " bytes", null, false, false);
    }
  }

  /**
   * The client went away mid-exchange (closed its connection, or reset its HTTP/2 stream), and
   * its backend request was reset for that: the client's doing, no failure of the backend's.
   */
  static final class ClientLeftException extends RuntimeException {
    static final ClientLeftException INSTANCE = new ClientLeftException();

    private ClientLeftException() {
      super("the client left", null, false, false);
    }

    /**
     * Whether a failure of the client's request means that the client left: on HTTP/2 every one
     * (its stream was reset, by either side, or its connection failed or closed); on HTTP/1.x its
     * connection closed (a body that cannot be decoded is answered instead).
     */
    static boolean leaving(HttpServerRequest request, Throwable failure) {
      return request.version() == HttpVersion.HTTP_2 || failure instanceof StreamResetException
          || failure instanceof HttpClosedException;
    }

    /** Whether a backend request failed because it was reset for a client that left. */
    static boolean causeOf(Throwable failure) {
      return failure instanceof ClientLeftException || failure.getCause() instanceof ClientLeftException;
    }
  }

  /**
   * Frames the body towards the backend as the client did: with the client's Content-Length, or
   * chunked without one. Once only, before the request head is sent.
   */
  static void frame(HttpServerRequest from, HttpClientRequest to) {
    if (!from.headers().contains(HttpHeaders.CONTENT_LENGTH) && !to.isChunked()) {
      to.setChunked(true);
    }
  }

  /** @param maxBytes the largest body allowed; 0 = no limit */
  static void pump(Vertx vertx, HttpServerRequest from, HttpClientRequest to, long sendMillis, long maxBytes) {
    frame(from, to);
    long[] received = new long[1];
    from.handler(data -> {
      received[0] += data.length();
      if (maxBytes > 0 && received[0] > maxBytes) {
        from.handler(null);
        to.reset(0, new BodyTooLargeException(maxBytes));
        return;
      }
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
    from.exceptionHandler(e -> {
      if (ClientLeftException.leaving(from, e)) {
        to.reset(0, ClientLeftException.INSTANCE);
      } else {
        to.reset();
      }
    });
    from.resume();
  }
}
