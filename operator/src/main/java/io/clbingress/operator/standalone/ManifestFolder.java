package io.clbingress.operator.standalone;

import io.clbingress.dataplane.util.Capacity;
import io.clbingress.operator.crd.CLBListener;
import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.EndpointSliceInfo;
import io.clbingress.operator.state.IngressClassInfo;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.KubeObjects;
import io.clbingress.operator.state.ListenerInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.SecretInfo;
import io.clbingress.operator.state.ServiceInfo;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The folder of YAML files behind standalone mode, read into a {@link ClusterState}. A file that
 * cannot be parsed is reported and its last good content is kept, so one broken edit loses
 * nothing. Objects without a creationTimestamp get the time they were first seen, which stands
 * in for the API server's and keeps "oldest wins" stable across reloads; an object removed from
 * every file is forgotten (re-added, it is seen anew, as a re-created object gets a new
 * creationTimestamp).
 */
public final class ManifestFolder {

  private static final Logger LOG = LogManager.getLogger(ManifestFolder.class);

  /** What identifies a version of a file without reading it. */
  record Fingerprint(long size, Instant modified, Object fileKey) {
  }

  /** A file's objects, converted once when the file is read (a change of another file costs nothing here). */
  private record FileContent(Fingerprint fingerprint, Records records) {
  }

  /** The records of one file, by kind. */
  private record Records(List<IngressInfo> ingresses, List<IngressClassInfo> classes, List<ServiceInfo> services,
      List<EndpointSliceInfo> slices, List<ListenerInfo> listeners, List<SecretInfo> secrets) {
    static final Records NONE = new Records(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

    /**
     * These records, where one equals a record of {@code before} that very record: the objects a
     * rewrite of a file did not change stay the same objects, so translation takes over their work.
     */
    Records keeping(Records before) {
      return new Records(keeping(ingresses, before.ingresses), keeping(classes, before.classes),
          keeping(services, before.services), keeping(slices, before.slices), keeping(listeners, before.listeners),
          keeping(secrets, before.secrets));
    }

    private static <T> List<T> keeping(List<T> fresh, List<T> before) {
      Map<T, T> known = new HashMap<>();
      before.forEach(record -> known.putIfAbsent(record, record));
      return fresh.stream().map(record -> known.getOrDefault(record, record)).toList();
    }
  }

  private final Path directory;
  private final Clock clock;
  private final ManifestParser parser = new ManifestParser();
  private final Map<Path, FileContent> files = new TreeMap<>();
  /**
   * When each Ingress and CLBListener was first seen. Entries of objects no file holds any more are
   * dropped once they could outnumber the objects held ({@link #forgetGone}): at most twice the
   * folder's Ingresses and CLBListeners, plus {@link #FORGET_SLACK}.
   */
  private final Map<ObjectRef, Instant> firstSeen = new HashMap<>();
  static final int FORGET_SLACK = 64;

  public ManifestFolder(Path directory, Clock clock) {
    this.directory = directory;
    this.clock = clock;
  }

  /** Fingerprints of the YAML files now in the folder, to tell cheaply whether anything changed. */
  public Map<Path, Fingerprint> scan() throws IOException {
    Map<Path, Fingerprint> found = new TreeMap<>();
    try (Stream<Path> entries = Files.list(directory)) {
      for (Path file : entries.filter(ManifestFolder::isYaml).toList()) {
        try {
          BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
          found.put(file, new Fingerprint(attributes.size(), attributes.lastModifiedTime().toInstant(),
              attributes.fileKey()));
        } catch (IOException e) {
          LOG.debug("{} vanished while scanning: {}", file, e.toString());
        }
      }
    }
    return found;
  }

  /**
   * Re-reads the files whose fingerprint changed and returns the state of the whole folder. The
   * changed files are parsed in parallel (the common fork-join pool: parsing YAML is most of what
   * a large folder costs); their records are made and their errors logged one after another, in
   * file-name order.
   */
  public ClusterState read(Map<Path, Fingerprint> scanned) {
    files.keySet().retainAll(scanned.keySet());
    parser.retainOnly(scanned.keySet());
    List<Path> changed = scanned.entrySet().stream()
        .filter(entry -> files.get(entry.getKey()) == null
            || !files.get(entry.getKey()).fingerprint().equals(entry.getValue()))
        .map(Map.Entry::getKey)
        .toList();
    long started = System.nanoTime();
    List<Parsed> parsed = changed.parallelStream().map(this::parse).toList();
    LOG.debug("{} changed files of {} parsed in {} ms", changed.size(), scanned.size(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    for (Parsed file : parsed) {
      Fingerprint fingerprint = scanned.get(file.path());
      FileContent known = files.get(file.path());
      if (file.error() == null) {
        Records records = convert(file.objects());
        files.put(file.path(), new FileContent(fingerprint, known == null ? records : records.keeping(known.records())));
        LOG.debug("{}: {} objects", file.path(), file.objects().size());
      } else {
        LOG.error("{}; {}", file.error().getMessage(), known == null ? "nothing from this file applies"
            : "its previous content stays in force");
        // Remember the broken fingerprint so the error is logged once, not on every scan.
        files.put(file.path(), new FileContent(fingerprint, known == null ? Records.NONE : known.records()));
      }
    }
    ClusterState state = state();
    forgetGone(state);
    return state;
  }

  /** Drops the first sightings of objects no file holds, when there may be as many of them as of objects held. */
  private void forgetGone(ClusterState state) {
    int held = state.ingresses().size() + state.listeners().size();
    if (firstSeen.size() <= 2 * held + FORGET_SLACK) {
      return;
    }
    Set<ObjectRef> refs = new HashSet<>(Capacity.forEntries(held));
    state.ingresses().forEach(ingress -> refs.add(ingress.ref()));
    state.listeners().forEach(listener -> refs.add(listener.ref()));
    firstSeen.keySet().retainAll(refs);
  }

  /** How many first sightings are remembered (for tests: bounded by the objects held). */
  int firstSightings() {
    return firstSeen.size();
  }

  /** One file's objects, or why it could not be read. */
  private record Parsed(Path path, List<HasMetadata> objects, ManifestException error) {
  }

  private Parsed parse(Path file) {
    try {
      return new Parsed(file, parser.parse(file), null);
    } catch (ManifestException e) {
      return new Parsed(file, List.of(), e);
    }
  }

  /** A file's objects as records; each object's first sighting stands in for a missing creationTimestamp. */
  private Records convert(List<HasMetadata> objects) {
    List<IngressInfo> ingresses = new ArrayList<>();
    List<IngressClassInfo> classes = new ArrayList<>();
    List<ServiceInfo> services = new ArrayList<>();
    List<EndpointSliceInfo> slices = new ArrayList<>();
    List<ListenerInfo> listeners = new ArrayList<>();
    List<SecretInfo> secrets = new ArrayList<>();
    Instant now = clock.instant();
    for (HasMetadata object : objects) {
      if (object instanceof Ingress ingress) {
        ingresses.add(KubeObjects.ingress(ingress, firstSeen.computeIfAbsent(KubeObjects.ref(object), r -> now)));
      } else if (object instanceof IngressClass ingressClass) {
        classes.add(KubeObjects.ingressClass(ingressClass));
      } else if (object instanceof Service service) {
        services.add(KubeObjects.service(service));
      } else if (object instanceof EndpointSlice slice) {
        slices.add(KubeObjects.endpointSlice(slice));
      } else if (object instanceof Secret secret) {
        secrets.add(KubeObjects.secret(secret));
      } else if (object instanceof CLBListener listener) {
        listeners.add(KubeObjects.listener(listener, firstSeen.computeIfAbsent(KubeObjects.ref(object), r -> now)));
      }
    }
    return new Records(List.copyOf(ingresses), List.copyOf(classes), List.copyOf(services), List.copyOf(slices),
        List.copyOf(listeners), List.copyOf(secrets));
  }

  private ClusterState state() {
    List<Records> all = files.values().stream().map(FileContent::records).toList();
    return new ClusterState(every(all, Records::ingresses), every(all, Records::classes), every(all, Records::services),
        every(all, Records::slices), every(all, Records::listeners), every(all, Records::secrets));
  }

  private static <T> List<T> every(List<Records> all, Function<Records, List<T>> kind) {
    return all.stream().flatMap(records -> kind.apply(records).stream()).toList();
  }

  private static boolean isYaml(Path file) {
    String name = file.getFileName().toString();
    return (name.endsWith(".yaml") || name.endsWith(".yml")) && !name.startsWith(".") && Files.isRegularFile(file);
  }
}
