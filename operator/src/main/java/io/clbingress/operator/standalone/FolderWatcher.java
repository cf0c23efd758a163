package io.clbingress.operator.standalone;

import io.clbingress.operator.state.ClusterState;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Map;
import io.clbingress.operator.util.DaemonThreads;
import io.clbingress.operator.util.Debouncer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Watches the manifest folder and hands a new {@link ClusterState} to the consumer after any file
 * was added, changed or removed. The folder is scanned every 250 ms, which sees edits made by
 * renames, editors and ConfigMap symlink swaps alike; where the file system reports changes
 * (inotify on Linux), a change also triggers a scan once the folder has been quiet for
 * {@link #QUIET_MILLIS} (and no more often than every {@link #POLL_MILLIS}), so a change is in force
 * within tens of milliseconds rather than up to a poll period later.
 */
public final class FolderWatcher implements AutoCloseable {

  private static final Logger LOG = LogManager.getLogger(FolderWatcher.class);
  static final long POLL_MILLIS = 250;
  /** How long the folder must be quiet after a reported change before it is scanned: a file being written is not read half-way. */
  static final long QUIET_MILLIS = 15;

  private final ManifestFolder folder;
  private final Path directory;
  private final Consumer<ClusterState> consumer;
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("manifest-folder"));
  private Map<Path, ManifestFolder.Fingerprint> last;
  private WatchService watchService;
  /** Scans after reported changes. */
  private final Debouncer changes = new Debouncer(executor, QUIET_MILLIS, POLL_MILLIS, this::poll);

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
    try {
      watchService = directory.getFileSystem().newWatchService();
      directory.register(watchService, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
      Thread thread = DaemonThreads.named("manifest-folder-events").newThread(this::watch);
      thread.start();
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("{}: no change notifications ({}); scanning every {} ms", directory, e.toString(), POLL_MILLIS);
    }
  }

  private void watch() {
    try {
      while (true) {
        WatchKey key = watchService.take();
        key.pollEvents();
        key.reset();
        changes.signal();
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    }
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
    } catch (RuntimeException | StackOverflowError e) {
      // logged, and the scans go on: an exception would cancel the periodic task for good
      LOG.error("{}: rebuild failed", directory, e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
    if (watchService != null) {
      try {
        watchService.close();
      } catch (IOException e) {
        LOG.debug("{}: closing the change notifications: {}", directory, e.toString());
      }
    }
  }
}
