package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.upstream.EndpointPicker;
import io.vertx.core.Future;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * Connecting to a route's endpoint, the same for plain requests, WebSocket upgrades and TCP
 * tunnels: the chosen endpoint first; a failed connect is reported to the picker (passive health)
 * and, while the client still waits, tried on the next endpoint as the route's
 * {@link io.clbingress.dataplane.table.Retry} allows ({@link NextUpstream}).
 */
final class EndpointConnector {

  /** A connection made to endpoint {@code index} of the cluster, in {@code nanos} (the successful attempt's time). */
  record Connected<T>(int index, T connection, long nanos) {
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

  /** A connection for a tunnel or upgrade of {@code route}, whose tries begin now. */
  static <T> Future<Connected<T>> connect(CompiledRoute route, int first,
      IntFunction<Future<T>> attempt, BooleanSupplier clientWaits, FailureListener onFailure) {
    EndpointPicker picker = route.cluster().picker();
    return connect(new NextUpstream(route.retry(), picker, first, System.nanoTime()), picker, first, attempt, clientWaits,
        onFailure);
  }

  /**
   * @param tries the request's tries, which decide whether a failed connect goes on to another endpoint
   * @param attempt opens a connection to the endpoint of an index
   * @param clientWaits false once the client went away: no further attempt then
   */
  static <T> Future<Connected<T>> connect(NextUpstream tries, EndpointPicker picker, int first,
      IntFunction<Future<T>> attempt, BooleanSupplier clientWaits, FailureListener onFailure) {
    long started = System.nanoTime();
    return attempt.apply(first).transform(result -> {
      if (result.succeeded()) {
        return Future.succeededFuture(new Connected<>(first, result.result(), System.nanoTime() - started));
      }
      picker.failed(first);
      int next = clientWaits.getAsBoolean() ? tries.afterConnectFailure(first, result.cause()) : -1;
      onFailure.failed(first, result.cause(), next >= 0);
      return next >= 0 ? connect(tries, picker, next, attempt, clientWaits, onFailure)
          : Future.failedFuture(new Failed(first, result.cause()));
    });
  }
}
