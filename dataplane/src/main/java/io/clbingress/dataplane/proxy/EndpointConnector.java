package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.upstream.EndpointPicker;
import io.vertx.core.Future;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * Connecting to a route's endpoint, the same for plain requests, WebSocket upgrades and TCP
 * tunnels: the chosen endpoint first; a failed connect is reported to the picker (passive health)
 * and, when the cluster has another endpoint and the client still waits, tried once more on the
 * next available one.
 */
final class EndpointConnector {

  /** A connection made to endpoint {@code index} of the cluster. */
  record Connected<T>(int index, T connection) {
  }

  /** No endpoint could be connected; {@code index} is the last one tried. */
  static final class Failed extends RuntimeException {
    final int index;

    Failed(int index, Throwable cause) {
      super(cause.toString(), cause, false, false);
      this.index = index;
    }
  }

  /** Told of each failed connect (before a retry, too): for logs and metrics. */
  interface FailureListener {
    void failed(int index, Throwable cause, boolean retrying);
  }

  private EndpointConnector() {
  }

  /**
   * @param attempt opens a connection to the endpoint of an index
   * @param clientWaits false once the client went away: no second attempt then
   */
  static <T> Future<Connected<T>> connect(EndpointPicker picker, int first, IntFunction<Future<T>> attempt,
      BooleanSupplier clientWaits, FailureListener onFailure) {
    return attempt(picker, first, attempt, picker.size() > 1, clientWaits, onFailure);
  }

  private static <T> Future<Connected<T>> attempt(EndpointPicker picker, int index, IntFunction<Future<T>> attempt,
      boolean mayRetry, BooleanSupplier clientWaits, FailureListener onFailure) {
    return attempt.apply(index).transform(result -> {
      if (result.succeeded()) {
        return Future.succeededFuture(new Connected<>(index, result.result()));
      }
      picker.failed(index);
      boolean retrying = mayRetry && clientWaits.getAsBoolean();
      onFailure.failed(index, result.cause(), retrying);
      return retrying ? attempt(picker, picker.next(index), attempt, false, clientWaits, onFailure)
          : Future.failedFuture(new Failed(index, result.cause()));
    });
  }
}
