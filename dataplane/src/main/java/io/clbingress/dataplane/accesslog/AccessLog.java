package io.clbingress.dataplane.accesslog;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The data plane's access log: one line per request ({@link AccessRecord}) and one per closed
 * tunnel ({@link TunnelRecord}) on the Log4j2 logger {@value #LOGGER} (SPEC §10), as JSON or text
 * ({@link AccessLogFormat}, {@code --access-log}); the fields are documented in
 * {@code docs/access-log.md}.
 *
 * <p>An event loop only puts the finished record in a bounded queue ({@link #capacity}); one
 * daemon thread formats each record and hands the line to Log4j2. When the queue is full (the
 * appender behind the logger is slow: a full disk, a blocked pipe) the record is dropped and
 * counted ({@link #dropped}, exported as {@code clb_access_log_dropped}): a slow log never stalls
 * traffic. (The data plane depends on the Log4j2 API only; whatever appender the process
 * configures for {@value #LOGGER} may block, since only this thread calls it.)
 */
public final class AccessLog implements AutoCloseable {

  /** The logger's name (SPEC §10). */
  public static final String LOGGER = "clb.access";
  /** Records waiting for the writer at most, by default: a few seconds of a busy data plane. */
  public static final int DEFAULT_CAPACITY = 16_384;

  private static final AccessLog OFF = new AccessLog(AccessLogFormat.OFF, 1, null);

  private final AccessLogFormat format;
  private final BlockingQueue<Object> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;
  private final Logger logger;
  private volatile boolean closed;

  private AccessLog(AccessLogFormat format, int capacity, Logger logger) {
    this.format = format;
    this.logger = logger;
    this.queue = format == AccessLogFormat.OFF ? null : new ArrayBlockingQueue<>(capacity);
    this.writer = format == AccessLogFormat.OFF ? null : new Thread(this::drain, "clb-access-log");
    if (writer != null) {
      writer.setDaemon(true);
    }
  }

  /** A log that writes nothing and allocates nothing per request. */
  public static AccessLog off() {
    return OFF;
  }

  /**
   * A log in {@code format} with its writer thread started ({@link #off()} for {@link AccessLogFormat#OFF}).
   *
   * @param capacity records waiting for the writer at most, at least 1
   */
  public static AccessLog start(AccessLogFormat format, int capacity) {
    if (format == AccessLogFormat.OFF) {
      return OFF;
    }
    if (capacity < 1) {
      throw new IllegalArgumentException("access log capacity must be at least 1: " + capacity);
    }
    AccessLog log = new AccessLog(format, capacity, LogManager.getLogger(LOGGER));
    log.writer.start();
    return log;
  }

  public AccessLogFormat format() {
    return format;
  }

  /** Whether requests are logged: when not, {@link #begin} gives null and the engines collect nothing. */
  public boolean enabled() {
    return queue != null;
  }

  /** A record for a request whose head was just read, or null when the log is off. */
  public AccessRecord begin() {
    return queue == null ? null : new AccessRecord(System.currentTimeMillis(), System.nanoTime());
  }

  /**
   * The request's answer ended with {@code status}: its line is queued, unless the log is off
   * ({@code record} null) or the route turned it off. Never blocks.
   */
  public void write(AccessRecord record, int status) {
    if (record != null && record.end(status)) {
      offer(record);
    }
  }

  /** A tunnel closed: its line is queued. Never blocks. */
  public void write(TunnelRecord record) {
    if (queue != null && record != null) {
      offer(record);
    }
  }

  private void offer(Object record) {
    if (closed || !queue.offer(record)) {
      dropped.incrementAndGet();
    }
  }

  /** Lines dropped because the queue was full (or the log closed). */
  public long dropped() {
    return dropped.get();
  }

  /** Records waiting for the writer now. */
  public int pending() {
    return queue == null ? 0 : queue.size();
  }

  private void drain() {
    LineFormat lines = new LineFormat(format);
    while (true) {
      Object record;
      try {
        record = queue.take();
      } catch (InterruptedException e) {
        // closed: what is queued already is written, then the writer ends
        while ((record = queue.poll()) != null) {
          write(lines, record);
        }
        return;
      }
      write(lines, record);
    }
  }

  private void write(LineFormat lines, Object record) {
    String line = record instanceof AccessRecord request ? lines.request(request) : lines.tunnel((TunnelRecord) record);
    try {
      logger.info(line);
    } catch (RuntimeException e) {
      dropped.incrementAndGet(); // an appender that fails loses this line, not the writer
    }
  }

  /** Stops the writer once it wrote what is queued; records given later are dropped. */
  @Override
  public void close() {
    closed = true;
    if (writer != null) {
      writer.interrupt();
    }
  }
}
