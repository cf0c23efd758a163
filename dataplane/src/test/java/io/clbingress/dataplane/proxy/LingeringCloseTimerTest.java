package io.clbingress.dataplane.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link LingeringClose}'s bounds, on a channel whose clock the test moves: a quiet client is
 * closed after the lingering timeout, a client that keeps sending after the lingering time, and
 * what is read is dropped, not kept.
 */
class LingeringCloseTimerTest {

  private static EmbeddedChannel lingering() {
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.freezeTime();
    channel.pipeline().addFirst(new LingeringClose(30_000, 5_000));
    return channel;
  }

  private static void advance(EmbeddedChannel channel, long millis) {
    channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();
  }

  @Test
  void aQuietClientIsClosedAfterTheLingeringTimeout() {
    EmbeddedChannel channel = lingering();
    advance(channel, 4_999);
    assertThat(channel.isOpen()).isTrue();
    advance(channel, 1);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void eachReadStartsTheQuietTimeOver() {
    EmbeddedChannel channel = lingering();
    advance(channel, 4_000);
    channel.writeInbound(Unpooled.copiedBuffer(new byte[100]));
    advance(channel, 4_000);
    assertThat(channel.isOpen()).isTrue();
    advance(channel, 1_000);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aClientThatNeverStopsIsClosedAfterTheLingeringTime() {
    EmbeddedChannel channel = lingering();
    for (int second = 1; second < 30; second++) {
      advance(channel, 1_000);
      channel.writeInbound(Unpooled.copiedBuffer(new byte[10]));
      assertThat(channel.isOpen()).as("after %d s", second).isTrue();
    }
    advance(channel, 1_000);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void whatIsReadIsDroppedAndReleased() {
    EmbeddedChannel channel = lingering();
    ByteBuf read = Unpooled.copiedBuffer(new byte[1000]);
    channel.writeInbound(read);
    assertThat(read.refCnt()).isZero();
    assertThat((Object) channel.readInbound()).isNull();
    channel.close();
  }

  @Test
  void theTimerGoesWhenTheConnectionCloses() {
    EmbeddedChannel channel = lingering();
    channel.close();
    assertThat(channel.hasPendingTasks()).isFalse();
  }
}
