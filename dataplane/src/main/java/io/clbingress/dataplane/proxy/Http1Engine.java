package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.accesslog.AccessLog;
import io.clbingress.dataplane.metrics.ProxyMetrics;

/**
 * What the HTTP/1.x engine of one listener instance (one event loop) works with: the listener's
 * routing and drain state, its event loop's backend connections, sticky sessions, metrics, the
 * WebSocket upgrade path, its external authentication client, and the access log.
 */
record Http1Engine(ProxyRequestHandler front, UpstreamPool pool, StickySessions sessions, ProxyMetrics metrics,
    WebSocketProxy webSockets, AuthClient auth, AccessLog accessLog) {
}
