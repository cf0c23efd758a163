package io.clbingress.dataplane;

import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/** The test JVM's live objects by class, as {@code jmap -histo:live} counts them (after a full collection). */
final class LiveObjects {

  private final String histogram;

  private LiveObjects(String histogram) {
    this.histogram = histogram;
  }

  /** A class histogram of the live objects now (the JVM's {@code GC.class_histogram} command). */
  static LiveObjects now() throws Exception {
    return new LiveObjects((String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
        new Object[] {new String[0]}, new String[] {String[].class.getName()}));
  }

  /** Live instances of exactly this class (by its binary name), 0 when none. */
  long instances(String className) {
    Matcher row = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+" + Pattern.quote(className) + "\\s*$",
        Pattern.MULTILINE).matcher(histogram);
    return row.find() ? Long.parseLong(row.group(1)) : 0;
  }

  /** Live socket channels of any of Netty's transports (NIO, epoll, io_uring). */
  long socketChannels() {
    return instances("io.netty.channel.socket.nio.NioSocketChannel")
        + instances("io.netty.channel.epoll.EpollSocketChannel")
        + instances("io.netty.channel.uring.IoUringSocketChannel");
  }
}
