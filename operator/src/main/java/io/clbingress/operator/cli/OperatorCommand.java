package io.clbingress.operator.cli;

import io.clbingress.dataplane.NetTransport;
import io.clbingress.operator.Main;
import io.clbingress.operator.kube.KubernetesSource;
import io.clbingress.operator.publish.ConfigServer;
import io.clbingress.operator.publish.ProblemGauge;
import io.clbingress.operator.publish.ProblemLog;
import io.clbingress.operator.publish.TableUpdater;
import io.clbingress.operator.status.IngressStatusWriter;
import io.clbingress.operator.status.Leadership;
import io.clbingress.operator.status.ListenerStatusWriter;
import io.clbingress.operator.status.ProblemEvents;
import io.clbingress.operator.status.PublishAddress;
import io.clbingress.operator.status.StatusReporter;
import io.clbingress.operator.translate.Settings;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Operator mode: watches a cluster and serves routing tables to data planes. */
@Command(name = "operator", mixinStandardHelpOptions = true,
    description = "Watch a Kubernetes cluster and program data planes over the control channel.")
public final class OperatorCommand implements Callable<Integer> {

  private static final Logger LOG = LogManager.getLogger(OperatorCommand.class);

  @Option(names = "--kubeconfig", defaultValue = "${env:CLB_KUBECONFIG}", paramLabel = "FILE",
      description = "Kubeconfig; in-cluster configuration (or ~/.kube/config) when absent (env CLB_KUBECONFIG).")
  Path kubeconfig;

  @Option(names = "--watch-namespace", defaultValue = "${env:CLB_WATCH_NAMESPACE}", paramLabel = "NS",
      description = "Only watch this namespace (env CLB_WATCH_NAMESPACE; default: all).")
  String watchNamespace;

  @Option(names = "--config-port", defaultValue = "${env:CLB_CONFIG_PORT:-18000}", paramLabel = "PORT",
      description = "Port of the control channel data planes connect to (env CLB_CONFIG_PORT; default ${DEFAULT-VALUE}).")
  int configPort;

  @Option(names = "--config-address", defaultValue = "${env:CLB_CONFIG_ADDRESS:-0.0.0.0}", paramLabel = "IP",
      description = "Address of the control channel (env CLB_CONFIG_ADDRESS; default ${DEFAULT-VALUE}).")
  String configAddress;

  @Option(names = "--config-tls-cert", defaultValue = "${env:CLB_CONFIG_TLS_CERT}", paramLabel = "FILE",
      description = "PEM certificate: serve the control channel over TLS (wss://); with --config-tls-key (env CLB_CONFIG_TLS_CERT).")
  Path configTlsCert;

  @Option(names = "--config-tls-key", defaultValue = "${env:CLB_CONFIG_TLS_KEY}", paramLabel = "FILE",
      description = "PEM private key of --config-tls-cert (env CLB_CONFIG_TLS_KEY).")
  Path configTlsKey;

  @Option(names = "--publish-service", defaultValue = "${env:CLB_PUBLISH_SERVICE}", paramLabel = "NS/NAME",
      description = "The data plane's Service, whose address goes into Ingress status (env CLB_PUBLISH_SERVICE).")
  String publishService;

  @Option(names = "--publish-address", defaultValue = "${env:CLB_PUBLISH_ADDRESS}", paramLabel = "IP",
      description = "Address (or host name) that goes into Ingress status, instead of --publish-service (env CLB_PUBLISH_ADDRESS).")
  String publishAddress;

  @Option(names = "--election-namespace", defaultValue = "${env:CLB_ELECTION_NAMESPACE:-${env:POD_NAMESPACE:-default}}",
      paramLabel = "NS", description = "Namespace of the leader election Lease (env CLB_ELECTION_NAMESPACE, else POD_NAMESPACE; default ${DEFAULT-VALUE}).")
  String electionNamespace;

  @Mixin
  TokenFlag tokenFlag;

  @Mixin
  TranslationFlags translationFlags;

  @Override
  public Integer call() throws Exception {
    if (configPort < 1 || configPort > 65535) {
      return Main.usageError("--config-port " + configPort + ": not a port (1-65535)");
    }
    if (kubeconfig != null && !Files.isReadable(kubeconfig)) {
      return Main.usageError("--kubeconfig " + kubeconfig + ": not readable");
    }
    if ((configTlsCert == null) != (configTlsKey == null)) {
      return Main.usageError("--config-tls-cert and --config-tls-key go together");
    }
    for (Path file : new Path[] {configTlsCert, configTlsKey}) {
      if (file != null && !Files.isReadable(file)) {
        return Main.usageError(file + ": not readable");
      }
    }
    if (publishService != null && !publishService.matches("[^/]+/[^/]+")) {
      return Main.usageError("--publish-service " + publishService + ": expected NAMESPACE/NAME");
    }
    String token = tokenFlag.tokenOrNull();
    if (token == null) {
      return 2;
    }
    Settings settings;
    try {
      settings = translationFlags.settings(false);
    } catch (IllegalArgumentException e) {
      return Main.usageError(e.getMessage());
    }
    Config config = kubeconfig == null ? Config.autoConfigure(null) : Config.fromKubeconfig(Files.readString(kubeconfig));
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    Vertx vertx = Lifecycle.vertx(1, NetTransport.EPOLL);
    ConfigServer server = new ConfigServer(vertx, token);
    int port;
    try {
      PemKeyCertOptions tls = configTlsCert == null ? null
          : new PemKeyCertOptions().setCertPath(configTlsCert.toString()).setKeyPath(configTlsKey.toString());
      port = server.listen(configAddress, configPort, tls).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      System.err.println("clb-ingress: cannot open the control channel on " + configAddress + ":" + configPort + ": "
          + (e.getCause() == null ? e : e.getCause()).getMessage());
      vertx.close();
      client.close();
      return 1;
    }
    LOG.info("operator: control channel on {}://{}:{}, watching {} at {}", configTlsCert == null ? "ws" : "wss",
        configAddress, port,
        watchNamespace == null ? "all namespaces" : "namespace " + watchNamespace, config.getMasterUrl());
    KubernetesSource source = new KubernetesSource(client, watchNamespace);
    StatusReporter status = new StatusReporter(new IngressStatusWriter(client, publishAddress(client)),
        new ListenerStatusWriter(client, Clock.systemUTC()), new ProblemEvents(client, Clock.systemUTC()), source);
    TableUpdater updater = new TableUpdater(settings, server,
        new ProblemLog().andThen(new ProblemGauge(server.metrics())).andThen(status));
    Leadership leadership = new Leadership(client, electionNamespace, identity(), status::startedLeading,
        status::stoppedLeading);
    leadership.start();
    source.start(updater::update).whenComplete((ok, failure) -> {
      if (failure != null) {
        LOG.error("operator: cannot list the cluster's objects: {}", failure.toString());
      }
    });
    Lifecycle.runUntilStopped(() -> {
      leadership.close();
      status.close();
      source.close();
      server.close();
      vertx.close();
      client.close();
    });
    return 0;
  }

  private Supplier<List<LoadBalancerIngress>> publishAddress(KubernetesClient client) {
    if (publishAddress != null) {
      return PublishAddress.fixed(publishAddress);
    }
    if (publishService != null) {
      String[] parts = publishService.split("/");
      return PublishAddress.ofService(client, parts[0], parts[1]);
    }
    return PublishAddress.none();
  }

  private static String identity() {
    String host = System.getenv().getOrDefault("HOSTNAME", "operator");
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
