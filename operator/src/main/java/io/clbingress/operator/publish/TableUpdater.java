package io.clbingress.operator.publish;

import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.codec.ContentHasher;
import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.translate.Settings;
import io.clbingress.operator.translate.Translation;
import io.clbingress.operator.translate.TranslationCache;
import io.clbingress.operator.translate.Translator;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Turns each new cluster state into a routing table and publishes it when, and only when, its
 * content differs from the last one published; versions count up from 1. Keeps what translation
 * needs from one run to the next (the last accepted version of each Ingress), and hands every
 * translation to the observers (problem log, status writer).
 */
public final class TableUpdater {

  private static final Logger LOG = LogManager.getLogger(TableUpdater.class);

  private final Clock clock;
  private final Settings settings;
  private final Consumer<RoutingTable> publisher;
  private final Consumer<Translation> observer;
  private Map<ObjectRef, IngressInfo> lastAccepted = Map.of();
  private RoutingTable published;
  /** Remembers the digests of the last table's parts: an update that changes a few hashes only those. */
  private final ContentHasher hasher = new ContentHasher();
  /** What the last translation computed, for the next one to take over where nothing changed. */
  private final TranslationCache cache = new TranslationCache();

  public TableUpdater(Settings settings, Consumer<RoutingTable> publisher, Consumer<Translation> observer) {
    this(settings, publisher, observer, Clock.systemUTC());
  }

  /** @param clock the time certificates are checked against at each update */
  public TableUpdater(Settings settings, Consumer<RoutingTable> publisher, Consumer<Translation> observer, Clock clock) {
    this.clock = clock;
    this.settings = settings;
    this.publisher = publisher;
    this.observer = observer;
  }

  /** @return the table in force after this state: newly published or unchanged */
  public synchronized RoutingTable update(ClusterState state) {
    long started = System.nanoTime();
    Translation translation = Translator.translate(state, settings, lastAccepted, clock.instant(), cache);
    long translated = System.nanoTime();
    lastAccepted = translation.accepted();
    observer.accept(translation);
    String hash = hasher.hash(translation.table());
    LOG.debug("{} Ingresses translated in {} ms, the table hashed in {} ms", state.ingresses().size(),
        TimeUnit.NANOSECONDS.toMillis(translated - started), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - translated));
    if (published != null && published.hash().equals(hash)) {
      LOG.debug("routing table unchanged (version {})", published.version());
      return published;
    }
    long version = published == null ? 1 : published.version() + 1;
    published = translation.table().withVersion(version, hash);
    publisher.accept(published);
    return published;
  }
}
