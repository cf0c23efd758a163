package io.clbingress.dataplane.proxy;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

/**
 * The backend half of a WebSocket handshake, on a fresh connection to the endpoint and at the
 * Netty level: the upgrade request is written with Netty's HTTP/1.1 codec and the answer read
 * whole (a refusal's body up to {@link #MAX_REFUSAL_BYTES}). On 101 the codec leaves the pipeline
 * and the socket is left paused, carrying bytes only: whatever the backend sent right after its
 * 101 waits in the socket for the {@link Tunnel}.
 *
 * <p>The codec's limits are those of the Vert.x client for plain requests (4,096-byte status
 * line, 8,192 bytes of headers); an answer beyond them, malformed, or cut short fails the
 * exchange (the caller answers 502).
 */
final class BackendUpgrade {

  /** The largest refusal body relayed (a login page, say); a longer one fails the exchange. */
  static final int MAX_REFUSAL_BYTES = 1 << 20;
  private static final String CODEC = "clb-upgrade-codec";
  private static final String AGGREGATOR = "clb-upgrade-aggregator";

  private BackendUpgrade() {
  }

  /**
   * Sends {@code request} on {@code socket} and completes with the backend's answer, which the
   * caller releases; fails when the connection breaks or the answer is not valid HTTP/1.1.
   */
  static Future<FullHttpResponse> exchange(NetSocket socket, HttpRequest request) {
    NetSocketInternal raw = (NetSocketInternal) socket;
    ChannelPipeline pipeline = raw.channelHandlerContext().pipeline();
    pipeline.addBefore("handler", CODEC, new HttpClientCodec(4096, 8192, 8192));
    pipeline.addBefore("handler", AGGREGATOR, new HttpObjectAggregator(MAX_REFUSAL_BYTES));
    Promise<FullHttpResponse> answer = Promise.promise();
    raw.messageHandler(message -> {
      if (!(message instanceof FullHttpResponse response)) {
        ReferenceCountUtil.release(message);
        return;
      }
      if (response.decoderResult().isFailure()) {
        response.release();
        answer.tryFail(response.decoderResult().cause());
        return;
      }
      if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
        // Bytes after the 101 (in this read or later) queue in the paused socket for the tunnel.
        raw.messageHandler(null);
        raw.pause();
        pipeline.remove(AGGREGATOR);
        pipeline.remove(CODEC);
        // RFC 9110 §8.6, §6.1: no Content-Length or Transfer-Encoding in a 1xx; the aggregator
        // adds "content-length: 0" to every whole response, and a backend may send one itself.
        response.headers().remove(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_LENGTH);
        response.headers().remove(io.netty.handler.codec.http.HttpHeaderNames.TRANSFER_ENCODING);
      }
      if (!answer.tryComplete(response)) {
        response.release();
      }
    });
    raw.exceptionHandler(answer::tryFail);
    raw.closeHandler(v -> answer.tryFail("the backend closed the connection before its answer was complete"));
    raw.writeMessage(request).onFailure(answer::tryFail);
    return answer.future();
  }
}
