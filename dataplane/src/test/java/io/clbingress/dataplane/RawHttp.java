package io.clbingress.dataplane;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client that sends exactly the bytes a test gives it (what curl --path-as-is, a smuggling
 * probe or a broken client sends), and reads what comes back until the server closes.
 */
final class RawHttp {

  private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] (\\d{3}) ");

  /**
   * What came back: everything read, and whether the server closed the connection (false when
   * it was still open after the read timeout).
   */
  record Reply(String text, boolean closedByServer) {

    /** The status codes of every response read, in order. */
    List<Integer> statuses() {
      Matcher matcher = STATUS.matcher(text);
      List<Integer> codes = new java.util.ArrayList<>();
      while (matcher.find()) {
        codes.add(Integer.parseInt(matcher.group(1)));
      }
      return codes;
    }

    int status() {
      List<Integer> codes = statuses();
      return codes.isEmpty() ? -1 : codes.get(0);
    }

    /** A response header of the first response, by name in any case; null when absent. */
    String header(String name) {
      for (String line : text.split("\r\n")) {
        if (line.isEmpty()) {
          return null;
        }
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  private RawHttp() {
  }

  /** Sends {@code request} (CRLFs as written) and reads until the server closes, at most {@code readMillis} between reads. */
  static Reply exchange(int port, String request, int readMillis) throws IOException {
    return exchangeFrom(null, port, request, readMillis);
  }

  /** {@link #exchange} from a socket bound to {@code localAddress} (a 127.0.0.x of its own), or any when null. */
  static Reply exchangeFrom(String localAddress, int port, String request, int readMillis) throws IOException {
    try (Socket socket = new Socket()) {
      if (localAddress != null) {
        socket.bind(new java.net.InetSocketAddress(localAddress, 0));
      }
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
      socket.setSoTimeout(readMillis);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      ByteArrayOutputStream read = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          read.write(buffer, 0, n);
        }
        return new Reply(read.toString(StandardCharsets.ISO_8859_1), true);
      } catch (SocketTimeoutException stillOpen) {
        return new Reply(read.toString(StandardCharsets.ISO_8859_1), false);
      } catch (java.net.SocketException reset) {
        return new Reply(read.toString(StandardCharsets.ISO_8859_1), true);
      }
    }
  }

  /** Reads one response head, through its blank line; what was read when the stream ends first. */
  static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      head.append((char) c);
    }
    return head.toString();
  }

  /** A GET of {@code target} on {@code host} that asks the server to close after answering. */
  static Reply get(int port, String host, String target) throws IOException {
    return exchange(port, "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n", 10_000);
  }

  /** A WebSocket upgrade sent from {@code from} (a 127.0.0.x): its socket, left open, and the status of the answer. */
  record Upgrade(Socket socket, int status) {
  }

  /** Sends a WebSocket upgrade of {@code /chat} on {@code host} from {@code from} and reads the answer's head. */
  static Upgrade upgradeFrom(String from, int port, String host) throws IOException {
    Socket socket = new Socket();
    socket.bind(new java.net.InetSocketAddress(from, 0));
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
    socket.setSoTimeout(10_000);
    socket.getOutputStream().write(("GET /chat HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1));
    String head = readHead(socket.getInputStream());
    return new Upgrade(socket, head.length() < 12 ? -1 : Integer.parseInt(head.substring(9, 12)));
  }

  /**
   * A kept-alive connection: each {@link #send} writes a request and reads one response, framed by
   * its Content-Length (the responses these tests read have one).
   */
  static final class Open implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;

    Open(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      in = socket.getInputStream();
    }

    /** Sends {@code request} and returns the one response to it, or what came before the server closed. */
    Reply send(String request) throws IOException {
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      ByteArrayOutputStream read = new ByteArrayOutputStream();
      long end = Long.MAX_VALUE;
      try {
        while (read.size() < end) {
          int b = in.read();
          if (b < 0) {
            return new Reply(read.toString(StandardCharsets.ISO_8859_1), true);
          }
          read.write(b);
          String text = read.toString(StandardCharsets.ISO_8859_1);
          if (end == Long.MAX_VALUE && text.endsWith("\r\n\r\n")) {
            String length = new Reply(text, false).header("content-length");
            end = read.size() + (length == null ? 0 : Long.parseLong(length));
          }
        }
      } catch (java.net.SocketException reset) {
        return new Reply(read.toString(StandardCharsets.ISO_8859_1), true);
      }
      return new Reply(read.toString(StandardCharsets.ISO_8859_1), false);
    }

    /** The client side's port, as the server sees it. */
    int localPort() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
