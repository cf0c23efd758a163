package io.clbingress.dataplane.tracing;

import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.Tracing;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The data plane's tracing when {@code --otlp-endpoint} is set (without it there is no instance,
 * and the proxy's one check is a null check): the OpenTelemetry SDK with the sampler
 * {@code parentbased(traceidratio(--trace-sample-ratio))}, a batch span processor with a bounded
 * queue ({@value #QUEUE_SIZE} spans; a span ended while it is full is dropped and counted,
 * {@link #droppedSpans}), and an OTLP/HTTP protobuf exporter (over the JDK's HTTP client) to the
 * endpoint's {@code /v1/traces}. The queue and batch sizes and the 5 s delay are the SDK's defaults,
 * and ingress-nginx's ({@code otel-max-queuesize}, {@code otel-max-export-batch-size},
 * {@code otel-schedule-delay-millis}).
 *
 * <p>Context comes and goes as W3C Trace Context ({@code traceparent}, {@code tracestate}): the
 * client's is the parent of the proxy's span unless the route says not to trust it
 * ({@link Tracing#trustIncomingSpan}), and the backend receives the proxy's span as its parent,
 * with the sampled flag the sampler chose (off when the span is not sampled, as the SDK writes it).
 */
public final class ProxyTracing implements AutoCloseable {

  /** Spans waiting for export at most; more are dropped. */
  public static final int QUEUE_SIZE = 2048;
  /** Spans per export request at most. */
  public static final int BATCH_SIZE = 512;
  /** The {@code service.name} of the spans' resource. */
  public static final String SERVICE_NAME = "clb-ingress";

  static final String TRACEPARENT = "traceparent";
  static final String TRACESTATE = "tracestate";
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
      "TRACE", "PATCH");
  private static final W3CTraceContextPropagator PROPAGATOR = W3CTraceContextPropagator.getInstance();
  private static final TextMapGetter<TraceHeaders> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(TraceHeaders carrier) {
      return List.of(TRACEPARENT, TRACESTATE);
    }

    @Override
    public String get(TraceHeaders carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };
  private static final TextMapSetter<TraceHeaders> SETTER = TraceHeaders::set;

  private final SdkTracerProvider provider;
  private final SdkMeterProvider meters;
  private final DroppedSpans dropped;
  private final Tracer tracer;

  private ProxyTracing(TracingOptions options) {
    dropped = new DroppedSpans();
    meters = SdkMeterProvider.builder().registerMetricReader(dropped).build();
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(options.tracesUrl())
        .setMeterProvider(meters).build();
    provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
            AttributeKey.stringKey("service.name"), SERVICE_NAME))))
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(options.sampleRatio())))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setMaxQueueSize(QUEUE_SIZE)
            .setMaxExportBatchSize(BATCH_SIZE).setMeterProvider(meters).build())
        .build();
    tracer = provider.get("io.clbingress.dataplane");
  }

  /** The tracing these options ask for, or null when they ask for none ({@link TracingOptions#enabled}). */
  public static ProxyTracing of(TracingOptions options) {
    return options.enabled() ? new ProxyTracing(options) : null;
  }

  /**
   * Starts the span of a request dispatched to a backend, and sets the {@code traceparent} (and
   * {@code tracestate}) the backend receives to the span's context; for a route whose tracing is
   * off ({@link Tracing#enabled}) does nothing at all.
   *
   * @param route the matched route: its {@link Tracing} filter, and its source as {@code http.route}
   * @param method the request's method
   * @param headers the request's headers, edited in place
   * @return the span, or null for a route that is not traced
   */
  public ProxySpan start(Route route, String method, TraceHeaders headers) {
    Tracing rule = route.filter(Tracing.class);
    if (rule != null && !rule.enabled()) {
      return null;
    }
    boolean trusted = rule == null || rule.trustIncomingSpan();
    Context parent = trusted ? PROPAGATOR.extract(Context.root(), headers, GETTER) : Context.root();
    String known = METHODS.contains(method) ? method : null;
    // Span name per the HTTP conventions: "{method} {http.route}", "HTTP" for a method not known.
    Span span = tracer.spanBuilder((known == null ? "HTTP" : known) + " " + route.source()).setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute(ProxySpan.METHOD, known == null ? "_OTHER" : known)
        .setAttribute(ProxySpan.ROUTE, route.source())
        .startSpan();
    if (known == null && span.isRecording()) {
      span.setAttribute(ProxySpan.METHOD_ORIGINAL, method);
    }
    headers.remove(TRACEPARENT);
    headers.remove(TRACESTATE); // the client's, unless the parent carried it: written again below
    PROPAGATOR.inject(parent.with(span), headers, SETTER);
    return new ProxySpan(span);
  }

  /** Spans dropped because the export queue was full, since start. */
  public long droppedSpans() {
    return dropped.count();
  }

  /** Exports every span ended so far, waiting up to {@code seconds}; true when they all went. */
  public boolean flush(long seconds) {
    return provider.forceFlush().join(seconds, TimeUnit.SECONDS).isSuccess();
  }

  /** Exports what is queued (up to 10 s) and stops. */
  @Override
  public void close() {
    provider.shutdown().join(10, TimeUnit.SECONDS);
    meters.shutdown().join(1, TimeUnit.SECONDS);
  }
}
