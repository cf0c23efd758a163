package io.clbingress.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.epoll.Epoll;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import org.junit.jupiter.api.Test;

class NetTransportTest {

  @Test
  void theFlagsValuesAreTheTransportsAndNothingElse() {
    assertThat(NetTransport.parse("epoll")).isEqualTo(NetTransport.EPOLL);
    assertThat(NetTransport.parse("io_uring")).isEqualTo(NetTransport.IO_URING);
    assertThat(NetTransport.parse("nio")).isEqualTo(NetTransport.NIO);
    for (String wrong : new String[] {"EPOLL", "auto", "kqueue", "io-uring", ""}) {
      assertThatThrownBy(() -> NetTransport.parse(wrong)).as(wrong).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("--transport " + wrong + ": must be one of epoll, io_uring, nio");
    }
  }

  /** NIO is always there; a native transport is used where it loads, and gives way to the next where not. */
  @Test
  void aTransportThatCannotBeUsedGivesWayToTheNext() {
    assertThat(NetTransport.NIO.usable()).isEqualTo(NetTransport.NIO);
    assertThat(NetTransport.EPOLL.usable()).isEqualTo(Epoll.isAvailable() ? NetTransport.EPOLL : NetTransport.NIO);
    assertThat(NetTransport.IO_URING.usable()).isIn(NetTransport.IO_URING, NetTransport.EPOLL, NetTransport.NIO);
  }

  /** The Vert.x instance runs on the transport chosen. */
  @Test
  void vertxRunsOnTheChosenTransport() throws Exception {
    for (NetTransport transport : NetTransport.values()) {
      Vertx vertx = transport.vertx(new VertxOptions().setEventLoopPoolSize(1));
      try {
        String expected = switch (transport.usable()) {
          case IO_URING -> "IoUringTransport";
          case EPOLL -> "EpollTransport";
          case NIO -> "NioTransport";
        };
        assertThat(((VertxInternal) vertx).transport().getClass().getSimpleName())
            .as(transport.flagName()).isEqualTo(expected);
      } finally {
        vertx.close().await(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
  }
}
