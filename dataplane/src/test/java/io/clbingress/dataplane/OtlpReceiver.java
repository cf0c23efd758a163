package io.clbingress.dataplane;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An OTLP/HTTP receiver for the tests: {@code POST /v1/traces} with a protobuf
 * {@code ExportTraceServiceRequest}, decoded with the OpenTelemetry proto classes; every span kept
 * in the order received. Anything else is 404; an undecodable body 400.
 */
final class OtlpReceiver implements AutoCloseable {

  /**
   * A span received, its ids in lower-case hex (the parent's empty for a root span), its string and
   * integer attributes as text.
   */
  record Received(String traceId, String spanId, String parentSpanId, String name, Span.SpanKind kind,
      Map<String, String> attributes, String serviceName) {
  }

  private static Map<String, String> attributes(List<KeyValue> attributes) {
    Map<String, String> text = new TreeMap<>();
    attributes.forEach(a -> text.put(a.getKey(),
        a.getValue().hasIntValue() ? Long.toString(a.getValue().getIntValue()) : a.getValue().getStringValue()));
    return text;
  }

  final List<Received> spans = new CopyOnWriteArrayList<>();
  /** Export requests that were not OTLP protobuf. */
  final List<String> rejected = new CopyOnWriteArrayList<>();
  /** While set and not complete, export requests are answered only once it completes (a stalled collector). */
  volatile Future<Void> stalled;
  private final HttpServer server;

  OtlpReceiver(Vertx vertx) throws Exception {
    server = DataPlaneHarness.await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1"))
        .requestHandler(request -> {
          if (!request.path().equals("/v1/traces") || !"POST".equals(request.method().name())) {
            request.response().setStatusCode(404).end();
            return;
          }
          Future<Void> stall = stalled;
          request.body().compose(body -> stall == null ? Future.succeededFuture(body) : stall.map(body)).onSuccess(body -> {
            try {
              received(ExportTraceServiceRequest.parseFrom(body.getBytes()));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
              rejected.add(request.getHeader("content-type") + ": " + e.getMessage());
              request.response().setStatusCode(400).end();
              return;
            }
            request.response().putHeader("content-type", "application/x-protobuf")
                .end(Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
          });
        }).listen(0));
  }

  private void received(ExportTraceServiceRequest export) {
    HexFormat hex = HexFormat.of();
    for (ResourceSpans resource : export.getResourceSpansList()) {
      String service = resource.getResource().getAttributesList().stream()
          .filter(a -> a.getKey().equals("service.name")).findFirst().map(a -> a.getValue().getStringValue()).orElse(null);
      for (ScopeSpans scope : resource.getScopeSpansList()) {
        for (Span span : scope.getSpansList()) {
          spans.add(new Received(hex.formatHex(span.getTraceId().toByteArray()), hex.formatHex(span.getSpanId().toByteArray()),
              hex.formatHex(span.getParentSpanId().toByteArray()), span.getName(), span.getKind(),
              attributes(span.getAttributesList()), service));
        }
      }
    }
  }

  /** The base URL to give {@code --otlp-endpoint}. */
  String endpoint() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** The spans received of this trace. */
  List<Received> trace(String traceId) {
    return spans.stream().filter(span -> span.traceId().equals(traceId)).toList();
  }

  @Override
  public void close() throws Exception {
    DataPlaneHarness.await(server.close());
  }
}
