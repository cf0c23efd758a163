package io.clbingress.dataplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of one listener ({@code default-http}, {@code default-https}, or a CLBListener's
 * listener name): client connections accepted, closed and open now, and failed TLS handshakes by
 * {@link HandshakeFailure}. Shared by every event loop's instance of the listener.
 *
 * <p>A TLS connection is counted as accepted once its handshake is done (Vert.x hands it over
 * only then); a failed handshake is counted in {@code clb_tls_handshake_errors_total} instead.
 */
public final class ListenerMeters {

  private final Counter accepted;
  private final Counter closed;
  private final AtomicLong open = new AtomicLong();
  private final Counter[] handshakeErrors = new Counter[HandshakeFailure.values().length];

  ListenerMeters(MeterRegistry registry, String listener) {
    accepted = Counter.builder("clb_connections_accepted").description("Client connections accepted, by listener")
        .tag("listener", listener).register(registry);
    closed = Counter.builder("clb_connections_closed").description("Client connections closed, by listener")
        .tag("listener", listener).register(registry);
    Gauge.builder("clb_connections_open", open, AtomicLong::get).description("Client connections open now, by listener")
        .tag("listener", listener).register(registry);
    for (HandshakeFailure failure : HandshakeFailure.values()) {
      handshakeErrors[failure.ordinal()] = Counter.builder("clb_tls_handshake_errors")
          .description("Failed TLS handshakes with clients, by listener and reason").tag("listener", listener)
          .tag("reason", failure.label()).register(registry);
    }
  }

  /** A connection was accepted; {@link #closed()} must follow once it closes. */
  public void accepted() {
    accepted.increment();
    open.incrementAndGet();
  }

  /** A connection counted by {@link #accepted()} closed. */
  public void closed() {
    open.decrementAndGet();
    closed.increment();
  }

  /** A TLS handshake failed with {@code error}; errors that are no TLS failure are not counted. */
  public void handshakeFailed(Throwable error) {
    HandshakeFailure failure = HandshakeFailure.of(error);
    if (failure != null) {
      handshakeErrors[failure.ordinal()].increment();
    }
  }

  /** Counts {@code channel} as accepted now and as closed when it closes. */
  public void track(io.netty.channel.Channel channel) {
    accepted();
    channel.closeFuture().addListener(done -> closed());
  }
}
