package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * When a request that failed on one endpoint of its cluster is passed to the next one: nginx's
 * {@code proxy_next_upstream}, {@code proxy_next_upstream_tries} and {@code proxy_next_upstream_timeout}
 * (ingress-nginx's {@code proxy-next-upstream*} annotations), and the shape of Gateway API's
 * HTTPRoute rule {@code retry} ({@code attempts}, {@code codes}). A route without this filter has
 * {@link #DEFAULT}.
 *
 * <p>Whatever the conditions: each endpoint is tried at most once per request; nothing of an
 * answer has reached the client before a retry (the answer of the last try goes to the client as
 * it is); a request whose body was partly or wholly sent is never sent again (the body streams and
 * is not kept), so only a failed connect passes such a request on; and a request with a
 * method nginx calls non-idempotent (POST, PATCH, LOCK) that reached an endpoint is passed on only
 * with {@link On#NON_IDEMPOTENT}, as nginx.
 *
 * @param attempts how many more endpoints may be tried after the first, 0–100 (nginx's tries minus
 *     one; 0 passes nothing on, nginx's {@code off})
 * @param on the failures that pass a request on
 * @param codes answer statuses that pass a request on (nginx's {@code http_500}, {@code http_502},
 *     {@code http_503}, {@code http_504}, {@code http_403}, {@code http_404}, {@code http_429}),
 *     each 400–599
 * @param budgetMillis no new try begins this long after the request came; 0 = no limit (nginx's
 *     {@code proxy_next_upstream_timeout})
 * @throws IllegalArgumentException for a value out of those ranges
 */
public record Retry(int attempts, List<On> on, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Integer> codes,
    long budgetMillis) implements RouteFilter {

  /** Failures of a try (nginx's {@code proxy_next_upstream} words, Envoy's {@code retry_on} for the first). */
  public enum On {
    /** The endpoint could not be connected to, for any reason (Envoy's {@code connect-failure}). */
    CONNECT_FAILURE,
    /** A connect refused or reset, or the connection lost before the answer's head (nginx's {@code error}). */
    ERROR,
    /** No connection within the connect timeout, or no answer head within the read timeout (nginx's {@code timeout}). */
    TIMEOUT,
    /** An answer head that does not parse (nginx's {@code invalid_header}). */
    INVALID_HEADER,
    /** POST, PATCH and LOCK are passed on too after they reached an endpoint (nginx's {@code non_idempotent}). */
    NON_IDEMPOTENT
  }

  /** What a route without this filter does: a failed connect is tried once more on the next endpoint. */
  public static final Retry DEFAULT = new Retry(1, List.of(On.CONNECT_FAILURE), List.of(), 0);

  public Retry {
    if (attempts < 0 || attempts > 100) {
      throw new IllegalArgumentException("retry attempts " + attempts + " is outside 0–100");
    }
    on = List.copyOf(Objects.requireNonNull(on, "on"));
    codes = ErrorStatuses.checked(codes, "retry");
    if (budgetMillis < 0) {
      throw new IllegalArgumentException("retry budget " + budgetMillis + " ms is negative");
    }
  }

  /** Whether a failure of this kind passes a request on. */
  public boolean on(On failure) {
    return on.contains(failure);
  }

  /** Whether an answer with this status passes a request on. */
  public boolean onStatus(int status) {
    return ErrorStatuses.contains(codes, status);
  }
}
