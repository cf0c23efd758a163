package io.clbingress.dataplane;

import static io.clbingress.dataplane.DataPlaneHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.tracing.ProxyTracing;
import io.clbingress.dataplane.tracing.TracingOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The export queue is bounded: with the collector stalled, spans beyond the queue
 * ({@value ProxyTracing#QUEUE_SIZE}) and the batch in flight ({@value ProxyTracing#BATCH_SIZE}) are
 * dropped, every request is still answered, and the drops are counted on {@code /metrics}.
 */
class TracingQueueTest {

  @Test
  void spansBeyondTheQueueAreDroppedAndCountedWhileTrafficFlows() throws Exception {
    Vertx vertx = Vertx.vertx();
    Promise<Void> stall = Promise.promise();
    try (OtlpReceiver receiver = new OtlpReceiver(vertx)) {
      receiver.stalled = stall.future();
      try (DataPlaneHarness traced = new DataPlaneHarness(DataPlaneOptions.loopback(Duration.ofSeconds(1))
          .withTracing(new TracingOptions(URI.create(receiver.endpoint()), 1.0)))) {
        TestBackend app = traced.backend("app");
        traced.apply(Tables.table(1).cluster("app", app.port()).defaultRoute("app").build());
        assertThat(traced.dataPlane.metrics().scrape()).contains("clb_tracing_spans_dropped_total 0.0");
        // Spans beyond the queue and the batch in flight are dropped; a failed export (the exporter's
        // 10 s timeout) frees room again, so the requests go on until the drops show, within a bound.
        ProxyTracing tracing = traced.dataPlane.tracing();
        int sent = 0;
        while (tracing.droppedSpans() == 0 && sent < 10 * ProxyTracing.QUEUE_SIZE) {
          List<Future<Integer>> wave = new ArrayList<>();
          for (int i = 0; i < 100; i++, sent++) {
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
                .setPort(traced.dataPlane.httpPort()).setURI("/" + sent).putHeader("host", "a.example.com");
            wave.add(traced.onContext(() -> traced.http.request(options).compose(request -> request.send())
                .compose(response -> response.body().map(body -> response.statusCode()))));
          }
          for (Future<Integer> answer : wave) {
            assertThat(await(answer)).isEqualTo(200); // traffic is never held up by the collector
          }
        }
        assertThat(sent).isGreaterThanOrEqualTo(ProxyTracing.QUEUE_SIZE);
        assertThat(tracing.droppedSpans()).isPositive();
        assertThat(traced.dataPlane.metrics().scrape()).containsPattern("clb_tracing_spans_dropped_total [1-9][0-9]*\\.0");
        stall.complete(); // the collector takes spans again: the data plane's close exports the queue
      }
    } finally {
      stall.tryComplete();
      vertx.close().await();
    }
  }
}
