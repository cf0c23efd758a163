package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.routing.SetHeaders;
import io.clbingress.dataplane.table.HttpHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import io.netty.util.CharsetUtil;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The head of an HTTP/1.1 request towards a backend written straight into one buffer (the Netty
 * engine): the request line, the client's headers that go on, then the proxy's own ({@link
 * ProxyHeaders.Forwarded}) and the route's. The client's request and its headers are read, never
 * edited, so nothing is removed from or added to a header map per request, and no encoder walks
 * it again.
 *
 * <p>The bytes are those Netty's {@code HttpRequestEncoder} writes for the request edited as
 * {@link ClientConnection#towardsBackend} edits it, Expect removed, its target and version set, and
 * a Host added for a client that named none ({@link ForwardedExchange}):
 * <ul>
 *   <li>{@code METHOD SP target SP HTTP/1.1 CRLF}, the target's characters as UTF-8 (as the
 *       encoder); only an origin-form target ({@link #writable}).
 *   <li>The client's fields in their order, less the hop-by-hop ones, those the Connection header
 *       lists, those the proxy sets, Expect ({@link ProxyHeaders#droppedTowardsBackend}), names with
 *       {@code _} unless they are let through, and those the route sets: a header set replaces
 *       every earlier field of its name and goes last, as {@code HttpHeaders.set} does.
 *   <li>The proxy's fields ({@link ProxyHeaders.Forwarded#applyOwnTo}), then the route's ({@link
 *       io.clbingress.dataplane.routing.CompiledRoute#setHeaders}), then {@code host: ENDPOINT}
 *       for a client that named no host; each line not replaced by a later one of its name, and no
 *       Expect, even one the route sets.
 *   <li>Names and values as ISO-8859-1 bytes, a character above U+00FF as {@code ?} (as the
 *       encoder's US-ASCII); then the empty line.
 * </ul>
 * Only a request without Transfer-Encoding goes this way: its body (Content-Length) follows as the
 * client's bytes. A chunked body needs the encoder's framing, and takes the decoded way.
 */
final class UpstreamRequestHead {

  private static final byte[] VERSION_CRLF = " HTTP/1.1\r\n".getBytes(CharsetUtil.US_ASCII);
  /** What a head usually takes; the buffer grows for a longer one. */
  private static final int INITIAL_BYTES = 512;

  private UpstreamRequestHead() {
  }

  /**
   * Whether a request with this target on this route can be written here: an origin-form target
   * ({@code /...}), and a route that sets no Transfer-Encoding (the encoder would frame the body by
   * it). The request itself must have no Transfer-Encoding.
   */
  static boolean writable(String target, CompiledRoute route) {
    return !target.isEmpty() && target.charAt(0) == '/' && !route.setHeaders().sets("transfer-encoding");
  }

  /**
   * The head's bytes in a new buffer of {@code alloc}, the caller's to write or release.
   *
   * @param request the client's request: its method and fields
   * @param target the origin-form target sent ({@link #writable}), after any rewrite
   * @param forwarded what the backend learns of the client, and the route's fields
   * @param underscores names with {@code _} go on ({@code --enable-underscores-in-headers})
   * @param hostIfNone the Host for a client that named none and a route that sets none (the
   *     endpoint), or null
   */
  static ByteBuf encode(ByteBufAllocator alloc, HttpRequest request, String target, ProxyHeaders.Forwarded forwarded,
      boolean underscores, String hostIfNone) {
    ByteBuf buf = alloc.buffer(INITIAL_BYTES);
    try {
      ByteBufUtil.copy(request.method().asciiName(), buf);
      buf.writeByte(' ');
      buf.writeCharSequence(target, CharsetUtil.UTF_8);
      buf.writeBytes(VERSION_CRLF);
      SetHeaders routeSets = forwarded.route().setHeaders();
      clientFields(buf, request.headers(), routeSets, underscores);
      forwarded.applyOwnTo((name, value) -> {
        if (!routeSets.sets(name)) {
          line(buf, name, value);
        }
      });
      for (HttpHeader set : routeSets.lines()) {
        if (hostIfNone == null || !set.name().equalsIgnoreCase("host")) {
          line(buf, set.name(), set.value());
        }
      }
      if (hostIfNone != null) {
        line(buf, "host", hostIfNone);
      }
      buf.writeByte('\r').writeByte('\n');
      return buf;
    } catch (RuntimeException e) {
      buf.release();
      throw e;
    }
  }

  /** The client's fields that go on, in their order. */
  private static void clientFields(ByteBuf buf, HttpHeaders headers, SetHeaders routeSets, boolean underscores) {
    Set<String> listed = ProxyHeaders.connectionListed(headers);
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
      Map.Entry<CharSequence, CharSequence> field = it.next();
      CharSequence name = field.getKey();
      if (!ProxyHeaders.droppedTowardsBackend(name) && (underscores || AsciiString.indexOf(name, '_', 0) < 0)
          && (listed.isEmpty() || !listed.contains(name.toString())) && !routeSets.sets(name)) {
        line(buf, name, field.getValue());
      }
    }
  }

  private static void line(ByteBuf buf, CharSequence name, CharSequence value) {
    buf.writeCharSequence(name, CharsetUtil.US_ASCII);
    buf.writeByte(':').writeByte(' ');
    buf.writeCharSequence(value, CharsetUtil.US_ASCII);
    buf.writeByte('\r').writeByte('\n');
  }
}
