package io.clbingress.operator.cli;

import io.clbingress.dataplane.DataPlane;
import io.clbingress.dataplane.NetTransport;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Start-up and shut-down steps that the modes share. */
final class Lifecycle {

  private Lifecycle() {
  }

  /** Vert.x with {@code eventLoops} event loops on {@code transport} (or the next one that can be used). */
  static Vertx vertx(int eventLoops, NetTransport transport) {
    return transport.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
  }

  /** The data plane, or null after printing why it could not start (a port in use, say). */
  static DataPlane startDataPlane(Vertx vertx, DataPlaneFlags flags) throws InterruptedException {
    try {
      return DataPlane.start(vertx, flags.options(), Clock.systemUTC())
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      System.err.println("clb-ingress: cannot start the data plane: " + cause.getMessage());
      vertx.close();
      return null;
    }
  }

  /** The bearer token of the control channel: the file's content without surrounding blanks. */
  static String readToken(Path file) throws IOException {
    String token = Files.readString(file, StandardCharsets.UTF_8).trim();
    if (token.isEmpty()) {
      throw new IOException("empty");
    }
    return token;
  }

  /** Blocks until the process is asked to stop, then runs {@code onStop}. */
  static void runUntilStopped(Runnable onStop) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      onStop.run();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
  }
}
