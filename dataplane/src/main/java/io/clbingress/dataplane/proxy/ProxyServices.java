package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.metrics.ProxyMetrics;
import io.clbingress.dataplane.routing.Router;
import java.util.function.Supplier;

/**
 * What every listener's servers share within a data plane: the router in force, the registry of
 * open tunnels, and the metrics.
 */
public record ProxyServices(Supplier<Router> router, TunnelRegistry tunnels, ProxyMetrics metrics) {
}
