package io.clbingress.dataplane.metrics;

import java.time.Duration;

/**
 * The fixed histogram buckets of the data plane's durations. Explicit buckets rather than
 * Micrometer's percentile histogram (about 70 buckets per series from 1 ms to the timer's maximum):
 * a dozen buckets per route keep a data plane with a few hundred Ingresses at a few thousand
 * series, and each set is chosen where its alerts and dashboard read it. Prometheus interpolates
 * quantiles linearly inside a bucket, so the quantiles are as precise as the bucket bounds.
 */
final class Buckets {

  /**
   * Request duration (head in to answer out): 5 ms to 60 s. The low end separates a cached or
   * local answer from a backend round trip; 1 s, 2.5 s and 5 s are the usual latency objectives;
   * 30 s and 60 s are ingress-nginx's default read timeout (60 s) and its half, so timeouts land in
   * a bucket of their own.
   */
  static final Duration[] REQUEST = durations(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);

  /**
   * Upstream connect time: 0.5 ms (same node) to 5 s (ingress-nginx's default
   * proxy-connect-timeout): a connect above 100 ms in a cluster means a loaded node or a lost SYN
   * (a retransmit after 1 s lands in the 1 s to 2.5 s bucket).
   */
  static final Duration[] CONNECT = durations(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5);

  /**
   * Tunnel lifetime (WebSocket and TCP): 1 s to 24 h. Short tunnels are failed upgrades or probes;
   * 60 s is the default idle timeout; the hours are long-lived sessions, which a route change or a
   * rollout ends (the drain period).
   */
  static final Duration[] TUNNEL = durations(1, 10, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 24 * 3600);

  private Buckets() {
  }

  private static Duration[] durations(double... seconds) {
    Duration[] durations = new Duration[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      durations[i] = Duration.ofNanos(Math.round(seconds[i] * 1e9));
    }
    return durations;
  }
}
