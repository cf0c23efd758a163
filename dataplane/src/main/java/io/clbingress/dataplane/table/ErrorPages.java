package io.clbingress.dataplane.table;

import java.util.List;
import java.util.Objects;

/**
 * Answers of a route's backend that another cluster replaces: ingress-nginx's
 * {@code custom-http-errors} with its {@code default-backend} annotation (nginx's
 * {@code proxy_intercept_errors} and {@code error_page} to a named location). When the route's
 * backend answers with one of {@code codes}, before any of that answer reaches the client, the
 * answer is dropped and the client gets instead what {@code cluster} answers to {@code GET /}
 * ({@code HEAD /} for a HEAD request), sent with the request's headers and ingress-nginx's
 * {@code X-Code} (the status), {@code X-Format} (the request's Accept), {@code X-Original-URI} (the
 * request target as the client sent it) and {@code headers}. The proxy's own 502 and 504 (no
 * endpoint could be connected, or none answered) are replaced the same way when listed, as nginx's
 * {@code error_page} replaces the errors nginx makes itself. When {@code cluster} cannot answer
 * (no endpoint, a failed connect, a timeout), the client gets the proxy's own answer with the
 * original status. The error request is never passed on to another error page.
 *
 * @param cluster the error backend's cluster, of the same table
 * @param codes the statuses replaced, each 400–599; empty for none (a default backend that only
 *     serves when the route's Service has no endpoint, which translation settles)
 * @param headers sent to the error backend as they are: ingress-nginx's {@code X-Namespace},
 *     {@code X-Ingress-Name}, {@code X-Service-Name}, {@code X-Service-Port}
 * @throws IllegalArgumentException for a code out of range
 */
public record ErrorPages(String cluster, List<Integer> codes, List<HttpHeader> headers) implements RouteFilter {

  public ErrorPages {
    Objects.requireNonNull(cluster, "cluster");
    codes = ErrorStatuses.checked(codes, "error page");
    headers = headers == null ? List.of() : List.copyOf(headers);
  }

  /** Whether an answer with this status is replaced. */
  public boolean replaces(int status) {
    return ErrorStatuses.contains(codes, status);
  }
}
