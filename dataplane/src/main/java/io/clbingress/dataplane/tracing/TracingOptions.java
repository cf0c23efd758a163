package io.clbingress.dataplane.tracing;

import java.net.URI;

/**
 * Whether and where the data plane exports spans ({@code --otlp-endpoint}, {@code --trace-sample-ratio}).
 *
 * @param endpoint the OTLP/HTTP receiver's base URL ({@code http://collector:4318}); spans go to its
 *     {@code /v1/traces} (the OTLP specification's default path, appended unless the URL's path
 *     already ends with it); null: tracing is off, nothing is created and {@code traceparent} passes
 *     through unchanged
 * @param sampleRatio the share of traces started here that are sampled, 0.0–1.0 (the trace id ratio of
 *     {@code parentbased(traceidratio)}: a request whose {@code traceparent} says sampled or not is
 *     sampled as it says)
 * @throws IllegalArgumentException for a ratio out of 0.0–1.0, or an endpoint that is not an
 *     absolute {@code http} or {@code https} URL
 */
public record TracingOptions(URI endpoint, double sampleRatio) {

  /**
   * The default ratio, ingress-nginx's {@code otel-sampler-ratio} default: an edge sees every request
   * of every service, and traces an instrumented client started (a sampled {@code traceparent}) are
   * followed whatever the ratio.
   */
  public static final double DEFAULT_RATIO = 0.01;

  /** No tracing. */
  public static final TracingOptions OFF = new TracingOptions(null, DEFAULT_RATIO);

  private static final String TRACES_PATH = "/v1/traces";

  public TracingOptions {
    if (!(sampleRatio >= 0.0 && sampleRatio <= 1.0)) {
      throw new IllegalArgumentException("trace sample ratio out of 0.0-1.0: " + sampleRatio);
    }
    if (endpoint != null && (endpoint.getHost() == null
        || !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme())))) {
      throw new IllegalArgumentException("OTLP endpoint is not an http(s) URL with a host: " + endpoint);
    }
  }

  /** Whether spans are made and exported. */
  public boolean enabled() {
    return endpoint != null;
  }

  /** Where spans are posted: the endpoint with {@code /v1/traces}. */
  public String tracesUrl() {
    String url = endpoint.toString();
    if (url.endsWith(TRACES_PATH)) {
      return url;
    }
    return (url.endsWith("/") ? url.substring(0, url.length() - 1) : url) + TRACES_PATH;
  }
}
