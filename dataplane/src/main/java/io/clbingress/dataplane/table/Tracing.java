package io.clbingress.dataplane.table;

/**
 * A route's tracing, when it differs from the data plane's default (traced when
 * {@code --otlp-endpoint} is set, the client's {@code traceparent} taken as the parent): the
 * ingress-nginx annotations {@code enable-opentelemetry} and {@code opentelemetry-trust-incoming-span}
 * (and their {@code clb.ingress.io/} twins). Without {@code --otlp-endpoint} nothing is traced,
 * whatever a route says.
 *
 * @param enabled false: the route's requests get no span, and their {@code traceparent} and
 *     {@code tracestate} go to the backend as the client sent them (as with tracing off)
 * @param trustIncomingSpan false: the client's {@code traceparent} and {@code tracestate} are
 *     ignored, each request starts a trace of its own (its span a root), and the backend receives
 *     that trace's context instead of the client's
 */
public record Tracing(boolean enabled, boolean trustIncomingSpan) implements RouteFilter {
}
