package io.clbingress.dataplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clbingress.dataplane.accesslog.AccessLog;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * The lines written on the access log's logger ({@value AccessLog#LOGGER}) while it is open, from
 * this JVM's Log4j2, by an appender of its own on that logger (and not on the root). It may be
 * made to block ({@link #block}), as an appender on a stalled disk would.
 */
final class AccessLines implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private volatile CountDownLatch gate;
  /** Counted down when an append starts blocking. */
  private final CountDownLatch blocked = new CountDownLatch(1);
  private final AbstractAppender appender = new AbstractAppender("access-" + System.nanoTime(), null, null, true,
      Property.EMPTY_ARRAY) {
    @Override
    public void append(LogEvent event) {
      CountDownLatch closed = gate;
      if (closed != null) {
        blocked.countDown();
        try {
          closed.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      lines.add(event.getMessage().getFormattedMessage());
    }
  };

  AccessLines() {
    appender.start();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    Configuration config = context.getConfiguration();
    LoggerConfig logger = new LoggerConfig(AccessLog.LOGGER, Level.INFO, false);
    logger.addAppender(appender, Level.INFO, null);
    config.addLogger(AccessLog.LOGGER, logger);
    context.updateLoggers();
  }

  /** Appends block from now on until {@link #unblock}. */
  void block() {
    gate = new CountDownLatch(1);
  }

  /** Waits until an append is blocked. */
  void awaitBlocked() throws InterruptedException {
    if (!blocked.await(20, TimeUnit.SECONDS)) {
      throw new AssertionError("no access log line reached the appender");
    }
  }

  void unblock() {
    CountDownLatch closed = gate;
    gate = null;
    if (closed != null) {
      closed.countDown();
    }
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  /** Every line so far as JSON. */
  List<JsonNode> json() throws Exception {
    List<JsonNode> parsed = new java.util.ArrayList<>();
    for (String line : lines) {
      parsed.add(JSON.readTree(line));
    }
    return parsed;
  }

  /** The first JSON line that {@code matches}, waiting for it up to 20 s. */
  JsonNode await(Predicate<JsonNode> matches) {
    return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
        .until(() -> first(matches), java.util.Objects::nonNull);
  }

  /** The first JSON line that {@code matches} now, or null. */
  JsonNode first(Predicate<JsonNode> matches) throws Exception {
    for (JsonNode line : json()) {
      if (matches.test(line)) {
        return line;
      }
    }
    return null;
  }

  @Override
  public void close() {
    unblock();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    context.getConfiguration().removeLogger(AccessLog.LOGGER);
    context.updateLoggers();
    appender.stop();
  }
}
