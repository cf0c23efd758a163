package io.clbingress.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;

/**
 * The client's response (Vert.x engine: h2, and HTTP/1.x when the Netty engine is off) as the end
 * of a pipe that compresses what goes through it ({@link ContentEncoder}: gzip or Brotli). Back-pressure is the
 * client's: the pipe asks {@link #writeQueueFull} of the response itself. The encoder is closed by
 * {@link #end} and, by the caller, when the pipe fails.
 */
final class GzipWrites implements WriteStream<Buffer> {

  /** Unpooled heap buffers: Vert.x owns what it is given, and releases nothing. */
  private static final UnpooledByteBufAllocator HEAP = new UnpooledByteBufAllocator(false);

  private final ClientWrites client;
  private final ContentEncoder encoder;

  GzipWrites(ClientWrites client, ContentEncoder encoder) {
    this.client = client;
    this.encoder = encoder;
  }

  @Override
  public Future<Void> write(Buffer data) {
    return client.write(BufferInternal.buffer(encoder.encode(bytes(data), HEAP)));
  }

  @Override
  public Future<Void> end() {
    ByteBuf last = encoder.finish(Unpooled.EMPTY_BUFFER, HEAP);
    client.write(BufferInternal.buffer(last)); // written before the end, in order
    return client.end();
  }

  private static ByteBuf bytes(Buffer data) {
    return ((BufferInternal) data).getByteBuf();
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    client.exceptionHandler(handler);
    return this;
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    client.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return client.writeQueueFull();
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    client.drainHandler(handler);
    return this;
  }
}
