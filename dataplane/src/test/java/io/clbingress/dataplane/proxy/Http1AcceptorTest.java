package io.clbingress.dataplane.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clbingress.dataplane.TestTransport;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The plain HTTP/1.x listening sockets of the Netty engine ({@link Http1Acceptor}), over real
 * sockets: one per event loop on a shared port, each connection served on the loop that accepted
 * it, a clear failure for a port taken by someone else, and the drain.
 */
class Http1AcceptorTest {

  private Vertx vertx;
  /** The event loops that served a request. */
  private final Set<Thread> servedOn = ConcurrentHashMap.newKeySet();
  /** Whether each served connection had TCP_NODELAY on, as the kernel reports it. */
  private final Set<Boolean> noDelay = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void start() {
    vertx = TestTransport.CHOSEN.vertx(new VertxOptions().setEventLoopPoolSize(2));
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  /** Answers every request head with "loop" and keeps the connection open. */
  private final class Answering extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest) {
        servedOn.add(Thread.currentThread());
        noDelay.add(ctx.channel().config().getOption(io.netty.channel.ChannelOption.TCP_NODELAY));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            Unpooled.copiedBuffer("loop", StandardCharsets.US_ASCII));
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 4);
        ctx.writeAndFlush(response);
      }
      ReferenceCountUtil.release(msg);
    }
  }

  private Http1Acceptor listen(Context context, int port) throws Exception {
    EventLoop loop = Http1Takeover.eventLoop(context);
    Supplier<ChannelHandler> decoder = () -> RequestFraming.decoder(new HttpServerOptions());
    return io.vertx.core.Future.<Http1Acceptor>future(promise -> context.runOnContext(v ->
        Http1Acceptor.listen(loop, Http1Takeover.serverChannels(vertx), "127.0.0.1", port, decoder, Answering::new,
            null, () -> 1000, channel -> { })
            .onComplete(promise))).await(10, TimeUnit.SECONDS);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Sends one GET on {@code socket} and reads its answer (head and the 4-byte body). */
  private static String exchange(Socket socket) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    StringBuilder answer = new StringBuilder();
    while (!answer.toString().endsWith("\r\n\r\nloop")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      answer.append((char) b);
    }
    return answer.toString();
  }

  @Test
  void eachEventLoopListensOnTheSharedPortAndServesWhatItAccepts() throws Exception {
    // Given two instances of a listener, one per event loop, on one port
    assertThat(Http1Takeover.reusePort(vertx)).as("a native transport (io_uring or epoll) on this machine").isTrue();
    int port = freePort();
    Context first = ((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext();
    Context second = ((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext();
    assertThat(Http1Takeover.eventLoop(first)).isNotSameAs(Http1Takeover.eventLoop(second));
    listen(first, port);
    listen(second, port);
    // When clients connect until both loops have served one (the kernel spreads connections by hash)
    for (int i = 0; i < 200 && servedOn.size() < 2; i++) {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        assertThat(exchange(socket)).startsWith("HTTP/1.1 200 OK").endsWith("loop");
      }
    }
    // Then each was served on an event loop (the one that accepted it), and both loops served
    assertThat(servedOn).hasSize(2).allSatisfy(thread -> assertThat(thread.getName()).startsWith("vert.x-eventloop"));
  }

  @Test
  void acceptedConnectionsHaveNagleOff() throws Exception {
    // Given a listener (which leaves TCP_NODELAY to Netty's default for accepted sockets)
    int port = freePort();
    listen(vertx.getOrCreateContext(), port);
    // When clients connect and are answered
    for (int i = 0; i < 3; i++) {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        assertThat(exchange(socket)).startsWith("HTTP/1.1 200 OK");
      }
    }
    // Then every accepted connection has Nagle's algorithm off (getsockopt on the accepted socket):
    // answers are not held back waiting for the client's ACK
    assertThat(noDelay).containsExactly(true);
  }

  @Test
  void aPortHeldBySomeoneElseIsAFailureNamingTheBind() throws Exception {
    // Given a port held by a socket that does not share it (no SO_REUSEPORT)
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      // When a listener instance is asked for it
      // Then it fails with the reason, rather than sharing or listening nowhere
      assertThatThrownBy(() -> listen(vertx.getOrCreateContext(), taken.getLocalPort()))
          .hasMessageContaining("Address already in use");
    }
  }

  @Test
  void drainStopsAcceptingAtOnceAndClosesWhatIsLeftWhenThePeriodEnds() throws Exception {
    // Given a listener with a keep-alive connection open on it
    int port = freePort();
    Http1Acceptor acceptor = listen(vertx.getOrCreateContext(), port);
    try (Socket open = new Socket("127.0.0.1", port)) {
      assertThat(exchange(open)).endsWith("loop");
      // When it drains for 3 s
      io.vertx.core.Future<Void> drained = acceptor.drain(3_000);
      // Then no new connection is accepted (once the close has run on the loop)...
      awaitRefused(port);
      // ...the open one is still served meanwhile...
      assertThat(drained.isComplete()).isFalse();
      assertThat(exchange(open)).endsWith("loop");
      // ...and closed when the period ends, which completes the drain
      drained.await(10, TimeUnit.SECONDS);
      open.setSoTimeout(5_000);
      assertThat(open.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void aDrainIsDoneOnceItsLastConnectionClosesBeforeThePeriodEnds() throws Exception {
    // Given a listener draining for a minute with one connection open
    int port = freePort();
    Http1Acceptor acceptor = listen(vertx.getOrCreateContext(), port);
    io.vertx.core.Future<Void> drained;
    try (Socket open = new Socket("127.0.0.1", port)) {
      assertThat(exchange(open)).endsWith("loop");
      drained = acceptor.drain(60_000);
      awaitRefused(port);
      assertThat(drained.isComplete()).isFalse();
    }
    // When the client closes it, then the drain is done without waiting for the minute
    drained.await(10, TimeUnit.SECONDS);
  }

  @Test
  void aDrainWithNothingOpenIsDoneAtOnce() throws Exception {
    int port = freePort();
    Http1Acceptor acceptor = listen(vertx.getOrCreateContext(), port);
    acceptor.drain(60_000).await(5, TimeUnit.SECONDS);
    awaitRefused(port);
  }

  /**
   * Connecting to {@code port} is refused, within 5 s (the listening socket closes on its loop). A
   * connection that reached the listener's queue as it closed is reset instead (seen on io_uring,
   * where the close completes after the kernel took the connection): not accepted either.
   */
  private static void awaitRefused(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("port " + port + " still accepts");
        }
      } catch (java.net.ConnectException refused) {
        return;
      } catch (java.net.SocketException reset) {
        if (!String.valueOf(reset.getMessage()).contains("reset")) {
          throw reset;
        }
        return;
      }
      Thread.onSpinWait();
    }
  }
}
