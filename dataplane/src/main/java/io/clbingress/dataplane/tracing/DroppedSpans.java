package io.clbingress.dataplane.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;

/**
 * The count of spans the batch span processor dropped (its queue full, or it already stopped), read
 * from the SDK's own telemetry when asked (a pull reader: nothing runs between reads). The SDK's
 * processor counts its spans in {@code processedSpans} with {@code dropped=true} for the dropped
 * ones (its legacy internal telemetry, the default of SDK 1.68).
 */
final class DroppedSpans implements MetricReader {

  private static final String PROCESSED = "processedSpans";
  private static final AttributeKey<Boolean> DROPPED = AttributeKey.booleanKey("dropped");

  private volatile CollectionRegistration registration = CollectionRegistration.noop();

  @Override
  public void register(CollectionRegistration registration) {
    this.registration = registration;
  }

  /** Spans dropped since start. */
  long count() {
    long count = 0;
    for (MetricData metric : registration.collectAllMetrics()) {
      if (PROCESSED.equals(metric.getName()) && metric.getType() == MetricDataType.LONG_SUM) {
        for (LongPointData point : metric.getLongSumData().getPoints()) {
          if (Boolean.TRUE.equals(point.getAttributes().get(DROPPED))) {
            count += point.getValue();
          }
        }
      }
    }
    return count;
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return AggregationTemporality.CUMULATIVE;
  }

  @Override
  public CompletableResultCode forceFlush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
