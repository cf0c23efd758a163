package io.clbingress.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * The first reader of a backend connection (before Netty's decoder, {@link BackendResponseDecoder}):
 * for an exchange whose answer may pass as bytes ({@link #expect}), it reads the head with one
 * scan ({@link RawHeadScanner}) and hands on a {@link RawHead} and the body as {@link Piece}s cut
 * by its Content-Length, which the decoder lets by untouched. A head the scanner leaves to the
 * decoder, and every byte of an exchange that asked for decoded answers, goes to the decoder as it
 * came, so its rules and limits hold as before; the rest of the exchange then stays with it.
 *
 * <p>After an answer read here, whatever follows it goes to the decoder too: bytes beyond a
 * framed answer keep the connection from being reused just as they did ({@link
 * UpstreamConnection#reusable}).
 */
final class RawAnswerReader extends ByteToMessageDecoder {

  /** A piece of an answer's body; the last one ends it. */
  static final class Piece extends DefaultByteBufHolder {
    /** The end of a body that has no bytes (left to read). */
    static final Piece END = new Piece(Unpooled.EMPTY_BUFFER, true);

    private final boolean last;

    Piece(ByteBuf content, boolean last) {
      super(content);
      this.last = last;
    }

    boolean last() {
      return last;
    }
  }

  /** The answer of the exchange served is read here (until it is over, or left to the decoder). */
  private boolean raw;
  private boolean headRequest;
  /** Body bytes of the answer still to come; -1 while its head is awaited. */
  private long remaining = -1;

  /**
   * The next answer is for an exchange that takes it as bytes ({@code raw}), or decoded.
   *
   * @param headRequest the request was HEAD: the answer has no body
   */
  void expect(boolean raw, boolean headRequest) {
    this.raw = raw;
    this.headRequest = headRequest;
    remaining = -1;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (!raw && !holdsBytes()) {
      ctx.fireChannelRead(msg); // a decoded exchange: no copy, no slice
      return;
    }
    super.channelRead(ctx, msg);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (!raw) {
      out.add(in.readRetainedSlice(in.readableBytes()));
      return;
    }
    if (remaining < 0) {
      Object scanned = RawHeadScanner.scan(in, headRequest);
      if (scanned == null) {
        return; // more bytes to come
      }
      if (scanned == RawHeadScanner.DECODE) {
        raw = false;
        out.add(in.readRetainedSlice(in.readableBytes()));
        return;
      }
      RawHead head = (RawHead) scanned;
      out.add(head);
      remaining = head.bodyLength();
      if (remaining == 0) {
        out.add(Piece.END);
        answered();
      }
      return;
    }
    int length = (int) Math.min(remaining, in.readableBytes());
    remaining -= length;
    out.add(new Piece(in.readRetainedSlice(length), remaining == 0));
    if (remaining == 0) {
      answered();
    }
  }

  /** Whether bytes are held that are not yet a whole head. */
  boolean holdsBytes() {
    return internalBuffer().isReadable();
  }

  private void answered() {
    raw = false;
    remaining = -1;
  }

  /**
   * The connection closed: a head begun here goes to the decoder, which makes of it what it made
   * before (a truncated head is a malformed answer); a body cut short ends nothing (the exchange
   * sees the close).
   */
  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (raw && remaining < 0 && in.isReadable()) {
      raw = false;
    }
    if (in.isReadable()) {
      decode(ctx, in, out);
    }
  }
}
