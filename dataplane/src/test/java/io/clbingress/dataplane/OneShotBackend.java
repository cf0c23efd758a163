package io.clbingress.dataplane;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A backend whose keep-alive connections die when reused, as one that closes idle connections at
 * once does when the proxy's next request crosses its close: each connection's first request is
 * answered {@code 200} with keep-alive; the head of a second request on it is read and the
 * connection then closed ({@link Ending#FIN}) or reset ({@link Ending#RST}, SO_LINGER 0) without
 * an answer. Remembers every request head it received ({@code "GET /x"}), answered or not.
 */
final class OneShotBackend implements AutoCloseable {

  /** How a reused connection dies. */
  enum Ending { FIN, RST }

  /** Every request line received ({@code METHOD target}), in order, answered or not. */
  final List<String> received = new CopyOnWriteArrayList<>();
  private final ServerSocket server;
  private final Ending ending;

  OneShotBackend(Ending ending) throws IOException {
    this.ending = ending;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "one-shot-backend");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread serve = new Thread(() -> serve(socket), "one-shot-connection");
        serve.setDaemon(true);
        serve.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      String head = RawHttp.readHead(in);
      if (!record(head)) {
        return;
      }
      in.readNBytes(contentLength(head));
      String body = head.startsWith("HEAD ") ? "" : "ok";
      out.write(("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nx-backend: one-shot\r\n\r\n" + body)
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      if (record(RawHttp.readHead(in)) && ending == Ending.RST) {
        socket.setSoLinger(true, 0);
      }
    } catch (IOException e) {
      // the proxy went away: nothing to serve
    }
  }

  private boolean record(String head) {
    int end = head.indexOf(" HTTP/");
    if (end < 0) {
      return false;
    }
    received.add(head.substring(0, end));
    return true;
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring(15).trim());
      }
    }
    return 0;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
