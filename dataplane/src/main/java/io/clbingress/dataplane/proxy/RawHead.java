package io.clbingress.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A backend's answer head kept as the bytes it came in ({@link RawHeadScanner} read it), for the
 * client as it is but for its hop-by-hop lines: the status line and header lines, the blank line
 * that ends the head excluded. Holds a retained slice of the backend connection's read buffer
 * until it is written ({@link #writeTo}) or released.
 */
final class RawHead extends DefaultByteBufHolder {

  /** "HTTP/1.x" before the status code: the client's version is written in its place. */
  static final int VERSION_LENGTH = 8;

  private final int status;
  private final boolean keepAlive;
  private final long bodyLength;
  /** Start and end offsets (in the content) of the lines that stay on the backend's hop, in order; null when none. */
  private final int[] dropped;
  private final int droppedCount;

  /**
   * @param head the status line and header lines, each with its CRLF, without the blank line
   * @param status the status code, 200 to 599
   * @param keepAlive the backend keeps the connection open after this answer (RFC 9112 §9.3)
   * @param bodyLength the body's length in bytes: the Content-Length, or 0 for an answer without a
   *     body (to HEAD, 204, 304)
   * @param dropped pairs of start and end offsets of the lines not written; null when none
   * @param droppedCount the number of ints of {@code dropped} in use
   */
  RawHead(ByteBuf head, int status, boolean keepAlive, long bodyLength, int[] dropped, int droppedCount) {
    super(head);
    this.status = status;
    this.keepAlive = keepAlive;
    this.bodyLength = bodyLength;
    this.dropped = dropped;
    this.droppedCount = droppedCount;
  }

  int status() {
    return status;
  }

  boolean keepAlive() {
    return keepAlive;
  }

  long bodyLength() {
    return bodyLength;
  }

  /** The bytes {@link #writeTo} writes, the version included. */
  int length() {
    return content().readableBytes();
  }

  /**
   * Writes the head to {@code out} with the client's version in its status line and without the
   * lines that stay on the backend's hop; the caller adds its own lines and the blank line.
   *
   * @param http10 the client speaks HTTP/1.0 (else HTTP/1.1)
   */
  void writeTo(ByteBuf out, boolean http10) {
    ByteBuf head = content();
    int base = head.readerIndex();
    out.writeBytes(http10 ? HTTP_1_0 : HTTP_1_1);
    int from = VERSION_LENGTH;
    for (int i = 0; i < droppedCount; i += 2) {
      out.writeBytes(head, base + from, dropped[i] - from);
      from = dropped[i + 1];
    }
    out.writeBytes(head, base + from, head.readableBytes() - from);
  }

  private static final byte[] HTTP_1_0 = {'H', 'T', 'T', 'P', '/', '1', '.', '0'};
  private static final byte[] HTTP_1_1 = {'H', 'T', 'T', 'P', '/', '1', '.', '1'};
}
