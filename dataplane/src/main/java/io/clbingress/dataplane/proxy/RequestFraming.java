package io.clbingress.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.List;

/**
 * How an HTTP/1.x request's body is delimited, and the requests whose framing a careful edge
 * refuses (request smuggling, RFC 9112 §6.1 and §6.3): the proxy and a backend must never
 * disagree on where a request ends. Refused requests are never routed; they get their status and
 * the connection is closed, so nothing after them on the connection is read as a request.
 *
 * <ul>
 *   <li>{@code Transfer-Encoding} together with {@code Content-Length}: 400 (RFC 9112 §6.1 allows
 *       framing by Transfer-Encoding and closing; nginx refuses with 400 since 1.21.1, as here).
 *   <li>{@code Transfer-Encoding} on an HTTP/1.0 request: 400 (§6.1: its framing is faulty).
 *   <li>A transfer coding list whose last coding is not {@code chunked}: 400 (§6.3).
 *   <li>Codings besides one {@code chunked} ({@code gzip, chunked}, or chunked twice): 501, as
 *       nginx (§6.1: a server that does not implement a transfer coding answers 501).
 * </ul>
 * Duplicate or differing Content-Length values and white space before a colon are refused by
 * Netty's decoder already (400).
 */
final class RequestFraming {

  private RequestFraming() {
  }

  /**
   * The status that refuses a request head for its framing, or 0 when it is framed soundly.
   *
   * @param version the request's HTTP version (1.0 or 1.1)
   */
  static int refusal(HttpVersion version, HttpHeaders headers) {
    if (!headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return 0; // without a list: this runs on every request
    }
    List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (version == HttpVersion.HTTP_1_0 || headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      return 400;
    }
    String[] tokens = String.join(",", codings).split(",");
    if (tokens.length == 0 || !tokens[tokens.length - 1].trim().equalsIgnoreCase("chunked")) {
      return 400;
    }
    return tokens.length == 1 ? 0 : 501;
  }

  /**
   * Puts the framing check on a new HTTP/1.x connection: a request decoder that marks a refused
   * head as undecodable, so that Vert.x hands it to the server's invalid-request handler
   * ({@link #answerInvalid}) instead of the proxy, and closes the connection after the answer.
   * Vert.x internals: the decoder is the pipeline's {@code httpDecoder}; an HTTP/2 connection
   * has none (it frames its own messages) and is left alone.
   */
  static void install(HttpConnection connection, HttpServerOptions options) {
    ChannelPipeline pipeline = ((io.vertx.core.net.impl.ConnectionBase) connection).channel().pipeline();
    if (pipeline.get("httpDecoder") instanceof VertxHttpRequestDecoder
        && !(pipeline.get("httpDecoder") instanceof CheckingDecoder)) {
      pipeline.replace("httpDecoder", "httpDecoder", new CheckingDecoder(options));
    }
  }

  /** A request decoder with the framing check, for a pipeline built here rather than by Vert.x. */
  static ChannelHandler decoder(HttpServerOptions options) {
    return new CheckingDecoder(options);
  }

  /**
   * The server's answer to a request Netty could not decode or this class refused: the refusal's
   * status, else what Vert.x answers (414, 431, 400); then the connection is closed.
   */
  static void answerInvalid(HttpServerRequest request) {
    if (request.decoderResult().cause() instanceof Refused refused) {
      request.response().setStatusCode(refused.status).end();
      request.connection().close();
    } else {
      HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(request);
    }
  }

  /**
   * The status that answers a head Netty could not decode or this class refused: the refusal's,
   * 414 for a request line over its limit, 431 for a header block over its limit, else 400 (as
   * Vert.x answers).
   */
  static int invalidStatus(Throwable cause) {
    if (cause instanceof Refused refused) {
      return refused.status;
    }
    if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
      return 414;
    }
    return cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException ? 431 : 400;
  }

  /** Why a head was refused, carried as its decoder result (no stack trace: hostile input is cheap to send). */
  private static final class Refused extends RuntimeException {

    final int status;

    Refused(int status, HttpHeaders headers) {
      super("request framing refused (" + status + "): Transfer-Encoding " + headers.getAll(HttpHeaderNames.TRANSFER_ENCODING)
          + ", Content-Length " + headers.getAll(HttpHeaderNames.CONTENT_LENGTH), null, false, false);
      this.status = status;
    }
  }

  /**
   * Vert.x's request decoder, with the framing check once a head's headers are read. A refused
   * head goes on as a bodiless request, and every byte after it on the connection is dropped
   * unread: not even bytes that came in the same read may become a request.
   */
  private static final class CheckingDecoder extends VertxHttpRequestDecoder {

    private boolean refused;

    CheckingDecoder(HttpServerOptions options) {
      super(options);
    }

    /** Netty asks this of every head before choosing how to read its body: the place to check. */
    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage message) {
      int status = refusal(message.protocolVersion(), message.headers());
      if (status != 0) {
        refused = true;
        message.setDecoderResult(DecoderResult.failure(new Refused(status, message.headers())));
        return true;
      }
      return super.isContentAlwaysEmpty(message);
    }

    @Override
    protected void decode(ChannelHandlerContext context, ByteBuf buffer, List<Object> out) throws Exception {
      if (refused) {
        buffer.skipBytes(buffer.readableBytes());
        return;
      }
      super.decode(context, buffer, out);
    }
  }
}
