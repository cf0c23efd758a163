package io.clbingress.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * One answer body compressed as a gzip member (RFC 1952): a {@link Deflater} of its own, raw
 * deflate (RFC 1951) between the gzip header and its trailer (CRC-32 and length).
 *
 * <p>Streaming: every piece given is compressed and flushed at once ({@link Deflater#SYNC_FLUSH}),
 * as Envoy's compressor flushes at the end of each piece of data it is given, so that a slow
 * answer (server-sent events, a long poll) reaches the client as it comes instead of waiting in
 * the deflater; nothing else is held back. A flush per piece costs a few bytes per piece.
 *
 * <p>Memory: a deflater holds native memory (zlib's window and hash tables, some 256 KiB at the
 * JDK's window and memory level) until {@link Deflater#end()}; the garbage collector's cleaner
 * frees it only much later. So every encoder is {@link #close closed} when its answer ends, breaks
 * off, or the client leaves, and {@link #open()} counts those not closed yet (a test checks it
 * returns to zero).
 */
final class GzipEncoder implements ContentEncoder {

  private static final AtomicLong OPEN = new AtomicLong();
  /** ID1 ID2, CM = deflate, no flags, no time, no extra flags, OS unknown (RFC 1952 §2.3). */
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
  private static final int MIN_ROOM = 64;

  private final Deflater deflater;
  private final CRC32 crc = new CRC32();
  private boolean headerWritten;
  private boolean closed;

  /** @param level 1 (fastest) to 9 (smallest) */
  GzipEncoder(int level) {
    deflater = new Deflater(level, true);
    OPEN.incrementAndGet();
  }

  /** Encoders made and not closed yet, in this JVM: the test hook for native memory kept. */
  static long open() {
    return OPEN.get();
  }

  @Override
  public String coding() {
    return "gzip";
  }

  /** A piece of the body, compressed and flushed; the first also carries the gzip header. */
  @Override
  public ByteBuf encode(ByteBuf in, ByteBufAllocator alloc) {
    return deflate(in, alloc, false);
  }

  /** The last piece of the body (possibly empty) and the gzip trailer; the encoder is closed after. */
  @Override
  public ByteBuf finish(ByteBuf in, ByteBufAllocator alloc) {
    try {
      return deflate(in, alloc, true);
    } finally {
      close();
    }
  }

  private ByteBuf deflate(ByteBuf in, ByteBufAllocator alloc, boolean last) {
    if (closed) {
      throw new IllegalStateException("gzip encoder closed");
    }
    int readable = in.readableBytes();
    ByteBuf out = alloc.buffer(readable / 2 + HEADER.length + MIN_ROOM);
    try {
      if (!headerWritten) {
        out.writeBytes(HEADER);
        headerWritten = true;
      }
      if (readable > 0) {
        ByteBuffer input = in.nioBuffer();
        crc.update(input.duplicate());
        deflater.setInput(input);
      }
      if (last) {
        deflater.finish();
        while (!deflater.finished()) {
          deflateInto(out, Deflater.NO_FLUSH);
        }
        out.writeIntLE((int) crc.getValue());
        out.writeIntLE((int) deflater.getBytesRead());
      } else if (readable > 0) {
        // Until a call leaves room in the buffer: then all is out (Deflater#deflate's contract).
        while (deflateInto(out, Deflater.SYNC_FLUSH)) {
          // more to come
        }
      }
      return out;
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
  }

  /** One call of the deflater into {@code out}'s free room; true when it filled that room. */
  private boolean deflateInto(ByteBuf out, int flush) {
    out.ensureWritable(MIN_ROOM);
    int room = out.writableBytes();
    ByteBuffer target = out.nioBuffer(out.writerIndex(), room);
    int written = deflater.deflate(target, flush);
    out.writerIndex(out.writerIndex() + written);
    return written == room;
  }

  /** Frees the deflater's native memory; again is nothing. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      deflater.end();
      OPEN.decrementAndGet();
    }
  }
}
