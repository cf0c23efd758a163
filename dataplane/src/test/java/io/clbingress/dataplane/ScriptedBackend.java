package io.clbingress.dataplane;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A backend that misbehaves on purpose, byte for byte: for every connection it reads one request
 * head and runs its script on the socket (answer part of a response and reset, trickle bytes,
 * answer 101 to anything). One connection at a time, on its own thread; for tests.
 */
final class ScriptedBackend implements AutoCloseable {

  /** What the backend does once a request head has arrived. */
  interface Script {
    void run(Socket socket, String head) throws IOException, InterruptedException;
  }

  private final ServerSocket server;
  private final Thread thread;

  ScriptedBackend(Script script) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    thread = new Thread(() -> {
      while (!server.isClosed()) {
        try (Socket socket = server.accept()) {
          script.run(socket, readHead(socket.getInputStream()));
        } catch (IOException | InterruptedException e) {
          // the next connection, or closed
        }
      }
    }, "scripted-backend");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Writes {@code text} (ISO-8859-1) and flushes. */
  static void write(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Closes with a TCP reset instead of a FIN. */
  static void reset(Socket socket) throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  /** The next request head on a connection, up to its empty line (shorter if the peer closed first). */
  static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      head.append((char) c);
    }
    return head.toString();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
