package io.clbingress.operator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.clbingress.operator.Main;
import io.clbingress.operator.standalone.ManifestFolder;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.KubeObjects;
import io.clbingress.operator.translate.AnnotationCoverage;
import io.clbingress.operator.translate.AnnotationCoverage.Verdict;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code migrate}: what clb-ingress would do with the annotations of existing Ingresses (from a
 * folder or a cluster, whatever their class), per Ingress and annotation: honoured (with how the
 * accepted values differ), invalid here, or not honoured (and why). Exit code 3 when a
 * security-relevant annotation is not honoured, 0 otherwise, 2 for usage errors, 1 when the
 * Ingresses cannot be read.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = "Report, per Ingress and annotation, what clb-ingress honours (from --manifests DIR or a cluster)."
        + " Exit code 3 when a security-relevant annotation is not honoured.")
public final class MigrateCommand implements Callable<Integer> {

  /** A security-relevant annotation is not honoured. */
  static final int SECURITY_GAP = 3;

  @Option(names = "--manifests", defaultValue = "${env:CLB_MANIFESTS}", paramLabel = "DIR",
      description = "Folder of YAML files to read Ingresses from (env CLB_MANIFESTS).")
  Path manifests;

  @Option(names = "--kubeconfig", defaultValue = "${env:CLB_KUBECONFIG}", paramLabel = "FILE",
      description = "Read Ingresses from this cluster (default without --manifests: in-cluster or ~/.kube/config;"
          + " env CLB_KUBECONFIG).")
  Path kubeconfig;

  @Option(names = "--namespace", defaultValue = "${env:CLB_NAMESPACE}", paramLabel = "NS",
      description = "Only this namespace (default: all; env CLB_NAMESPACE).")
  String namespace;

  @Option(names = {"-o", "--output"}, defaultValue = "${env:CLB_OUTPUT:-text}", paramLabel = "FORMAT",
      description = "text or json (env CLB_OUTPUT).")
  String output;

  private final PrintStream out;

  public MigrateCommand() {
    this(System.out);
  }

  MigrateCommand(PrintStream out) {
    this.out = out;
  }

  /** One Ingress and what happens to each of its annotations. */
  record Report(String ingress, List<AnnotationCoverage> annotations) {
  }

  @Override
  public Integer call() throws Exception {
    if (!List.of("text", "json").contains(output)) {
      return Main.usageError("--output " + output + ": use text or json");
    }
    if (manifests != null && kubeconfig != null) {
      return Main.usageError("--manifests and --kubeconfig: give one source");
    }
    List<IngressInfo> ingresses;
    try {
      ingresses = manifests != null ? fromFolder() : fromCluster();
    } catch (IOException | KubernetesClientException e) {
      System.err.println("clb-ingress migrate: cannot read Ingresses: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      return Main.usageError(e.getMessage());
    }
    List<Report> reports = ingresses.stream()
        .filter(ingress -> namespace == null || namespace.equals(ingress.ref().namespace()))
        .sorted(Comparator.comparing(IngressInfo::ref))
        .map(ingress -> new Report(ingress.ref().namespace() + "/" + ingress.ref().name(), AnnotationCoverage.of(ingress)))
        .toList();
    if (output.equals("json")) {
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json(reports)));
    } else {
      printText(reports);
    }
    boolean gap = reports.stream().flatMap(report -> report.annotations().stream())
        .anyMatch(AnnotationCoverage::securityRelevant);
    return gap ? SECURITY_GAP : 0;
  }

  private List<IngressInfo> fromFolder() throws IOException {
    if (!Files.isDirectory(manifests)) {
      throw new IllegalArgumentException("--manifests " + manifests + ": not a readable directory");
    }
    ManifestFolder folder = new ManifestFolder(manifests, Clock.systemUTC());
    return folder.read(folder.scan()).ingresses();
  }

  private List<IngressInfo> fromCluster() throws IOException {
    if (kubeconfig != null && !Files.isReadable(kubeconfig)) {
      throw new IllegalArgumentException("--kubeconfig " + kubeconfig + ": not readable");
    }
    Config config = kubeconfig == null ? Config.autoConfigure(null) : Config.fromKubeconfig(Files.readString(kubeconfig));
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      List<Ingress> items = namespace == null
          ? client.network().v1().ingresses().inAnyNamespace().list().getItems()
          : client.network().v1().ingresses().inNamespace(namespace).list().getItems();
      Instant now = Instant.now();
      return items.stream().map(ingress -> KubeObjects.ingress(ingress, now)).toList();
    }
  }

  private void printText(List<Report> reports) {
    int[] counts = new int[Verdict.values().length];
    int security = 0;
    for (Report report : reports) {
      out.println("Ingress " + report.ingress() + (report.annotations().isEmpty() ? ": no annotations to report" : ""));
      for (AnnotationCoverage annotation : report.annotations()) {
        counts[annotation.verdict().ordinal()]++;
        security += annotation.securityRelevant() ? 1 : 0;
        String verdict = annotation.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        out.println("  " + annotation.key() + ": " + verdict + (annotation.note().isEmpty() ? "" : " - " + annotation.note()));
      }
    }
    out.printf("%d Ingresses: %d annotations honoured, %d invalid here, %d not honoured (%d security-relevant)%n",
        reports.size(), counts[Verdict.HONOURED.ordinal()], counts[Verdict.INVALID.ordinal()],
        counts[Verdict.NOT_HONOURED.ordinal()], security);
  }

  private static List<Map<String, Object>> json(List<Report> reports) {
    List<Map<String, Object>> ingresses = new ArrayList<>();
    for (Report report : reports) {
      List<Map<String, Object>> annotations = new ArrayList<>();
      for (AnnotationCoverage annotation : report.annotations()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", annotation.key());
        entry.put("value", annotation.value());
        entry.put("verdict", annotation.verdict().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        entry.put("note", annotation.note());
        entry.put("securityRelevant", annotation.securityRelevant());
        annotations.add(entry);
      }
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("ingress", report.ingress());
      entry.put("annotations", annotations);
      ingresses.add(entry);
    }
    return ingresses;
  }
}
