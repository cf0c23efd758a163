package io.clbingress.operator.cli;

import io.clbingress.dataplane.DataPlane;
import io.clbingress.operator.Main;
import io.clbingress.operator.publish.ProblemGauge;
import io.clbingress.operator.publish.ProblemLog;
import io.clbingress.operator.publish.TableUpdater;
import io.clbingress.operator.standalone.FolderWatcher;
import io.clbingress.operator.standalone.ManifestFolder;
import io.clbingress.operator.translate.Settings;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Standalone mode: a folder of YAML instead of a cluster, the data plane in the same process. */
@Command(name = "standalone", mixinStandardHelpOptions = true,
    description = "Serve the Ingresses of a folder of Kubernetes YAML, without a cluster; re-applies within 1 s of a change.")
public final class StandaloneCommand implements Callable<Integer> {

  private static final Logger LOG = LogManager.getLogger(StandaloneCommand.class);

  @Option(names = "--manifests", required = true, defaultValue = "${env:CLB_MANIFESTS}", paramLabel = "DIR",
      description = "Folder of YAML files: Ingress, IngressClass, Service, EndpointSlice, Secret, CLBListener (env CLB_MANIFESTS).")
  Path manifests;

  @Mixin
  DataPlaneFlags dataPlaneFlags;

  @Mixin
  TranslationFlags translationFlags;

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(manifests) || !Files.isReadable(manifests)) {
      return Main.usageError("--manifests " + manifests + ": not a readable directory");
    }
    String invalid = dataPlaneFlags.invalid();
    if (invalid != null) {
      return Main.usageError(invalid);
    }
    Settings settings;
    try {
      settings = translationFlags.settings(true);
    } catch (IllegalArgumentException e) {
      return Main.usageError(e.getMessage());
    }
    Vertx vertx = Lifecycle.vertx(dataPlaneFlags.eventLoopCount(), dataPlaneFlags.transport());
    DataPlane dataPlane = Lifecycle.startDataPlane(vertx, dataPlaneFlags);
    if (dataPlane == null) {
      return 1;
    }
    LOG.info("standalone: serving {}", manifests.toAbsolutePath());
    TableUpdater updater = new TableUpdater(settings, dataPlane::apply,
        new ProblemLog().andThen(new ProblemGauge(dataPlane.metrics().registry())));
    FolderWatcher watcher = new FolderWatcher(new ManifestFolder(manifests, Clock.systemUTC()), manifests, updater::update);
    watcher.start();
    Lifecycle.runUntilStopped(() -> {
      watcher.close();
      dataPlane.shutdown();
      vertx.close();
    });
    return 0;
  }
}
