package io.clbingress.dataplane.table;

/**
 * Whether a route's requests are written to the access log: ingress-nginx's
 * {@code enable-access-log} annotation ({@code "false"} turns nginx's {@code access_log off} for
 * the Ingress's locations). A route without this filter is logged when the data plane logs
 * ({@code --access-log}); the filter cannot turn on a log the data plane has off. Tunnel records
 * of the route are written regardless (they are no request lines). In the table as
 * {@code {"type": "AccessLog", "enabled": false}}.
 *
 * @param enabled false to leave the route's requests out of the access log
 */
public record AccessLogging(boolean enabled) implements RouteFilter {
}
