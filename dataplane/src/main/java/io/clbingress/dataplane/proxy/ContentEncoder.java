package io.clbingress.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * One answer body being compressed with a content coding (RFC 9110 §8.4.1): {@link GzipEncoder}
 * or {@link BrotliEncoder}. Streaming: each piece given comes out compressed and flushed at once,
 * so that a slow answer (server-sent events, a long poll) reaches the client as it comes. An
 * encoder holds native memory until {@link #close}: whoever makes one closes it when the answer
 * ends, breaks off, or the client leaves.
 */
interface ContentEncoder extends AutoCloseable {

  /** The {@code Content-Encoding} value of the answer: {@code gzip} or {@code br}. */
  String coding();

  /**
   * A piece of the body, compressed and flushed.
   *
   * @param in read whole; not released, its reader index unchanged
   * @return the compressed bytes (possibly empty), owned by the caller
   */
  ByteBuf encode(ByteBuf in, ByteBufAllocator alloc);

  /**
   * The last piece of the body (possibly empty) and the coding's end; the encoder is closed after.
   *
   * @param in read whole; not released
   */
  ByteBuf finish(ByteBuf in, ByteBufAllocator alloc);

  /** Frees the native memory; again is nothing. */
  @Override
  void close();
}
