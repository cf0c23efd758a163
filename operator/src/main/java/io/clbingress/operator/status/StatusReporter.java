package io.clbingress.operator.status;

import io.clbingress.operator.translate.Translation;
import java.util.concurrent.ExecutorService;
import io.clbingress.operator.util.DaemonThreads;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Writes what each translation means for users (Ingress status, CLBListener conditions, Warning
 * Events), off the
 * rebuild thread, and only while this replica leads: replicas that do not lead stay silent, and
 * a new leader writes from the latest translation at once.
 */
public final class StatusReporter implements Consumer<Translation>, AutoCloseable {

  private static final Logger LOG = LogManager.getLogger(StatusReporter.class);

  private final IngressStatusWriter ingressStatus;
  private final ListenerStatusWriter listenerStatus;
  private final ProblemEvents events;
  private final CurrentObjects current;
  private final ExecutorService executor = Executors.newSingleThreadExecutor(DaemonThreads.named("status"));
  private volatile Translation latest;
  private volatile boolean leading;

  public StatusReporter(IngressStatusWriter ingressStatus, ListenerStatusWriter listenerStatus, ProblemEvents events,
      CurrentObjects current) {
    this.ingressStatus = ingressStatus;
    this.listenerStatus = listenerStatus;
    this.events = events;
    this.current = current;
  }

  @Override
  public void accept(Translation translation) {
    latest = translation;
    if (leading) {
      executor.execute(this::writeLatest);
    }
  }

  public void startedLeading() {
    LOG.info("leading: writing status and Events");
    leading = true;
    executor.execute(() -> {
      events.reset();
      writeLatest();
    });
  }

  public void stoppedLeading() {
    LOG.info("no longer leading: status and Events are left to the leader");
    leading = false;
  }

  private void writeLatest() {
    Translation translation = latest;
    if (translation == null || !leading) {
      return;
    }
    try {
      ingressStatus.write(translation.accepted().keySet(), current::ingress);
      listenerStatus.write(translation.listeners(), current);
      events.report(translation.problems());
    } catch (RuntimeException e) {
      LOG.error("status writing failed; will try again on the next change", e);
    }
  }

  /** Waits until everything handed over so far is written (tests). */
  void awaitIdle() throws Exception {
    executor.submit(() -> { }).get(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
