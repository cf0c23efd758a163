package io.clbingress.operator.standalone;

import static io.clbingress.operator.standalone.FolderWatcherTest.ingress;
import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.IngressInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first sightings that stand in for a missing creationTimestamp: kept while a file holds the
 * object (whichever file), forgotten once no file does, and never more than the objects held allow.
 */
class ManifestFolderTest {

  @TempDir
  Path folder;
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  };

  @Test
  void anIngressKeepsItsFirstSightingWhileAFileHoldsItAndIsSeenAnewOnceGone() throws Exception {
    ManifestFolder manifests = new ManifestFolder(folder, clock);
    write("a.yaml", ingress("chat", "/a"));
    Instant first = now.get();
    assertThat(created(read(manifests), "chat")).isEqualTo(first);
    // rewritten, then moved to another file: the same object
    write("a.yaml", ingress("chat", "/changed"));
    assertThat(created(read(manifests), "chat")).isEqualTo(first);
    Files.delete(folder.resolve("a.yaml"));
    write("b.yaml", ingress("chat", "/changed"));
    assertThat(created(read(manifests), "chat")).isEqualTo(first);
    // removed from every file while other objects come and go, then written again: a new object
    Files.delete(folder.resolve("b.yaml"));
    for (int i = 0; i < 2 * ManifestFolder.FORGET_SLACK; i++) {
      write("other.yaml", ingress("other-" + i, "/o"));
      read(manifests);
    }
    write("b.yaml", ingress("chat", "/changed"));
    assertThat(created(read(manifests), "chat")).isEqualTo(now.get()).isNotEqualTo(first);
  }

  @Test
  void firstSightingsAreBoundedByTheObjectsHeld() throws Exception {
    ManifestFolder manifests = new ManifestFolder(folder, clock);
    write("kept.yaml", ingress("kept", "/k"));
    for (int i = 0; i < 1_000; i++) {
      write("renamed.yaml", ingress("renamed-" + i, "/r"));
      assertThat(read(manifests).ingresses()).hasSize(2);
      assertThat(manifests.firstSightings()).isLessThanOrEqualTo(2 * 2 + ManifestFolder.FORGET_SLACK);
    }
  }

  private ClusterState read(ManifestFolder manifests) throws IOException {
    return manifests.read(manifests.scan());
  }

  /**
   * Writes a file a second after the last: the clock moves on, and the file's modification time is
   * set to it (a rewrite of the same size within the file system's time granularity would look unchanged).
   */
  private void write(String name, String text) throws IOException {
    now.set(now.get().plusSeconds(1));
    Path file = folder.resolve(name);
    Files.writeString(file, text);
    Files.setLastModifiedTime(file, FileTime.from(now.get()));
  }

  private static Instant created(ClusterState state, String name) {
    return state.ingresses().stream().filter(i -> i.ref().name().equals(name)).map(IngressInfo::created)
        .findFirst().orElseThrow();
  }
}
