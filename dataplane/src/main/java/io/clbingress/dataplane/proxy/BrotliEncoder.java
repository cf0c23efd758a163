package io.clbingress.dataplane.proxy;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.Encoder;
import com.aayushatharva.brotli4j.encoder.EncoderJNI;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One answer body compressed as a Brotli stream (RFC 7932) by Google's encoder through brotli4j's
 * JNI wrapper (the library behind Netty's own Brotli codec): the stream is flushed at the end of
 * each piece given ({@code BROTLI_OPERATION_FLUSH}), as {@link GzipEncoder} does, and finished by
 * {@link #finish}.
 *
 * <p>Memory: the encoder's state (its window, 2^{@value #WINDOW_BITS} bytes, and hash tables) and
 * its input buffer are native memory until {@link #close()}; {@link #open()} counts encoders not
 * closed yet, for the test that shows none is left behind.
 */
final class BrotliEncoder implements ContentEncoder {

  /** A 64 KiB input buffer: pieces are fed in slices of at most this. */
  private static final int INPUT_BUFFER = 64 * 1024;
  /** Window of 2^22 bytes (4 MiB), the encoder's default; ngx_brotli's {@code brotli_window} default is 512k. */
  private static final int WINDOW_BITS = 22;
  private static final AtomicLong OPEN = new AtomicLong();

  private final EncoderJNI.Wrapper wrapper;
  private boolean closed;

  /**
   * @param quality 0 (fastest) to 11 (smallest); ingress-nginx's {@code brotli-level} default is 4
   * @throws IllegalStateException when the native encoder cannot be loaded on this platform
   */
  BrotliEncoder(int quality) {
    ensureAvailable();
    try {
      wrapper = new EncoderJNI.Wrapper(INPUT_BUFFER, quality, WINDOW_BITS, Encoder.Mode.GENERIC);
    } catch (IOException e) {
      throw new UncheckedIOException("brotli encoder not made", e);
    }
    OPEN.incrementAndGet();
  }

  /**
   * Loads the native encoder; the data plane calls it at start when Brotli is on, so that a platform
   * without it fails there and not on the first answer.
   *
   * @throws IllegalStateException naming the cause when the native library cannot be loaded
   */
  static void ensureAvailable() {
    if (!Brotli4jLoader.isAvailable()) {
      throw new IllegalStateException("brotli is not available on this platform: "
          + Brotli4jLoader.getUnavailabilityCause());
    }
  }

  /** Encoders made and not closed yet, in this JVM. */
  static long open() {
    return OPEN.get();
  }

  @Override
  public String coding() {
    return "br";
  }

  @Override
  public ByteBuf encode(ByteBuf in, ByteBufAllocator alloc) {
    return compress(in, alloc, EncoderJNI.Operation.FLUSH);
  }

  @Override
  public ByteBuf finish(ByteBuf in, ByteBufAllocator alloc) {
    try {
      return compress(in, alloc, EncoderJNI.Operation.FINISH);
    } finally {
      close();
    }
  }

  /**
   * Feeds {@code in} in slices of the input buffer, the last slice with {@code last} (the others
   * with PROCESS), taking all the output each slice makes. An empty piece is not flushed (there is
   * nothing to flush) unless it finishes the stream.
   */
  private ByteBuf compress(ByteBuf in, ByteBufAllocator alloc, EncoderJNI.Operation last) {
    if (closed) {
      throw new IllegalStateException("brotli encoder closed");
    }
    int readable = in.readableBytes();
    ByteBuf out = alloc.buffer(readable / 2 + 64);
    try {
      if (readable == 0 && last == EncoderJNI.Operation.FLUSH) {
        return out;
      }
      int offset = 0;
      do {
        ByteBuffer input = wrapper.getInputBuffer();
        input.clear();
        int slice = Math.min(input.capacity(), readable - offset);
        in.getBytes(in.readerIndex() + offset, input.limit(slice));
        offset += slice;
        EncoderJNI.Operation operation = offset == readable ? last : EncoderJNI.Operation.PROCESS;
        wrapper.push(operation, slice);
        drain(operation, out);
      } while (offset < readable);
      return out;
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
  }

  /** Takes the output the last push made, pushing again while input remains (the wrapper's protocol). */
  private void drain(EncoderJNI.Operation operation, ByteBuf out) {
    while (true) {
      if (!wrapper.isSuccess()) {
        throw new IllegalStateException("brotli encoding failed");
      }
      if (wrapper.hasMoreOutput()) {
        out.writeBytes(wrapper.pull());
      } else if (wrapper.hasRemainingInput()) {
        wrapper.push(operation, 0);
      } else if (operation == EncoderJNI.Operation.FINISH && !wrapper.isFinished()) {
        wrapper.push(operation, 0);
      } else {
        return;
      }
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      wrapper.destroy();
      OPEN.decrementAndGet();
    }
  }
}
