package io.clbingress.dataplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one route (the object it came from), made once when the route is first seen and
 * kept until the object leaves the routing table: a request's updates are a few adder increments
 * on meters found by one map lookup ({@link ProxyMetrics#route}), with no allocation.
 */
public final class RouteMeters {

  /** A tunnel's kind, the {@code kind} label of {@code clb_tunnel_duration_seconds}. */
  public enum TunnelKind {
    WEBSOCKET, TCP;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final MeterRegistry registry;
  private final String route;
  private final Counter[] byClass = new Counter[6];
  private final Timer latency;
  private final Timer connect;
  private final Counter received;
  private final Counter sent;
  /** By kind, made at the first close; guarded by this object. */
  private final Timer[] tunnels = new Timer[TunnelKind.values().length];
  private final ConcurrentHashMap<String, Counter> errors = new ConcurrentHashMap<>();

  RouteMeters(MeterRegistry registry, String route) {
    this.registry = registry;
    this.route = route;
    for (int i = 1; i <= 5; i++) {
      byClass[i] = Counter.builder("clb_requests").description("Requests answered, by route and status class")
          .tag("route", route).tag("code", i + "xx").register(registry);
    }
    latency = Timer.builder("clb_request_duration").description("Time from request head to the end of the answer")
        .tag("route", route).serviceLevelObjectives(Buckets.REQUEST).register(registry);
    connect = Timer.builder("clb_upstream_connect_duration")
        .description("Time to open a new connection to a backend endpoint (pooled connections are not counted)")
        .tag("route", route).serviceLevelObjectives(Buckets.CONNECT).register(registry);
    received = Counter.builder("clb_received_bytes")
        .description("Bytes received from clients: request bodies, and everything a client sent through a tunnel")
        .baseUnit("bytes").tag("route", route).register(registry);
    sent = Counter.builder("clb_sent_bytes")
        .description("Bytes sent to clients: answer bodies (as sent, compressed or not), and everything a tunnel "
            + "relayed to its client")
        .baseUnit("bytes").tag("route", route).register(registry);
  }

  /**
   * An answer was sent.
   *
   * @param status its status code; one outside 100-599 is timed but not counted by class
   * @param nanos from the request head to the end of the answer
   * @param bodyIn request body bytes read by then
   * @param bodyOut answer body bytes written
   */
  public void answered(int status, long nanos, long bodyIn, long bodyOut) {
    int statusClass = status / 100;
    if (statusClass >= 1 && statusClass <= 5) {
      byClass[statusClass].increment();
    }
    latency.record(nanos, TimeUnit.NANOSECONDS);
    received(bodyIn);
    sent(bodyOut);
  }

  /** Bytes from the client (a tunnel's, as they pass). */
  public void received(long bytes) {
    if (bytes > 0) {
      received.increment(bytes);
    }
  }

  /** Bytes to the client (a tunnel's, as they pass). */
  public void sent(long bytes) {
    if (bytes > 0) {
      sent.increment(bytes);
    }
  }

  /** A new backend connection was opened in {@code nanos}. */
  public void upstreamConnected(long nanos) {
    connect.record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * A tunnel of {@code kind} closed after {@code nanos}. Its histogram is made at the first close
   * (a route without tunnels exports none).
   */
  public void tunnelClosed(TunnelKind kind, long nanos) {
    tunnelTimer(kind).record(nanos, TimeUnit.NANOSECONDS); // once per tunnel: the lock costs nothing that matters
  }

  private synchronized Timer tunnelTimer(TunnelKind kind) {
    if (tunnels[kind.ordinal()] == null) {
      tunnels[kind.ordinal()] = Timer.builder("clb_tunnel_duration")
          .description("Lifetime of closed WebSocket and TCP tunnels, by kind and route")
          .tag("route", route).tag("kind", kind.label()).serviceLevelObjectives(Buckets.TUNNEL).register(registry);
    }
    return tunnels[kind.ordinal()];
  }

  /** A backend failed this route: {@code connect}, {@code timeout} or {@code reset}. */
  public void upstreamError(String kind) {
    errors.computeIfAbsent(kind, k -> Counter.builder("clb_upstream_errors")
        .description("Backend failures by route and kind").tag("route", route).tag("kind", k).register(registry))
        .increment();
  }

  /** Every meter of the route, to remove them from the registry. */
  synchronized List<Meter> meters() {
    List<Meter> meters = new ArrayList<>(List.of(latency, connect, received, sent));
    for (int i = 1; i <= 5; i++) {
      meters.add(byClass[i]);
    }
    for (Timer tunnel : tunnels) {
      if (tunnel != null) {
        meters.add(tunnel);
      }
    }
    meters.addAll(errors.values());
    return meters;
  }
}
