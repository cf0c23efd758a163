package io.clbingress.dataplane;

import static io.clbingress.dataplane.DataPlaneHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.Tracing;
import io.clbingress.dataplane.tracing.ProxyTracing;
import io.clbingress.dataplane.tracing.TracingOptions;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.HostAndPort;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * W3C trace context and OTLP spans ({@code --otlp-endpoint}, {@code --trace-sample-ratio}), with an
 * OTLP/HTTP receiver written here ({@link OtlpReceiver}, decoding the protobuf with the
 * OpenTelemetry proto classes) and real clients over HTTP/1.1 (the Netty engine), h2 (Vert.x) and
 * WebSocket: one SERVER span per proxied request, its parent the client's {@code traceparent}, and
 * the backend's {@code traceparent} naming that span as its parent; nothing exported at ratio 0.0
 * (propagation still works), nor for a route with {@code enable-opentelemetry: "false"}.
 *
 * <p>Nothing is waited for by time: a test flushes the SDK until the receiver has what it waits
 * for, and proves that something was NOT exported by a later marker request on the same
 * connection, whose span is queued after it (the SDK exports in order) and arrives.
 */
class TracingTest {

  static final Vertx vertx = Vertx.vertx();
  /** One connection per data plane port: a request's span ends before the next request is read. */
  static final HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
      new PoolOptions().setHttp1MaxSize(1));
  static final AtomicLong ids = new AtomicLong(0x1000);
  static OtlpReceiver receiver;
  static OtlpReceiver unsampledReceiver;
  static DataPlaneHarness traced;
  static DataPlaneHarness unsampled;
  static DataPlaneHarness off;
  static TestBackend app;
  static TestBackend unsampledApp;
  static TestBackend offApp;

  @BeforeAll
  static void start() throws Exception {
    receiver = new OtlpReceiver(vertx);
    unsampledReceiver = new OtlpReceiver(vertx);
    DataPlaneOptions loopback = DataPlaneOptions.loopback(Duration.ofSeconds(1));
    traced = new DataPlaneHarness(loopback.withTracing(new TracingOptions(URI.create(receiver.endpoint()), 1.0)));
    unsampled = new DataPlaneHarness(loopback.withTracing(
        new TracingOptions(URI.create(unsampledReceiver.endpoint() + "/v1/traces"), 0.0)));
    off = new DataPlaneHarness(loopback);
    app = traced.backend("app");
    unsampledApp = unsampled.backend("app");
    offApp = off.backend("app");
    traced.apply(table(app));
    unsampled.apply(table(unsampledApp));
    off.apply(table(offApp));
  }

  /**
   * {@code a.example.com} traced by default, {@code off.example.com} with tracing off, and
   * {@code untrusted.example.com} ignoring the client's trace context; the same over HTTPS.
   */
  static io.clbingress.dataplane.table.RoutingTable table(TestBackend backend) {
    return Tables.table(1).cluster("app", backend.port())
        .route("a.example.com", route("default/traced"))
        .route("off.example.com", route("default/off").withFilter(new Tracing(false, true)))
        .route("untrusted.example.com", route("default/untrusted").withFilter(new Tracing(true, false)))
        .overHttpsToo().build();
  }

  static Route route(String source) {
    return new Route(PathMatch.Prefix.of("/"), "app", Tables.DEFAULT_TIMEOUTS, source);
  }

  @AfterAll
  static void stop() throws Exception {
    traced.close();
    unsampled.close();
    off.close();
    receiver.close();
    unsampledReceiver.close();
    vertx.close().await();
  }

  /** A fresh trace id (32 hex digits). */
  static String traceId() {
    return String.format("%016x%016x", 0x4bf92f3577b34da6L, ids.incrementAndGet());
  }

  /** A fresh parent span id (16 hex digits). */
  static String spanId() {
    return String.format("%016x", ids.incrementAndGet());
  }

  /**
   * Whether trace flags say sampled (bit 0; the SDK also sets Trace Context Level 2's "random" bit,
   * 0x02, on the trace ids it makes).
   */
  static boolean sampled(String flags) {
    return (Integer.parseInt(flags, 16) & 1) == 1;
  }

  record Answer(int status, Map<String, String> headers) {
    /** What the backend received of this request header ({@link TestBackend}'s {@code seen-*}). */
    String seen(String name) {
      return headers.get("seen-" + name);
    }
  }

  /** GET over HTTP/1.1 on the one connection to {@code harness}'s HTTP port, with these headers. */
  static Answer get(DataPlaneHarness harness, String host, String path, String... headers) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
        .setPort(harness.dataPlane.httpPort()).setURI(path).putHeader("host", host);
    for (int i = 0; i < headers.length; i += 2) {
      options.putHeader(headers[i], headers[i + 1]);
    }
    return exchange(() -> http.request(options).compose(request -> request.send()).compose(TracingTest::answer));
  }

  static Future<Answer> answer(io.vertx.core.http.HttpClientResponse response) {
    return response.body().map(body -> {
      Map<String, String> seen = new TreeMap<>();
      response.headers().forEach(h -> seen.putIfAbsent(h.getKey().toLowerCase(), h.getValue()));
      return new Answer(response.statusCode(), seen);
    });
  }

  /** Runs a client exchange on a context, so that its continuation is registered before the body comes. */
  static <T> T exchange(Supplier<Future<T>> exchange) throws Exception {
    Promise<T> promise = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> exchange.get().onComplete(promise));
    return await(promise.future());
  }

  /** The spans of {@code traceId} once at least one arrived, flushing the SDK until then. */
  static List<OtlpReceiver.Received> awaitTrace(DataPlaneHarness harness, OtlpReceiver to, String traceId) {
    ProxyTracing tracing = harness.dataPlane.tracing();
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
      tracing.flush(5);
      return !to.trace(traceId).isEmpty();
    });
    return to.trace(traceId);
  }

  /**
   * Everything {@code harness} exported before now has arrived: a sampled request on the same
   * connection (to {@code a.example.com}, traced), whose span the SDK exports after theirs, arrived.
   */
  static void markerArrived(DataPlaneHarness harness, OtlpReceiver to) throws Exception {
    String marker = traceId();
    assertThat(get(harness, "a.example.com", "/marker", "traceparent", "00-" + marker + "-" + spanId() + "-01").status())
        .isEqualTo(200);
    awaitTrace(harness, to, marker);
  }

  @Test
  void http1RequestIsOneSpanChildOfTheClientsAndParentOfTheBackendsContext() throws Exception {
    String trace = traceId();
    String parent = spanId();
    Answer answer = get(traced, "a.example.com", "/one?x=1", "traceparent", "00-" + trace + "-" + parent + "-01",
        "tracestate", "vendor=abc", "user-agent", "tracing-test");
    assertThat(answer.status()).isEqualTo(200);

    OtlpReceiver.Received span = awaitTrace(traced, receiver, trace).get(0);
    assertThat(span.parentSpanId()).isEqualTo(parent);
    assertThat(span.kind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(span.name()).isEqualTo("GET default/traced");
    assertThat(span.serviceName()).isEqualTo(ProxyTracing.SERVICE_NAME);
    assertThat(span.attributes()).containsAllEntriesOf(Map.ofEntries(Map.entry("http.request.method", "GET"),
        Map.entry("url.path", "/one"), Map.entry("url.query", "x=1"), Map.entry("url.scheme", "http"),
        Map.entry("server.address", "a.example.com"),
        Map.entry("server.port", Integer.toString(traced.dataPlane.httpPort())), Map.entry("http.route", "default/traced"),
        Map.entry("http.response.status_code", "200"), Map.entry("client.address", "127.0.0.1"),
        Map.entry("network.peer.address", "127.0.0.1"), Map.entry("network.protocol.version", "1.1"),
        Map.entry("user_agent.original", "tracing-test")));
    // the backend's parent is the exported span; the trace, its sampled flag and tracestate are kept
    assertThat(answer.seen("traceparent")).isEqualTo("00-" + trace + "-" + span.spanId() + "-01");
    assertThat(answer.seen("tracestate")).isEqualTo("vendor=abc");

    markerArrived(traced, receiver);
    assertThat(receiver.trace(trace)).hasSize(1);
  }

  /** A POST over h2 on the one connection to the traced data plane's HTTPS port, with this traceparent. */
  static Answer h2(String path, String traceparent) throws Exception {
    int port = traced.dataPlane.httpsPort();
    RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(port).setMethod(HttpMethod.POST)
        .setURI(path).putHeader("traceparent", traceparent);
    return exchange(() -> traced.h2.request(options)
        .compose(request -> request.authority(HostAndPort.create("a.example.com", port)).send("body"))
        .compose(TracingTest::answer));
  }

  @Test
  void h2RequestIsOneSpanChildOfTheClients() throws Exception {
    String trace = traceId();
    String parent = spanId();
    Answer answer = h2("/h2", "00-" + trace + "-" + parent + "-01");
    assertThat(answer.status()).isEqualTo(200);

    OtlpReceiver.Received span = awaitTrace(traced, receiver, trace).get(0);
    assertThat(span.parentSpanId()).isEqualTo(parent);
    assertThat(span.name()).isEqualTo("POST default/traced");
    assertThat(span.attributes()).containsAllEntriesOf(Map.of("network.protocol.version", "2", "url.scheme", "https",
        "url.path", "/h2", "http.response.status_code", "200"));
    assertThat(answer.seen("traceparent")).isEqualTo("00-" + trace + "-" + span.spanId() + "-01");
    assertThat(answer.seen("tracestate")).isNull();

    String marker = traceId(); // on the same h2 connection: its span is exported after any other of the first
    h2("/marker", "00-" + marker + "-" + spanId() + "-01");
    awaitTrace(traced, receiver, marker);
    assertThat(receiver.trace(trace)).hasSize(1);
  }

  @Test
  void webSocketUpgradeSpanEndsAtThe101() throws Exception {
    String trace = traceId();
    String parent = spanId();
    var ws = exchange(() -> traced.webSockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(traced.dataPlane.httpPort()).setURI("/ws").putHeader("host", "a.example.com")
        .putHeader("traceparent", "00-" + trace + "-" + parent + "-01")));
    assertThat(DataPlaneHarness.exchange(ws, "hello")).isEqualTo("app:hello"); // the tunnel is open, the span ended

    OtlpReceiver.Received span = awaitTrace(traced, receiver, trace).get(0);
    assertThat(span.parentSpanId()).isEqualTo(parent);
    assertThat(span.attributes()).containsEntry("http.response.status_code", "101");
    assertThat(app.upgradeHeads.get(app.upgradeHeads.size() - 1).get("traceparent"))
        .isEqualTo("00-" + trace + "-" + span.spanId() + "-01");
    await(ws.close());
  }

  @Test
  void routeWithTracingOffExportsNothingAndPassesTheClientsContextOn() throws Exception {
    String trace = traceId();
    String traceparent = "00-" + trace + "-" + spanId() + "-01";
    Answer answer = get(traced, "off.example.com", "/off", "traceparent", traceparent, "tracestate", "k=v");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.seen("traceparent")).isEqualTo(traceparent);
    assertThat(answer.seen("tracestate")).isEqualTo("k=v");

    markerArrived(traced, receiver);
    assertThat(receiver.trace(trace)).isEmpty();
  }

  @Test
  void routeThatTrustsNoIncomingSpanStartsItsOwnTrace() throws Exception {
    String trace = traceId();
    Answer answer = get(traced, "untrusted.example.com", "/u", "traceparent", "00-" + trace + "-" + spanId() + "-01",
        "tracestate", "k=v");
    assertThat(answer.status()).isEqualTo(200);
    String[] sent = answer.seen("traceparent").split("-");
    assertThat(sent[1]).isNotEqualTo(trace);
    assertThat(answer.seen("tracestate")).isNull();

    OtlpReceiver.Received span = awaitTrace(traced, receiver, sent[1]).get(0);
    assertThat(span.parentSpanId()).isEmpty();
    assertThat(sent[2]).isEqualTo(span.spanId());
    assertThat(sampled(sent[3])).isTrue(); // at ratio 1.0
  }

  @Test
  void ratioZeroExportsNothingAndStillPropagates() throws Exception {
    // no context from the client: a trace of the proxy's own, not sampled
    Answer fresh = get(unsampled, "a.example.com", "/fresh");
    assertThat(fresh.seen("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    assertThat(sampled(fresh.seen("traceparent").split("-")[3])).isFalse();
    // an unsampled parent: its trace goes on, with the proxy's span as the parent, not sampled
    String trace = traceId();
    String parent = spanId();
    Answer child = get(unsampled, "a.example.com", "/child", "traceparent", "00-" + trace + "-" + parent + "-00");
    String[] sent = child.seen("traceparent").split("-");
    assertThat(sent[1]).isEqualTo(trace);
    assertThat(sent[2]).isNotEqualTo(parent).matches("[0-9a-f]{16}").isNotEqualTo("0000000000000000");
    assertThat(sent[3]).isEqualTo("00");

    // a sampled parent is followed whatever the ratio (parentbased): its span is the only one exported
    markerArrived(unsampled, unsampledReceiver);
    String freshTrace = fresh.seen("traceparent").split("-")[1];
    assertThat(unsampledReceiver.spans).hasSize(1)
        .noneMatch(span -> span.traceId().equals(trace) || span.traceId().equals(freshTrace));
  }

  @Test
  void tracingOffPassesTheClientsContextUnchanged() throws Exception {
    assertThat(off.dataPlane.tracing()).isNull();
    String traceparent = "00-" + traceId() + "-" + spanId() + "-01";
    Answer answer = get(off, "a.example.com", "/plain", "traceparent", traceparent, "tracestate", "k=v");
    assertThat(answer.seen("traceparent")).isEqualTo(traceparent);
    assertThat(answer.seen("tracestate")).isEqualTo("k=v");
    assertThat(get(off, "a.example.com", "/none").seen("traceparent")).isNull();
  }
}
