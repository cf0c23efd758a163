package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.table.HeadLimits;
import io.vertx.core.http.HttpServerOptions;

/**
 * The server options a new HTTP/1.x connection's request decoder is built from: the server's, with
 * the head limits of the listener in force when the connection opens. Netty's decoder takes its
 * limits when it is made ({@link RequestFraming#install} makes one per connection), so a change of a
 * listener's limits reaches every connection opened after it, while open connections keep the
 * limits they started with and are never dropped for it. One per server instance, used on its
 * event loop only; the copy is remade only when the limits change.
 */
final class DecoderOptions {

  private final HttpServerOptions server;
  private HeadLimits limits;
  private HttpServerOptions options;

  DecoderOptions(HttpServerOptions server) {
    this.server = server;
  }

  /** The server's options with {@code wanted}'s request line and header block limits, in bytes. */
  HttpServerOptions with(HeadLimits wanted) {
    if (!wanted.equals(limits)) {
      options = new HttpServerOptions(server).setMaxInitialLineLength(wanted.requestLineBytes())
          .setMaxHeaderSize(wanted.headerBytes());
      limits = wanted;
    }
    return options;
  }
}
