package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.accesslog.AccessLog;
import io.clbingress.dataplane.metrics.ProxyMetrics;
import io.clbingress.dataplane.routing.Router;
import io.clbingress.dataplane.table.HeadLimits;
import io.clbingress.dataplane.tracing.ProxyTracing;
import java.util.function.Supplier;

/**
 * What every listener's servers share within a data plane: the router in force, the registry of
 * open tunnels, the metrics, and the request head limits of listeners that set none of their own
 * ({@code --max-request-line-bytes}, {@code --max-header-bytes}), and who is trusted to name the client
 * ({@code --trusted-proxies}, {@link RealIp}), the external authentication answers kept
 * ({@link AuthAnswers}), the compression settings ({@code --gzip} ..., {@link Compression}), the
 * access log ({@code --access-log}, {@link AccessLog}), the tracing ({@code --otlp-endpoint},
 * {@link ProxyTracing}, null when off), and whether client request headers with {@code _} in their
 * names go on to backends ({@code --enable-underscores-in-headers}; dropped when false, as nginx by
 * default).
 */
public record ProxyServices(Supplier<Router> router, TunnelRegistry tunnels, ProxyMetrics metrics,
    HeadLimits headLimits, RealIp realIp, AuthAnswers authAnswers, Compression compression, AccessLog accessLog,
    ProxyTracing tracing, boolean underscoresInHeaders) {

  public ProxyServices {
    java.util.Objects.requireNonNull(compression, "compression");
    java.util.Objects.requireNonNull(accessLog, "accessLog");
    java.util.Objects.requireNonNull(headLimits, "headLimits");
    java.util.Objects.requireNonNull(realIp, "realIp");
  }
}
