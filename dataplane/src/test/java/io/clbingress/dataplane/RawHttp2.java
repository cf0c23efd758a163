package io.clbingress.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * An HTTP/2 client over TLS with ALPN h2 that writes whatever frames a test gives it, hostile
 * sequences included (frames are written by hand: Netty's frame writer would not write an endless
 * header block), and reads the server's frames one at a time, decoding header blocks with HPACK.
 */
final class RawHttp2 implements AutoCloseable {

  static final int END_STREAM = 0x1;
  static final int ACK = 0x1;
  static final int END_HEADERS = 0x4;
  static final int SETTINGS_HEADER_TABLE_SIZE = 1;
  static final int SETTINGS_MAX_CONCURRENT_STREAMS = 3;
  static final int SETTINGS_INITIAL_WINDOW_SIZE = 4;
  static final int SETTINGS_MAX_FRAME_SIZE = 5;
  static final int SETTINGS_MAX_HEADER_LIST_SIZE = 6;
  /** RFC 9113 §7 error codes. */
  static final long PROTOCOL_ERROR = 0x1;
  static final long CANCEL = 0x8;
  static final long REFUSED_STREAM = 0x7;
  static final long ENHANCE_YOUR_CALM = 0xb;
  private static final int MAX_FRAME = 16_384;

  /**
   * One frame from the server; {@code headers} is the decoded header block of a HEADERS frame
   * (with its CONTINUATIONs), else null.
   */
  record Frame(byte type, int flags, int streamId, byte[] payload, Http2Headers headers) {

    /** The error code of a RST_STREAM or GOAWAY frame. */
    long errorCode() {
      return ByteBuffer.wrap(payload, type == Http2FrameTypes.GO_AWAY ? 4 : 0, 4).getInt() & 0xFFFFFFFFL;
    }

    boolean is(byte frameType) {
      return type == frameType;
    }

    @Override
    public String toString() {
      return "frame type " + type + " flags " + flags + " stream " + streamId + " length " + payload.length
          + (headers != null ? " " + headers : "") + (is(Http2FrameTypes.GO_AWAY) || is(Http2FrameTypes.RST_STREAM)
          ? " error " + errorCode() : "");
    }
  }

  private final SSLSocket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true);
  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, 1L << 20);
  private ByteArrayOutputStream pendingBlock;
  private Frame pendingHeaders;
  /** The settings of the server's first SETTINGS frame, by identifier. */
  final Map<Integer, Long> serverSettings = new HashMap<>();

  private RawHttp2(SSLSocket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = new BufferedOutputStream(socket.getOutputStream(), 64 << 10);
  }

  /**
   * Connects to 127.0.0.1:{@code port} (any certificate), negotiates h2, sends the preface and an
   * empty SETTINGS, reads the server's SETTINGS and acknowledges it (the server applies its own
   * settings, such as its stream limit, once they are acknowledged).
   */
  static RawHttp2 connect(int port) throws Exception {
    return connect(port, 0);
  }

  /** A TLS client context that takes any server certificate (test servers have self-signed ones). */
  static SSLContext trustAll() throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, new SecureRandom());
    return context;
  }

  /**
   * As {@link #connect(int)}, with this client's socket receive buffer fixed at
   * {@code receiveBufferBytes} (0: the system's, which grows as the client reads), which bounds what
   * the server can hand to the kernel for a client that does not read.
   */
  static RawHttp2 connect(int port, int receiveBufferBytes) throws Exception {
    SSLContext context = trustAll();
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
    if (receiveBufferBytes > 0) {
      socket.setReceiveBufferSize(receiveBufferBytes);
    }
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
    return handshake(socket);
  }

  /**
   * As {@link #connect(int)}, over a connection already open to {@code port} on which the caller
   * wrote what comes before TLS (a PROXY protocol header).
   */
  static RawHttp2 over(java.net.Socket plain, int port) throws Exception {
    return handshake((SSLSocket) trustAll().getSocketFactory().createSocket(plain, "127.0.0.1", port, true));
  }

  /** TLS with ALPN h2, the preface, and the exchange of SETTINGS. */
  private static RawHttp2 handshake(SSLSocket socket) throws Exception {
    socket.setSoTimeout(20_000);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setApplicationProtocols(new String[] {"h2"});
    socket.setSSLParameters(parameters);
    socket.startHandshake();
    if (!"h2".equals(socket.getApplicationProtocol())) {
      socket.close();
      throw new IllegalStateException("ALPN chose " + socket.getApplicationProtocol() + ", not h2");
    }
    RawHttp2 client = new RawHttp2(socket);
    client.out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    client.send(Http2FrameTypes.SETTINGS, 0, 0, new byte[0]);
    Frame settings = client.readUntil(f -> f.is(Http2FrameTypes.SETTINGS) && (f.flags() & ACK) == 0);
    ByteBuffer entries = ByteBuffer.wrap(settings.payload());
    while (entries.remaining() >= 6) {
      client.serverSettings.put(entries.getShort() & 0xFFFF, entries.getInt() & 0xFFFFFFFFL);
    }
    client.send(Http2FrameTypes.SETTINGS, ACK, 0, new byte[0]);
    return client;
  }

  /** The bytes of one frame. */
  static byte[] frame(byte type, int flags, int streamId, byte[] payload) {
    ByteBuffer frame = ByteBuffer.allocate(9 + payload.length);
    frame.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length)
        .put(type).put((byte) flags).putInt(streamId).put(payload);
    return frame.array();
  }

  static byte[] rstStream(int streamId, long errorCode) {
    return frame(Http2FrameTypes.RST_STREAM, 0, streamId, ByteBuffer.allocate(4).putInt((int) errorCode).array());
  }

  static byte[] ping(long data) {
    return frame(Http2FrameTypes.PING, 0, 0, ByteBuffer.allocate(8).putLong(data).array());
  }

  /** A request's pseudo-headers for {@code method} on {@code path} of app.example.test. */
  static Http2Headers request(String method, String path) {
    return new DefaultHttp2Headers().method(method).scheme("https").authority("app.example.test").path(path);
  }

  /** The header block of {@code headers}, HPACK-encoded with this connection's encoder state. */
  byte[] hpack(Http2Headers headers) throws Exception {
    ByteBuf block = Unpooled.buffer();
    try {
      encoder.encodeHeaders(0, headers, block);
      return ByteBufUtil.getBytes(block);
    } finally {
      block.release();
    }
  }

  /** The frames of one header block: a HEADERS frame and CONTINUATIONs of at most 16 KiB each. */
  byte[] headersFrames(int streamId, Http2Headers headers, boolean endStream) throws Exception {
    byte[] block = hpack(headers);
    ByteArrayOutputStream frames = new ByteArrayOutputStream();
    int offset = 0;
    do {
      int length = Math.min(MAX_FRAME, block.length - offset);
      byte[] fragment = java.util.Arrays.copyOfRange(block, offset, offset + length);
      boolean last = offset + length == block.length;
      frames.writeBytes(offset == 0
          ? frame(Http2FrameTypes.HEADERS, (last ? END_HEADERS : 0) | (endStream ? END_STREAM : 0), streamId, fragment)
          : frame(Http2FrameTypes.CONTINUATION, last ? END_HEADERS : 0, streamId, fragment));
      offset += length;
    } while (offset < block.length);
    return frames.toByteArray();
  }

  /** Sends a request's header block (HEADERS and CONTINUATIONs). */
  void headers(int streamId, Http2Headers headers, boolean endStream) throws Exception {
    write(headersFrames(streamId, headers, endStream));
  }

  void send(byte type, int flags, int streamId, byte[] payload) throws IOException {
    write(frame(type, flags, streamId, payload));
  }

  /** Writes and flushes bytes (frames) as they are. */
  synchronized void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /**
   * Writes {@code count} frames from {@code frames} (by index) on another thread, as fast as the
   * connection takes them, without reading; stops early when the server has closed the connection.
   * Completes with the number of frames written.
   */
  CompletableFuture<Integer> writeInBackground(int count, IntFunction<byte[]> frames) {
    return CompletableFuture.supplyAsync(() -> {
      int written = 0;
      try {
        synchronized (this) {
          for (; written < count; written++) {
            out.write(frames.apply(written));
          }
          out.flush();
        }
      } catch (IOException closed) {
        // the server closed the connection: stop
      }
      return written;
    }, runnable -> new Thread(runnable, "raw-h2-writer").start());
  }

  /**
   * The server's next frame; null once the server has closed the connection (or reset it). Fails
   * when nothing comes within 20 s.
   */
  Frame read() throws Exception {
    while (true) {
      byte[] header = new byte[9];
      try {
        in.readFully(header);
      } catch (java.net.SocketTimeoutException e) {
        throw e;
      } catch (IOException closed) {
        return null;
      }
      int length = (header[0] & 0xFF) << 16 | (header[1] & 0xFF) << 8 | header[2] & 0xFF;
      byte type = header[3];
      int flags = header[4] & 0xFF;
      int streamId = ByteBuffer.wrap(header, 5, 4).getInt() & 0x7FFFFFFF;
      byte[] payload = new byte[length];
      try {
        in.readFully(payload);
      } catch (java.net.SocketTimeoutException e) {
        throw e;
      } catch (IOException closed) {
        return null;
      }
      Frame frame = new Frame(type, flags, streamId, payload, null);
      if (type == Http2FrameTypes.HEADERS) {
        pendingHeaders = frame;
        pendingBlock = new ByteArrayOutputStream();
        int padding = (flags & 0x8) != 0 ? payload[0] & 0xFF : 0;
        int start = ((flags & 0x8) != 0 ? 1 : 0) + ((flags & 0x20) != 0 ? 5 : 0);
        pendingBlock.write(payload, start, payload.length - start - padding);
      } else if (type == Http2FrameTypes.CONTINUATION && pendingBlock != null) {
        pendingBlock.writeBytes(payload);
      } else {
        return frame;
      }
      if ((flags & END_HEADERS) != 0) {
        ByteBuf block = Unpooled.wrappedBuffer(pendingBlock.toByteArray());
        Frame headers = pendingHeaders;
        pendingBlock = null;
        return new Frame(headers.type(), headers.flags(), headers.streamId(), headers.payload(),
            decoder.decodeHeaders(headers.streamId(), block));
      }
    }
  }

  /** Reads until a frame matches, skipping the others; null when the server closed the connection first. */
  Frame readUntil(Predicate<Frame> wanted) throws Exception {
    for (Frame frame = read(); frame != null; frame = read()) {
      if (wanted.test(frame)) {
        return frame;
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
