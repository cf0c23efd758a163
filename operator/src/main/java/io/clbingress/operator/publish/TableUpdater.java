package io.clbingress.operator.publish;

import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.translate.Problem;
import io.clbingress.operator.translate.Settings;
import io.clbingress.operator.translate.Translation;
import io.clbingress.operator.translate.Translator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Turns each new cluster state into a routing table and publishes it when, and only when, its
 * content differs from the last one published; versions count up from 1. Keeps what translation
 * needs from one run to the next (the last accepted version of each Ingress) and reports each
 * problem once while it persists.
 */
public final class TableUpdater {

  private static final Logger LOG = LogManager.getLogger(TableUpdater.class);

  private final Settings settings;
  private final Consumer<RoutingTable> publisher;
  private Map<ObjectRef, IngressInfo> lastAccepted = Map.of();
  private Set<Problem> reported = Set.of();
  private RoutingTable published;

  public TableUpdater(Settings settings, Consumer<RoutingTable> publisher) {
    this.settings = settings;
    this.publisher = publisher;
  }

  /** @return the table in force after this state: newly published or unchanged */
  public synchronized RoutingTable update(ClusterState state) {
    Translation translation = Translator.translate(state, settings, lastAccepted);
    lastAccepted = translation.accepted();
    report(translation.problems());
    String hash = TableCodec.contentHash(translation.table());
    if (published != null && published.hash().equals(hash)) {
      LOG.debug("routing table unchanged (version {})", published.version());
      return published;
    }
    long version = published == null ? 1 : published.version() + 1;
    published = translation.table().withVersion(version, hash);
    publisher.accept(published);
    return published;
  }

  private void report(List<Problem> problems) {
    Set<Problem> now = new HashSet<>(problems);
    for (Problem problem : problems) {
      if (!reported.contains(problem)) {
        LOG.warn("{}: {}: {}", problem.object(), problem.field(), problem.reason());
      }
    }
    for (Problem gone : reported) {
      if (!now.contains(gone)) {
        LOG.info("{}: {}: resolved", gone.object(), gone.field());
      }
    }
    reported = now;
  }
}
