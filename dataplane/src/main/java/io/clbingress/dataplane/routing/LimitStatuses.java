package io.clbingress.dataplane.routing;

/**
 * The status of an answer refused by a limit: ingress-nginx's ConfigMap {@code limit-req-status-code}
 * and {@code limit-conn-status-code} (nginx's {@code limit_req_status} and {@code limit_conn_status},
 * which take 400–599), 503 both by default. One setting per data plane
 * ({@code --limit-req-status-code}, {@code --limit-conn-status-code}).
 *
 * @param request the answer to a request over its route's {@link io.clbingress.dataplane.table.LocalRateLimit}
 * @param connection the answer to a request over its route's {@link io.clbingress.dataplane.table.ConnectionLimit}
 * @throws IllegalArgumentException for a status outside 400–599
 */
public record LimitStatuses(int request, int connection) {

  /** ingress-nginx's defaults: 503 both. */
  public static final LimitStatuses DEFAULTS = new LimitStatuses(503, 503);

  public LimitStatuses {
    check("limit-req-status-code", request);
    check("limit-conn-status-code", connection);
  }

  /**
   * @param name the setting's name, for the message
   * @throws IllegalArgumentException when {@code status} is outside 400–599
   */
  public static void check(String name, int status) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException(name + " must be a status 400–599: " + status);
    }
  }
}
