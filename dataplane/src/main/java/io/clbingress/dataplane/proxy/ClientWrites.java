package io.clbingress.dataplane.proxy;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.WriteStream;

/**
 * The client's response as the end of a pipe, remembering whether a write to the client failed:
 * a pipe's failure does not say which side failed, and a client that closed or reset its
 * connection mid-answer is the client's doing, not a backend fault.
 */
final class ClientWrites implements WriteStream<Buffer> {

  private final HttpServerResponse response;
  private boolean failed;

  ClientWrites(HttpServerResponse response) {
    this.response = response;
  }

  /** Whether a write to the client failed (it closed or reset its connection). */
  boolean failed() {
    return failed;
  }

  @Override
  public Future<Void> write(Buffer data) {
    return response.write(data).onFailure(e -> failed = true);
  }

  @Override
  public Future<Void> end() {
    return response.end().onFailure(e -> failed = true);
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    response.exceptionHandler(handler);
    return this;
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    response.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return response.writeQueueFull();
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    response.drainHandler(handler);
    return this;
  }
}
