package io.clbingress.operator.standalone;

import io.clbingress.operator.state.ClusterState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import io.clbingress.operator.util.DaemonThreads;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Polls the manifest folder and hands a new {@link ClusterState} to the consumer after any file
 * was added, changed or removed. Polling (every 250 ms) rather than inotify: it sees edits made
 * by renames, editors and ConfigMap symlink swaps alike, and a change is in force well within 1 s.
 */
public final class FolderWatcher implements AutoCloseable {

  private static final Logger LOG = LogManager.getLogger(FolderWatcher.class);
  static final long POLL_MILLIS = 250;

  private final ManifestFolder folder;
  private final Path directory;
  private final Consumer<ClusterState> consumer;
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("manifest-folder"));
  private Map<Path, ManifestFolder.Fingerprint> last;

  public FolderWatcher(ManifestFolder folder, Path directory, Consumer<ClusterState> consumer) {
    this.folder = folder;
    this.directory = directory;
    this.consumer = consumer;
  }

  /** Reads the folder once now, then watches it. */
  public void start() throws IOException {
    last = folder.scan();
    consumer.accept(folder.read(last));
    executor.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void poll() {
    try {
      Map<Path, ManifestFolder.Fingerprint> now = folder.scan();
      if (!now.equals(last)) {
        last = now;
        consumer.accept(folder.read(now));
      }
    } catch (IOException e) {
      LOG.warn("{}: cannot list the manifest folder: {}", directory, e.toString());
    } catch (RuntimeException e) {
      LOG.error("{}: rebuild failed", directory, e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
