package io.clbingress.dataplane;

import io.clbingress.dataplane.tls.TlsAccept;
import io.netty.bootstrap.ServerBootstrap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.impl.transports.EpollTransport;
import io.vertx.core.impl.transports.IoUringTransport;
import io.vertx.core.impl.transports.NioTransport;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.transport.Transport;
import java.util.List;
import java.util.Locale;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The socket transport Vert.x and Netty run on ({@code --transport}): {@code auto} (the default:
 * io_uring where it can be used, else epoll, else NIO), Linux's io_uring or epoll, or the JDK's NIO
 * (any platform).
 *
 * <p>io_uring is first because it was measured faster: on the same machine and run, more HTTP/1.1
 * requests per second than epoll and nginx, with a new connection per request too, where it saves
 * the {@code epoll_ctl} and socket-option calls Netty's epoll makes per connection (README, "Socket
 * transport"); and the data plane's whole suite passes on it. It is not available everywhere:
 * kernels before 5.14 lack what Netty needs, some distributions turn it off
 * ({@code kernel.io_uring_disabled}), and container runtimes' default seccomp profiles (Kubernetes'
 * {@code RuntimeDefault} on containerd or CRI-O) refuse its system calls. A transport that cannot
 * be used gives way to the next of {@code io_uring, epoll, nio}; the reason is logged, at info for
 * {@code auto} (expected) and as a warning for a transport asked for by name. The data plane serves
 * the same on each.
 *
 * <p>On io_uring, Netty's multishot {@code POLL_ADD} (Netty 4.2.9 to 4.2.18 at least) loses the
 * reset of a connection whose last data it has just read: the channel stays active and nothing more
 * is read, so a backend that resets part-way through an answer left its client waiting until a
 * timeout (about 40% of such resets, in {@code NetTransportTest}). Loading this class therefore
 * sets Netty's {@value #IO_URING_MULTISHOT_POLL} to {@code false} (one-shot polls, re-armed per
 * read loop), unless the JVM was started with it set.
 *
 * <p>Each transport is Vert.x's own with one addition: its TLS servers get {@link TlsAccept} on
 * their listening channels (on io_uring, a handshake's flights are sent as soon as they are flushed).
 */
public enum NetTransport {
  /** io_uring, else epoll, else NIO, whichever can be used first: the default. */
  AUTO,
  IO_URING,
  EPOLL,
  NIO;

  private static final Logger LOG = LogManager.getLogger(NetTransport.class);

  /** Netty's system property for io_uring's multishot poll, read once when its {@code IoUring} class loads. */
  static final String IO_URING_MULTISHOT_POLL = "io.netty.iouring.pollAddMultishotEnabled";

  static {
    if (System.getProperty(IO_URING_MULTISHOT_POLL) == null) {
      System.setProperty(IO_URING_MULTISHOT_POLL, "false");
    }
  }

  /** The flag's values, as written on the command line. */
  public static final List<String> NAMES = List.of("auto", "epoll", "io_uring", "nio");

  /**
   * The transport a flag value names.
   *
   * @throws IllegalArgumentException for any other value than {@link #NAMES}
   */
  public static NetTransport parse(String name) {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("--transport " + name + ": must be one of " + String.join(", ", NAMES));
    }
    return valueOf(name.toUpperCase(Locale.ROOT));
  }

  /** The name on the command line and in logs. */
  public String flagName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * A Vert.x instance on this transport, or on the next one that can be used (see the class
   * comment); the one chosen is logged at info.
   */
  public Vertx vertx(VertxOptions options) {
    NetTransport chosen = usable();
    LOG.info("socket transport: {}", chosen.flagName());
    if (chosen == IO_URING && io.netty.channel.uring.IoUring.isPollAddMultishotEnabled()) {
      LOG.warn("socket transport io_uring with Netty's multishot poll on ({}=true, or Netty's io_uring was loaded"
          + " before this class): a connection reset right after its last data can go unnoticed", IO_URING_MULTISHOT_POLL);
    }
    return Vertx.builder().with(options.setPreferNativeTransport(chosen != NIO)).withTransport(chosen.withTlsAccept())
        .build();
  }

  /**
   * This transport if it can be used here, else the next one of {@code io_uring, epoll, nio} that
   * can; never {@link #AUTO}.
   */
  public NetTransport usable() {
    NetTransport first = this == AUTO ? IO_URING : this;
    for (NetTransport candidate : List.of(values()).subList(first.ordinal(), values().length)) {
      Transport transport = candidate.vertxTransport();
      if (transport != null && transport.available()) {
        return candidate;
      }
      LOG.log(this == AUTO ? Level.INFO : Level.WARN, "socket transport {} cannot be used here ({}): trying the next",
          candidate.flagName(),
          transport == null ? "not on the class path" : String.valueOf(transport.unavailabilityCause()));
    }
    return NIO;
  }

  private Transport vertxTransport() {
    return switch (this) {
      case AUTO -> throw new IllegalStateException("auto names no transport of its own");
      case IO_URING -> Transport.IO_URING;
      case EPOLL -> Transport.EPOLL;
      case NIO -> Transport.NIO;
    };
  }

  /** Vert.x's transport of this name with {@link TlsAccept} on its TLS servers; only for a usable one. */
  private Transport withTlsAccept() {
    io.vertx.core.spi.transport.Transport implementation = switch (this) {
      case AUTO -> throw new IllegalStateException("auto names no transport of its own");
      case IO_URING -> new IoUring();
      case EPOLL -> new Epoll();
      case NIO -> new Nio();
    };
    return new Usable(vertxTransport().name(), implementation);
  }

  /** A transport Vert.x is built with (it reads only {@link #implementation()}). */
  private record Usable(String name, io.vertx.core.spi.transport.Transport implementation) implements Transport {
    @Override
    public boolean available() {
      return true;
    }

    @Override
    public Throwable unavailabilityCause() {
      return null;
    }
  }

  // Subclasses, not wrappers: Vert.x tells the transports apart by class (NIO or native, SO_REUSEPORT).

  private static final class IoUring extends IoUringTransport {
    @Override
    public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
      super.configure(options, domainSocket, bootstrap);
      TlsAccept.install(options, bootstrap, true);
    }
  }

  private static final class Epoll extends EpollTransport {
    @Override
    public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
      super.configure(options, domainSocket, bootstrap);
      TlsAccept.install(options, bootstrap, false);
    }
  }

  private static final class Nio extends NioTransport {
    @Override
    public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
      super.configure(options, domainSocket, bootstrap);
      TlsAccept.install(options, bootstrap, false);
    }
  }
}
