package io.clbingress.dataplane;

/**
 * The socket transport of the data planes and Vert.x instances under test: the one that ships
 * ({@code auto}: io_uring where it can be used, else epoll) unless {@code -Dclb.test.transport=epoll}
 * (or {@code io_uring}, {@code nio}) says otherwise.
 */
public final class TestTransport {

  public static final NetTransport CHOSEN = NetTransport.parse(System.getProperty("clb.test.transport", "auto"));

  private TestTransport() {
  }
}
