package io.clbingress.dataplane.proxy;

import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponseDecoder;

/**
 * Netty's response decoder for a backend connection that knows which request each answer is for
 * from the connection itself ({@link UpstreamConnection}), rather than from a queue of the
 * methods written: an answer to HEAD has no body whatever its Content-Length says (RFC 9110
 * §9.3.2), also after interim answers (103 Early Hints), which Netty's client codec counts as
 * the HEAD's answer. And it tells whether bytes beyond the last complete answer are waiting: a
 * backend that sent more than it framed (a body to HEAD, to 204, past its Content-Length) must not
 * have its connection reused, or the next request would be answered with the leftovers (nginx
 * closes such a connection too).
 */
final class BackendResponseDecoder extends HttpResponseDecoder {

  /** The HTTP/1.1 codec's limits towards backends: those of the Vert.x client before it (bytes). */
  private static final int MAX_STATUS_LINE = 4096;
  private static final int MAX_HEADER_BYTES = 8192;
  private static final int MAX_CHUNK_BYTES = 8192;

  private final UpstreamConnection connection;

  BackendResponseDecoder(UpstreamConnection connection) {
    super(MAX_STATUS_LINE, MAX_HEADER_BYTES, MAX_CHUNK_BYTES);
    this.connection = connection;
  }

  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage message) {
    return super.isContentAlwaysEmpty(message) || connection.answeringHead();
  }

  /** Whether bytes are held that are not yet a whole answer. */
  boolean holdsBytes() {
    return internalBuffer().isReadable();
  }
}
