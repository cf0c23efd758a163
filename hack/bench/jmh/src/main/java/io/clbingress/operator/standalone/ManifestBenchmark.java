package io.clbingress.operator.standalone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Standalone mode reading a folder it has not read before: 10,000 Ingresses, each with its Service and
 * EndpointSlice, in files of 100 Ingresses (300 documents), as hack/bench/apply-10k.py writes
 * them; "readFolder" parses every file (in parallel, as {@link ManifestFolder#read} does) and makes
 * the records translation takes. What the first reading of a large folder costs before
 * translation; run with {@code -prof gc} for the bytes allocated (SnakeYAML's share is most).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime) // about a second each: one reading is one measurement
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 10)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class ManifestBenchmark {

  /** Ingresses in the folder. */
  static final int INGRESSES = 10_000;

  Path folder;

  @Setup
  public void setUp() throws IOException {
    folder = Files.createTempDirectory("clb-manifests");
    for (int file = 0; file * 100 < INGRESSES; file++) {
      StringBuilder text = new StringBuilder();
      for (int i = file * 100; i < Math.min(INGRESSES, file * 100 + 100); i++) {
        text.append(documents(i));
      }
      Files.writeString(folder.resolve(String.format("ingresses-%03d.yaml", file)), text);
    }
  }

  @TearDown
  public void tearDown() throws IOException {
    try (var files = Files.list(folder)) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
    }
    Files.delete(folder);
  }

  /** Ingress i, its Service and its EndpointSlice, as apply-10k.py writes them. */
  private static String documents(int i) {
    return """
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: app-%1$d, namespace: bench}
        spec:
          ingressClassName: clb
          rules:
          - host: app-%1$d.bench
            http:
              paths: [{path: /, pathType: Prefix, backend: {service: {name: app-%1$d, port: {number: 80}}}}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: app-%1$d, namespace: bench}
        spec: {ports: [{name: http, port: 80}]}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: app-%1$d-1, namespace: bench, labels: {kubernetes.io/service-name: app-%1$d}}
        addressType: IPv4
        ports: [{name: http, port: 8080}]
        endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
        """.formatted(i);
  }

  @Benchmark
  public Object readFolder() throws IOException {
    ManifestFolder manifests = new ManifestFolder(folder, Clock.systemUTC());
    return manifests.read(manifests.scan());
  }
}
