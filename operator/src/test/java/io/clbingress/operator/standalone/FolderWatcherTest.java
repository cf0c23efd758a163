package io.clbingress.operator.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.IngressInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderWatcherTest {

  @TempDir
  Path folder;
  FolderWatcher watcher;
  final AtomicReference<ClusterState> latest = new AtomicReference<>();

  @AfterEach
  void stop() {
    watcher.close();
  }

  @Test
  void changesAddsAndRemovalsArriveWithinOneSecond() throws Exception {
    // Given
    Files.writeString(folder.resolve("a.yaml"), ingress("a", "/a"));
    start();
    assertThat(paths()).containsExactly("/a");
    // When a file is changed, Then the new state arrives within 1 s
    Files.writeString(folder.resolve("a.yaml"), ingress("a", "/changed"));
    await().atMost(Duration.ofSeconds(1)).until(() -> paths().equals(List.of("/changed")));
    // When a file is added
    Files.writeString(folder.resolve("b.yml"), ingress("b", "/b"));
    await().atMost(Duration.ofSeconds(1)).until(() -> paths().size() == 2);
    // When a file is removed
    Files.delete(folder.resolve("a.yaml"));
    await().atMost(Duration.ofSeconds(1)).until(() -> paths().equals(List.of("/b")));
  }

  @Test
  void unparsableFileKeepsItsLastGoodContentAndOthersApply() throws Exception {
    // Given two good files
    Files.writeString(folder.resolve("a.yaml"), ingress("a", "/a"));
    Files.writeString(folder.resolve("b.yaml"), ingress("b", "/b"));
    start();
    // When one becomes invalid YAML and the other changes
    Files.writeString(folder.resolve("a.yaml"), "apiVersion: v1\nkind: [unclosed\n");
    Files.writeString(folder.resolve("b.yaml"), ingress("b", "/b2"));
    // Then the broken file's previous objects stay and the change applies
    await().atMost(Duration.ofSeconds(1)).until(() -> paths().contains("/b2"));
    assertThat(paths()).containsExactlyInAnyOrder("/a", "/b2");
  }

  @Test
  void wrongObjectInAFileIsReportedAndOtherFilesApply() throws Exception {
    // Given a file whose Ingress has a field of the wrong type, never good before
    Files.writeString(folder.resolve("bad.yaml"), """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: bad, namespace: default}
        spec: {rules: "not a list"}
        """);
    Files.writeString(folder.resolve("good.yaml"), ingress("good", "/good"));
    // When
    start();
    // Then
    assertThat(paths()).containsExactly("/good");
  }

  private void start() throws Exception {
    watcher = new FolderWatcher(new ManifestFolder(folder, Clock.systemUTC()), folder, latest::set);
    watcher.start();
  }

  private List<String> paths() {
    return latest.get().ingresses().stream()
        .flatMap(i -> i.rules().stream()).flatMap(r -> r.paths().stream())
        .map(IngressInfo.HttpPath::path).sorted().toList();
  }

  static String ingress(String name, String path) {
    return """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: %s, namespace: default}
        spec:
          rules:
          - http:
              paths: [{path: %s, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
        """.formatted(name, path);
  }
}
