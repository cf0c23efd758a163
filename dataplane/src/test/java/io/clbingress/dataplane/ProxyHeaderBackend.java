package io.clbingress.dataplane;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A TCP backend that expects a PROXY protocol header first, decodes it by hand from the
 * specification (not with the codec the data plane uses), reports it, then echoes every byte.
 * A v1 header is reported as its line ({@code PROXY TCP4 192.0.2.1 127.0.0.1 5000 8080}); a v2
 * header as {@code v2 PROXY TCP4 192.0.2.1:5000 -> 127.0.0.1:8080} (or {@code v2 LOCAL}); no
 * header as {@code none: <first bytes>}.
 */
final class ProxyHeaderBackend implements AutoCloseable {

  private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

  private final ServerSocket server;
  private final BlockingQueue<String> headers = new LinkedBlockingQueue<>();

  ProxyHeaderBackend() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "proxy-header-backend");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** The next connection's header, as described above; fails the test after 10 s without one. */
  String nextHeader() throws InterruptedException {
    String header = headers.poll(10, TimeUnit.SECONDS);
    if (header == null) {
      throw new AssertionError("no connection reached the backend");
    }
    return header;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread connection = new Thread(() -> serve(socket), "proxy-header-backend-connection");
        connection.setDaemon(true);
        connection.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      headers.add(readHeader(in));
      OutputStream out = socket.getOutputStream();
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // the data plane closed the connection
    }
  }

  private static String readHeader(DataInputStream in) throws IOException {
    byte[] start = new byte[12];
    in.readFully(start);
    if (new String(start, 0, 6, StandardCharsets.US_ASCII).equals("PROXY ")) {
      StringBuilder line = new StringBuilder(new String(start, StandardCharsets.US_ASCII));
      for (int c; (c = in.read()) != '\n'; ) {
        line.append((char) c);
      }
      return line.toString().trim();
    }
    if (!java.util.Arrays.equals(start, V2_SIGNATURE)) {
      return "none: " + new String(start, StandardCharsets.ISO_8859_1);
    }
    int versionCommand = in.readUnsignedByte();
    int family = in.readUnsignedByte();
    int length = in.readUnsignedShort();
    byte[] rest = new byte[length];
    in.readFully(rest);
    if (versionCommand == 0x20) {
      return "v2 LOCAL";
    }
    if (versionCommand != 0x21) {
      return "v2 bad version/command " + versionCommand;
    }
    int size = family == 0x11 ? 4 : family == 0x21 ? 16 : -1;
    if (size < 0) {
      return "v2 family " + family;
    }
    InetAddress source = InetAddress.getByAddress(java.util.Arrays.copyOfRange(rest, 0, size));
    InetAddress destination = InetAddress.getByAddress(java.util.Arrays.copyOfRange(rest, size, 2 * size));
    int sourcePort = (rest[2 * size] & 0xff) << 8 | rest[2 * size + 1] & 0xff;
    int destinationPort = (rest[2 * size + 2] & 0xff) << 8 | rest[2 * size + 3] & 0xff;
    return "v2 PROXY " + (size == 4 ? "TCP4 " : "TCP6 ") + new InetSocketAddress(source, sourcePort).getAddress()
        .getHostAddress() + ":" + sourcePort + " -> " + destination.getHostAddress() + ":" + destinationPort;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  /** Reads what is left of a stream until it ends (test helper). */
  static String drain(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }
}
