package io.clbingress.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clbingress.dataplane.tls.HandshakeFlights;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.internal.net.NetSocketInternal;
import io.netty.channel.ChannelPipeline;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link HandshakeFlights}: on io_uring, a TLS server's handshake flight reaches its client while the
 * event loop is still busy with the other completions of the same batch, not only after them.
 *
 * <p>One event loop serves a TLS server and a plain TCP server. While the loop is held by a task, a
 * client sends its ClientHello to the TLS server and then a byte to the TCP server, so that both
 * arrive in one batch of completions, the ClientHello first. The TCP server's handler,
 * reached after the ClientHello has been answered, waits until the TLS client has read the first
 * byte of the server's flight. If the flight waited for the end of the batch (Netty's io_uring
 * without this handler), that byte could not arrive while the handler waits: it gives up after
 * {@link #GIVE_UP_SECONDS} and the test fails. The handler must also leave each connection once its
 * handshake is over, so that the connection's traffic is batched as before.
 */
class HandshakeFlightsTest {

  static final int GIVE_UP_SECONDS = 10;

  @TempDir
  Path dir;
  Vertx vertx;

  @BeforeEach
  void start() {
    assumeTrue(NetTransport.IO_URING.usable() == NetTransport.IO_URING, "io_uring cannot be used here (see the log)");
    assumeTrue(Openssl.available(), "openssl is needed for the server's certificate (.ci/run installs it)");
    vertx = NetTransport.IO_URING.vertx(new VertxOptions().setEventLoopPoolSize(1));
  }

  @AfterEach
  void stop() {
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  void nettysIoUringInternalsAreFound() {
    assertThat(HandshakeFlights.available())
        .as("SingleThreadIoEventLoop.ioHandler, IoUringIoHandler.ringBuffer, RingBuffer.ioUringSubmissionQueue()"
            + " and SubmissionQueue.submit() of this Netty")
        .isTrue();
  }

  @Test
  void aHandshakeFlightIsSentBeforeTheRestOfItsBatchIsHandled() throws Exception {
    Openssl.certificate(dir, "server", "flights.test");
    NetServer tls = vertx.createNetServer(tlsOptions()).connectHandler(socket -> { });
    CountDownLatch flightRead = new CountDownLatch(1);
    CountDownLatch plainConnected = new CountDownLatch(1);
    CompletableFuture<Boolean> flightSeenInBatch = new CompletableFuture<>();
    AtomicReference<Context> loop = new AtomicReference<>();
    NetServer plain = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
        .connectHandler(socket -> {
          loop.set(Vertx.currentContext());
          socket.handler(data -> {
            try {
              flightSeenInBatch.complete(flightRead.await(GIVE_UP_SECONDS, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
              flightSeenInBatch.completeExceptionally(e);
            }
          });
          plainConnected.countDown();
        });
    tls.listen().await();
    plain.listen().await();

    byte[] clientHello = clientHello();
    // The TLS client connects first, so its connection is registered, and its first read armed, before
    // the plain one's: once the loop is released, its ClientHello is the first completion of the batch.
    try (Socket tlsClient = new Socket(InetAddress.getLoopbackAddress(), tls.actualPort());
        Socket plainClient = new Socket(InetAddress.getLoopbackAddress(), plain.actualPort())) {
      Thread reader = new Thread(() -> {
        try (InputStream in = tlsClient.getInputStream()) {
          if (in.read() >= 0) {
            flightRead.countDown();
          }
        } catch (Exception e) {
          // closed: the latch stays, and the test fails on it
        }
      });
      reader.setDaemon(true);
      reader.start();
      assertThat(plainConnected.await(GIVE_UP_SECONDS, TimeUnit.SECONDS)).as("the plain connection set up").isTrue();

      // Hold the event loop while the ClientHello and then the plain byte arrive.
      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch sent = new CountDownLatch(1);
      loop.get().runOnContext(v -> {
        held.countDown();
        try {
          sent.await(GIVE_UP_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      assertThat(held.await(GIVE_UP_SECONDS, TimeUnit.SECONDS)).as("the event loop held").isTrue();
      tlsClient.getOutputStream().write(clientHello);
      tlsClient.getOutputStream().flush();
      plainClient.getOutputStream().write('x');
      plainClient.getOutputStream().flush();
      sent.countDown();

      assertThat(flightSeenInBatch.get(2 * GIVE_UP_SECONDS, TimeUnit.SECONDS))
          .as("the server's first flight read by the TLS client while the plain byte of the same batch was handled")
          .isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
  void itLeavesTheConnectionWithTheHandshakesLastFlightOrTheFirstAnswer(String protocol) throws Exception {
    Openssl.certificate(dir, "server", "flights.test");
    CompletableFuture<boolean[]> inPipeline = new CompletableFuture<>();
    NetServer tls = vertx.createNetServer(tlsOptions())
        .connectHandler(socket -> {
          ChannelPipeline pipeline = ((NetSocketInternal) socket).channelHandlerContext().pipeline();
          boolean[] seen = new boolean[2];
          int[] messages = {0};
          socket.handler(data -> {
            seen[messages[0]] = pipeline.get(HandshakeFlights.class) != null;
            socket.write(data);
            if (++messages[0] == 2) {
              inPipeline.complete(seen);
            }
          });
        });
    tls.listen().await();
    SSLContext context = RawHttp2.trustAll(); // the server's certificate is self-signed: what is tested is the pipeline
    try (SSLSocket client = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
        tls.actualPort())) {
      client.setEnabledProtocols(new String[] {protocol});
      for (char message : new char[] {'x', 'y'}) {
        client.getOutputStream().write(message);
        client.getOutputStream().flush();
        assertThat(client.getInputStream().read()).as("the echo").isEqualTo(message);
      }
      assertThat(client.getSession().getProtocol()).isEqualTo(protocol);
    }
    boolean[] seen = inPipeline.get(GIVE_UP_SECONDS, TimeUnit.SECONDS);
    assertThat(seen[1]).as("HandshakeFlights in the pipeline when the second data arrive, after the first answer, over "
        + protocol).isFalse();
    if (protocol.equals("TLSv1.2")) {
      // The client sends data only once it has the server's Finished, the last flight: by then it has left.
      // (Over TLS 1.3 the client's Finished and first data can come in one read, before the server's tickets.)
      assertThat(seen[0]).as("HandshakeFlights in the pipeline when the first data arrive over TLS 1.2").isFalse();
    }
  }

  private NetServerOptions tlsOptions() {
    return new NetServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true).setSni(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(dir.resolve("server-cert.pem").toString())
            .setKeyPath(dir.resolve("server-key.pem").toString()));
  }

  /** A TLS ClientHello record, as a JDK client would send it to flights.test. */
  private static byte[] clientHello() throws Exception {
    SSLEngine engine = SSLContext.getDefault().createSSLEngine("flights.test", 443);
    engine.setUseClientMode(true);
    ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    engine.wrap(ByteBuffer.allocate(0), out);
    out.flip();
    return Arrays.copyOf(out.array(), out.limit());
  }
}
