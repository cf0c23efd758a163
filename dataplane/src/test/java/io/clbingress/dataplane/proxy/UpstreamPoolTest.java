package io.clbingress.dataplane.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.Endpoint;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.resolver.DefaultAddressResolverGroup;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link UpstreamPool}'s idle connections, on a channel the test drives. */
class UpstreamPoolTest {

  private static final Endpoint BACKEND = new Endpoint("127.0.0.1", 8080, null);

  /**
   * An answer relayed to a slow client pauses the backend's reads, and the piece that ends the
   * answer can come in the same read as one that found the client full: the exchange ends with
   * reads paused. Seen on io_uring as the next request on that connection waiting for an answer
   * that sat unread in its socket ({@code GzipTest} after a large compressed answer).
   */
  @Test
  void aConnectionReleasedWithReadsPausedReadsAgainAndServesTheNextExchange() {
    EmbeddedChannel channel = new EmbeddedChannel();
    UpstreamPool pool = new UpstreamPool(channel.eventLoop(), () -> {
      throw new AssertionError("no new connection expected");
    }, DefaultAddressResolverGroup.INSTANCE);
    UpstreamConnection connection = new UpstreamConnection(pool, BACKEND, false);
    channel.pipeline().addLast("raw", connection.rawReader());
    channel.pipeline().addLast("decoder", connection.decoder());
    channel.pipeline().addLast(UpstreamPool.ENCODER, new HttpRequestEncoder());
    channel.pipeline().addLast("handler", connection);
    channel.config().setAutoRead(false);

    assertThat(pool.release(connection)).isTrue();

    assertThat(channel.config().isAutoRead()).as("reads of the idle connection").isTrue();
    AtomicReference<UpstreamConnection> next = new AtomicReference<>();
    pool.acquire(BACKEND, false, 1_000, false, new UpstreamPool.Waiter() {
      @Override
      public void connected(UpstreamConnection pooled) {
        next.set(pooled);
      }

      @Override
      public void connectFailed(Throwable cause) {
        throw new AssertionError(cause);
      }
    });
    assertThat(next.get()).isSameAs(connection);
    pool.close();
    channel.finishAndReleaseAll();
  }
}
