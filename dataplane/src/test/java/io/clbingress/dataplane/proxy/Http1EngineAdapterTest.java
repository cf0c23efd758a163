package io.clbingress.dataplane.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.TestTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
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
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Vert.x internals the HTTP/1.x engine relies on ({@link Http1Takeover}), checked against the
 * Vert.x in use: a failure here after a Vert.x upgrade names what moved.
 */
class Http1EngineAdapterTest {

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = TestTransport.CHOSEN.vertx(new VertxOptions().setEventLoopPoolSize(1));
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  /** Answers every request head itself: what Vert.x's handler would have answered never comes. */
  private static final class Answering extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            Unpooled.copiedBuffer("taken", StandardCharsets.US_ASCII));
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 5).set(HttpHeaderNames.CONNECTION, "close");
        ctx.writeAndFlush(response).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
      }
      ReferenceCountUtil.release(msg);
    }
  }

  private static int listen(Context context, HttpServer server) throws Exception {
    return io.vertx.core.Future.<Integer>future(promise -> context.runOnContext(v ->
        server.listen().map(HttpServer::actualPort).onComplete(promise))).await(10, TimeUnit.SECONDS);
  }

  @Test
  void backendChannelsOfTheTransportConnectFromTheContextsEventLoop() throws Exception {
    // Given a listening server, and a bootstrap as the upstream pool builds it
    Context context = vertx.getOrCreateContext();
    int port = listen(context, vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(request -> request.response().end()));
    // When a channel of Vert.x's transport connects on the context's event loop
    Channel channel = new Bootstrap().group(Http1Takeover.eventLoop(context)).channelFactory(Http1Takeover.channels(vertx))
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
          }
        })
        .connect("127.0.0.1", port).sync().channel();
    // Then it is connected, on that loop
    assertThat(channel.isActive()).isTrue();
    assertThat(channel.eventLoop()).isSameAs(Http1Takeover.eventLoop(context));
    channel.close().sync();
  }

  @Test
  void http1ConnectionIsTakenOverBeforeItsFirstRequest() throws Exception {
    // Given a Vert.x HTTP server whose connection handler hands every connection over
    CompletableFuture<Boolean> taken = new CompletableFuture<>();
    Context context = vertx.getOrCreateContext();
    HttpServer listening = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
            .setHttp2ClearTextEnabled(false))
        .connectionHandler(connection -> taken.complete(
            Http1Takeover.takeOver(connection, Http1Takeover.eventLoop(context), new Answering())))
        .requestHandler(request -> request.response().end("vertx"));
    int port = listen(context, listening);
    // When a client sends a request
    String answer;
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
    // Then the handler put in place answered it, not Vert.x
    assertThat(taken.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(answer).startsWith("HTTP/1.1 200 OK").endsWith("taken");
  }

  /**
   * Code a Netty handler runs on an event loop has no Vert.x context current; {@code dispatch} makes
   * the verticle's current for one action (so Vert.x makes none of its own), restores none after,
   * and passes on what the action throws.
   */
  @Test
  void dispatchMakesTheContextCurrentForOneActionOnItsEventLoop() throws Exception {
    Context context = vertx.getOrCreateContext();
    CompletableFuture<Object[]> seen = new CompletableFuture<>();
    Http1Takeover.eventLoop(context).execute(() -> {
      Object[] found = new Object[4];
      found[0] = Vertx.currentContext();
      Http1Takeover.dispatch(context, () -> found[1] = Vertx.currentContext());
      found[2] = Vertx.currentContext();
      try {
        Http1Takeover.dispatch(context, () -> {
          throw new IllegalStateException("from the action");
        });
      } catch (IllegalStateException e) {
        found[3] = e.getMessage();
      }
      seen.complete(found);
    });
    Object[] found = seen.get(10, TimeUnit.SECONDS);
    assertThat(found[0]).as("current before").isNull();
    assertThat(found[1]).as("current during").isSameAs(context);
    assertThat(found[2]).as("current after").isNull();
    assertThat(found[3]).as("thrown by the action").isEqualTo("from the action");
  }
}
