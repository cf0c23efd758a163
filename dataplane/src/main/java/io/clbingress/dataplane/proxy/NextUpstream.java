package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.table.Retry;
import io.clbingress.dataplane.upstream.EndpointPicker;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * The tries of one request (or tunnel) on the endpoints of its cluster, by its route's
 * {@link Retry}: after each failed try, whether the request is passed on and to which endpoint. The
 * same rules for both HTTP engines, WebSocket upgrades and TCP tunnels (which only connect). The
 * Netty engine makes one at a request's first failure, so a request that succeeds at once costs
 * nothing there; the Vert.x engine (HTTP/2), upgrades and tunnels make one per request or tunnel.
 */
final class NextUpstream {

  /** How a try failed. */
  enum Failure {
    /** The connect was refused, reset or unroutable. */
    CONNECT_ERROR,
    /** The connect timed out. */
    CONNECT_TIMEOUT,
    /** The connection was lost (closed, reset) after the request went out, before the answer's head. */
    LOST,
    /** No answer head within the read timeout, or the backend took no request data within the send timeout. */
    SILENT,
    /** The answer's head did not parse. */
    INVALID_HEADER,
    /** The answer's head came with a status of the policy's codes. */
    STATUS
  }

  /** RFC 9110 §9.2.2's idempotent methods, by name (either engine's method type). */
  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");
  /** The methods nginx does not pass on once they reached an endpoint, without {@code non_idempotent}. */
  private static final Set<String> NGINX_NON_IDEMPOTENT = Set.of("POST", "LOCK", "PATCH");

  private final Retry retry;
  private final EndpointPicker picker;
  private final int first;
  private final long startedNanos;
  private int retried;

  /**
   * @param first the endpoint of the first try
   * @param startedNanos when the request came ({@link System#nanoTime}), for the policy's budget
   */
  NextUpstream(Retry retry, EndpointPicker picker, int first, long startedNanos) {
    this.retry = retry;
    this.picker = picker;
    this.first = first;
    this.startedNanos = startedNanos;
  }

  /** Whether a method is idempotent (RFC 9110 §9.2.2): a stale connection's request may be sent again. */
  static boolean idempotent(String method) {
    return IDEMPOTENT.contains(method);
  }

  /**
   * The kind of a try that failed after its request went out (the Vert.x engine's failures): a
   * read timeout, an answer that did not parse, or the connection lost.
   */
  static Failure ofAnswer(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TimeoutException) {
        return Failure.SILENT;
      }
      if (t instanceof DecoderException) {
        return Failure.INVALID_HEADER;
      }
    }
    return Failure.LOST;
  }

  /** The kind of a failed connect: a timeout (Netty's, Vert.x's) or an error. */
  static Failure ofConnect(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ConnectTimeoutException || t instanceof TimeoutException) {
        return Failure.CONNECT_TIMEOUT;
      }
    }
    return Failure.CONNECT_ERROR;
  }

  /** The endpoint to connect to after a failed connect to {@code current}, or -1 to answer with the failure. */
  int afterConnectFailure(int current, Throwable cause) {
    return next(current, ofConnect(cause), 0, false, "GET");
  }

  /**
   * The endpoint to send the request to after its try on {@code current} failed, or -1 to answer
   * with the failure (or, for {@link Failure#STATUS}, relay the answer).
   *
   * @param status the answer's status for {@link Failure#STATUS}, else ignored
   * @param bodySent some of the request's body went out on the failed try (it cannot be sent again)
   * @param method the request's method: POST, LOCK and PATCH go on only with {@code non_idempotent}
   *     (nginx's set)
   */
  int next(int current, Failure failure, int status, boolean bodySent, String method) {
    boolean wanted = switch (failure) {
      case CONNECT_ERROR -> retry.on(Retry.On.CONNECT_FAILURE) || retry.on(Retry.On.ERROR);
      case CONNECT_TIMEOUT -> retry.on(Retry.On.CONNECT_FAILURE) || retry.on(Retry.On.TIMEOUT);
      case LOST -> retry.on(Retry.On.ERROR);
      case SILENT -> retry.on(Retry.On.TIMEOUT);
      case INVALID_HEADER -> retry.on(Retry.On.INVALID_HEADER);
      case STATUS -> retry.onStatus(status);
    };
    boolean connected = failure != Failure.CONNECT_ERROR && failure != Failure.CONNECT_TIMEOUT;
    if (!wanted || retried >= retry.attempts()
        || connected && (bodySent || NGINX_NON_IDEMPOTENT.contains(method) && !retry.on(Retry.On.NON_IDEMPOTENT))
        || retry.budgetMillis() > 0 && System.nanoTime() - startedNanos >= retry.budgetMillis() * 1_000_000) {
      return -1;
    }
    int next = picker.nextUntried(current, first);
    if (next >= 0) {
      retried++;
    }
    return next;
  }
}
