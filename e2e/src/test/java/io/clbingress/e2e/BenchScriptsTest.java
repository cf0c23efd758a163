package io.clbingress.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks of hack/bench still run: hack/bench/run-all.sh (every bench script, against nginx,
 * HAProxy and clb-ingress) for one second per measurement, and its table has every row with a figure
 * for every proxy. Nothing here is about speed: a benchmark only has to measure something, without
 * errors.
 */
class BenchScriptsTest {

  /** The rows of run-all.sh's table, in order. */
  private static final List<String> ROWS = List.of(
      "HTTP keep-alive req/s", "HTTP keep-alive p99 ms", "HTTP keep-alive errors",
      "HTTP new connection per request req/s", "HTTP new connection per request p99 ms",
      "HTTP new connection per request errors",
      "HTTPS keep-alive req/s", "HTTPS keep-alive p99 ms", "HTTPS keep-alive errors",
      "HTTPS new connection per request req/s", "HTTPS new connection per request p99 ms",
      "HTTPS new connection per request errors",
      "TLS 1.3 full handshakes/s", "TLS 1.3 full proxy CPU ms per 1,000 handshakes",
      "TLS 1.2 full handshakes/s", "TLS 1.2 full proxy CPU ms per 1,000 handshakes",
      "TLS 1.2 resumed handshakes/s", "TLS 1.2 resumed proxy CPU ms per 1,000 handshakes",
      "WebSocket echo msg/s", "WebSocket echo p99 ms", "WebSocket echo errors",
      "idle WebSocket RSS KiB/conn", "idle WebSocket live heap KiB/conn", "idle WebSocket errors");

  private static final String HEADER = "| metric | nginx | haproxy | × nginx | clb-ingress | × nginx |";

  @Test
  void runAllPrintsEveryRowForEveryProxy() throws Exception {
    for (String tool : List.of("wrk", "nginx", "haproxy", "openssl", "taskset", "python3", "jcmd", "node", "curl")) {
      assumeTrue(Processes.available(tool), tool + " is not installed (.ci/run installs it)");
    }
    Path root = Path.of(System.getProperty("clb.e2e.dir", ".")).resolve("..").normalize();
    assumeTrue(Files.isRegularFile(root.resolve("e2e/node_modules/ws/package.json")),
        "the npm ws package is not installed (cd e2e && npm ci)");
    assumeTrue(Files.isRegularFile(root.resolve("operator/target/clb-ingress.jar")), "the jar is not built");

    Processes.Run run = Processes.run(root,
        List.of("hack/bench/run-all.sh", "-r", "1", "-d", "1s", "-w", "0", "-c", "8", "-n", "20"), 300);

    String output = run.stdout() + run.stderr();
    assertThat(run.exitCode()).as(output).isZero();
    List<String> lines = run.stdout().lines().toList();
    assertThat(lines).as(output).containsOnlyOnce(HEADER);
    Map<String, List<String>> cells = lines.stream().skip(lines.indexOf(HEADER) + 2L)
        .takeWhile(line -> line.startsWith("|")).map(BenchScriptsTest::cells)
        .collect(Collectors.toMap(row -> row.get(0).replaceAll(" \\((total of )?1 round\\)$", ""),
            row -> row.subList(1, row.size()), (a, b) -> {
              throw new AssertionError("a row twice in\n" + output);
            }, LinkedHashMap::new));
    assertThat(cells.keySet()).as(output).containsExactlyElementsOf(ROWS);

    cells.forEach((row, figures) -> {
      // figures: nginx, haproxy, ratio, clb-ingress, ratio
      List<String> measured = row.contains("live heap") ? List.of(figures.get(3))
          : List.of(figures.get(0), figures.get(1), figures.get(3));
      for (String figure : measured) {
        double value = number(figure);
        if (row.endsWith("errors")) {
          assertThat(value).as(row + " in\n" + output).isZero();
        } else if (row.endsWith("req/s") || row.endsWith("msg/s") || row.endsWith("handshakes/s") || row.endsWith("p99 ms")
            || row.endsWith("1,000 handshakes")) {
          assertThat(value).as(row + " in\n" + output).isPositive();
        }
      }
    });
  }

  /**
   * hack/bench/jvm-compare.sh with two JVM configurations of the JDK that runs the tests, for a
   * second each: every row has a figure for nginx and both, and no errors.
   */
  @Test
  void jvmCompareMeasuresEveryConfiguration() throws Exception {
    Path root = repositoryWith("wrk", "nginx", "taskset", "python3", "jcmd", "curl");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    Processes.Run run = Processes.run(root, List.of("hack/bench/jvm-compare.sh", "-r", "1", "-d", "1s", "-w", "0",
        "-c", "8", "serial=" + java + ":-XX:+UseSerialGC", "parallel=" + java + ":-XX:+UseParallelGC"), 300);

    String output = run.stdout() + run.stderr();
    List<List<String>> rows = tableRows(run, "| metric | nginx | serial | × nginx | parallel | × nginx |");
    assertThat(rows.stream().map(row -> row.get(0).replaceAll(" \\((total of )?1 round\\)$", "")))
        .as(output).containsExactly("HTTP keep-alive req/s", "HTTP keep-alive p99 ms", "HTTP keep-alive errors",
            "HTTP new connection per request req/s", "HTTP new connection per request p99 ms",
            "HTTP new connection per request errors", "idle after the rounds: RSS KiB",
            "idle after the rounds: live heap KiB");
    for (List<String> row : rows) {
      for (String figure : List.of(row.get(2), row.get(4))) {
        assertThat(number(figure)).as(row + " in\n" + output).matches(value -> row.get(0).contains("errors")
            ? value == 0 : value > 0);
      }
    }
  }

  /**
   * hack/bench/transport-compare.sh with io_uring, io_uring under the pods' seccomp profile and
   * epoll for a second each: every row has a figure for nginx and the three processes, and no
   * errors (where io_uring cannot be used its process runs on epoll, and says so in its log).
   */
  @Test
  void transportCompareMeasuresEveryTransport() throws Exception {
    Path root = repositoryWith("wrk", "nginx", "taskset", "python3", "jcmd", "curl");

    Processes.Run run = Processes.run(root, List.of("hack/bench/transport-compare.sh", "-r", "1", "-d", "1s", "-w",
        "0", "-c", "8", "io_uring", "io_uring+seccomp", "epoll"), 300);

    String output = run.stdout() + run.stderr();
    assertThat(run.stdout()).as(output).contains("# epoll: ").contains("socket transport: epoll")
        .contains("# io_uring+seccomp: ");
    List<List<String>> rows = tableRows(run,
        "| metric | nginx | io_uring | × nginx | io_uring+seccomp | × nginx | epoll | × nginx |");
    assertThat(rows).as(output).hasSize(8);
    for (List<String> row : rows) {
      for (String figure : List.of(row.get(2), row.get(4), row.get(6))) {
        assertThat(number(figure)).as(row + " in\n" + output).matches(value -> row.get(0).contains("errors")
            ? value == 0 : value > 0);
      }
    }
  }

  /**
   * hack/bench/tls-handshakes.sh with BENCH_KEY=ecdsa for a second per round: the certificate the
   * three proxies are given is ECDSA P-256, and every row, named for the key, has a figure for
   * each; a key type it does not know is refused naming it.
   */
  @Test
  void tlsHandshakesMeasureAnEcdsaCertificateToo() throws Exception {
    Path root = repositoryWith("nginx", "haproxy", "openssl", "taskset", "python3", "curl");

    Processes.Run run = Processes.run(root, List.of("env", "BENCH_KEY=ecdsa", "hack/bench/tls-handshakes.sh", "-r", "1",
        "-d", "1s", "-w", "0"), 300);

    String output = run.stdout() + run.stderr();
    List<List<String>> rows = tableRows(run, HEADER);
    assertThat(rows).as(output).extracting(row -> row.get(0)).containsExactly(
        "TLS 1.3 full ECDSA handshakes/s (1 round)", "TLS 1.3 full ECDSA proxy CPU ms per 1,000 handshakes (1 round)",
        "TLS 1.2 full ECDSA handshakes/s (1 round)", "TLS 1.2 full ECDSA proxy CPU ms per 1,000 handshakes (1 round)",
        "TLS 1.2 resumed ECDSA handshakes/s (1 round)",
        "TLS 1.2 resumed ECDSA proxy CPU ms per 1,000 handshakes (1 round)");
    for (List<String> row : rows) {
      for (String figure : List.of(row.get(1), row.get(2), row.get(4))) {
        assertThat(number(figure)).as(row + " in\n" + output).isPositive();
      }
    }
    Path certificate = Path.of(run.stdout().lines().filter(line -> line.startsWith("# tls-handshakes: ")).findFirst()
        .orElseThrow().replaceAll(".*raw output in ", "")).resolve("cert.pem");
    assertThat(Processes.run(root, List.of("openssl", "x509", "-noout", "-text", "-in", certificate.toString()), 30)
        .stdout()).contains("id-ecPublicKey").contains("prime256v1");

    Processes.Run refused = Processes.run(root, List.of("env", "BENCH_KEY=dsa", "hack/bench/tls-handshakes.sh", "-r", "1",
        "-d", "1s", "-w", "0"), 60);
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.stderr()).contains("BENCH_KEY must be rsa or ecdsa, not dsa");
  }

  /**
   * hack/bench/observability-cost.sh for a second per round: every row has a figure for nginx and
   * the four clb-ingress processes (the script itself checks that access log lines were written and
   * the OTLP sink received spans), and no errors.
   */
  @Test
  void observabilityCostMeasuresTheAccessLogAndTracing() throws Exception {
    Path root = repositoryWith("wrk", "nginx", "taskset", "python3", "curl");

    Processes.Run run = Processes.run(root, List.of("hack/bench/observability-cost.sh", "-r", "1", "-d", "1s", "-w",
        "0", "-c", "8"), 300);

    String output = run.stdout() + run.stderr();
    assertThat(output).contains("# access log lines written: ");
    List<List<String>> rows = tableRows(run, "| metric | nginx | log-off | × nginx | log-json | × nginx | trace-1.0 | × nginx"
        + " | trace-0.01 | × nginx |");
    assertThat(rows).as(output).hasSize(6);
    for (List<String> row : rows) {
      for (String figure : List.of(row.get(1), row.get(2), row.get(4), row.get(6), row.get(8))) {
        assertThat(number(figure)).as(row + " in\n" + output).matches(value -> row.get(0).contains("errors")
            ? value == 0 : value > 0);
      }
    }
  }

  /**
   * hack/bench/policy-cost.sh for a second per round: every row has a figure for nginx and both
   * clb-ingress processes (the script itself checks that the one with policies answers with CORS
   * headers), and no errors.
   */
  @Test
  void policyCostMeasuresARouteWithAndWithoutPolicies() throws Exception {
    Path root = repositoryWith("wrk", "nginx", "taskset", "python3", "curl");

    Processes.Run run = Processes.run(root, List.of("hack/bench/policy-cost.sh", "-r", "1", "-d", "1s", "-w", "0",
        "-c", "8"), 300);

    String output = run.stdout() + run.stderr();
    List<List<String>> rows = tableRows(run, "| metric | nginx | no-policy | × nginx | allowlist+cors | × nginx |");
    assertThat(rows).as(output).hasSize(6);
    for (List<String> row : rows) {
      for (String figure : List.of(row.get(1), row.get(2), row.get(4))) {
        assertThat(number(figure)).as(row + " in\n" + output).matches(value -> row.get(0).contains("errors")
            ? value == 0 : value > 0);
      }
    }
  }

  /**
   * hack/bench/apply-10k.sh with 50 Ingresses in 2 files, one round, two seconds of steady-state
   * changes, wrk for a second: every row has a figure, and wrk saw no errors while an Ingress
   * changed every second.
   */
  @Test
  void applyBenchmarkMeasuresEveryStep() throws Exception {
    Path root = repositoryWith("wrk", "nginx", "taskset", "python3", "curl");

    Processes.Run run = Processes.run(root, List.of("hack/bench/apply-10k.sh", "-r", "1", "-d", "1s", "-w", "0",
        "-c", "8", "-n", "50", "-f", "2", "-s", "2"), 300);

    String output = run.stdout() + run.stderr();
    List<List<String>> rows = tableRows(run, "| metric | nginx | clb-ingress | × nginx |");
    assertThat(rows.stream().map(row -> row.get(0).replaceAll(" \\((total of )?[0-9]+ rounds?\\)$", "")))
        .as(output).contains("50 Ingresses written -> served ms", "50 Ingresses written: CPU ms",
            "one of 50 changed -> served ms", "one of 50 changed: CPU ms", "one of 50 changed under load -> served ms",
            "one of 50 changed one a second, no load -> served ms",
            "one of 50 changed one a second, no load: CPU ms per change",
            "one route, no change req/s", "one route, a change a second req/s",
            "one route, no change errors", "one route, a change a second errors",
            "one route: req/s dip with a change a second %");
    for (List<String> row : rows) {
      if (row.get(0).contains("errors")) {
        assertThat(number(row.get(2))).as(row + " in\n" + output).isZero();
      } else if (!row.get(0).contains("dip")) {
        assertThat(number(row.get(2))).as(row + " in\n" + output).isNotNegative();
      }
    }
  }

  /**
   * hack/bench/alloc.sh for two seconds per window after no warm-up: it gives CPU time per request,
   * counts the requests, gives bytes per request, and names allocation sites and CPU frames.
   */
  @Test
  void allocationProfileNamesBytesPerRequest() throws Exception {
    Path root = repositoryWith("wrk", "nginx", "taskset", "python3", "curl", "jcmd", "jfr");

    Processes.Run run = Processes.run(root, List.of("hack/bench/alloc.sh", "-d", "2s", "-w", "0", "-c", "8"), 300);

    String output = run.stdout() + run.stderr();
    assertThat(output).as(output).containsPattern("CPU per request: [0-9.]+ us")
        .containsPattern("requests: [1-9][0-9]*")
        .containsPattern("bytes allocated per request: [1-9][0-9]*")
        .contains("top allocation sites", "top CPU frames");
  }

  /**
   * hack/bench/syscalls.sh for a second per mode after no warm-up: it counts the requests of both
   * modes and gives the system calls per request, a new connection's accept among them.
   */
  @Test
  void syscallCountNamesCallsPerRequest() throws Exception {
    Path root = repositoryWith("wrk", "nginx", "taskset", "curl", "strace");

    Processes.Run run = Processes.run(root, List.of("hack/bench/syscalls.sh", "-d", "1s", "-w", "0", "-c", "8"), 300);

    String output = run.stdout() + run.stderr();
    assertThat(output).as(output).containsPattern("keep-alive: [1-9][0-9]* requests")
        .containsPattern("new-connection: [1-9][0-9]* requests")
        // a new connection's accept: its own call on epoll, submitted with the rest on io_uring
        .containsPattern("(accept4|io_uring_enter) +[0-9.]+")
        .containsPattern("total +[1-9][0-9.]*");
  }

  /** The repository's root, once the tools are installed and the jar is built (the test is skipped otherwise). */
  private static Path repositoryWith(String... tools) {
    for (String tool : tools) {
      assumeTrue(Processes.available(tool), tool + " is not installed (.ci/run installs it)");
    }
    Path root = Path.of(System.getProperty("clb.e2e.dir", ".")).resolve("..").normalize();
    assumeTrue(Files.isRegularFile(root.resolve("operator/target/clb-ingress.jar")), "the jar is not built");
    return root;
  }

  /** The cells of each row of the table under {@code header}, once the script succeeded and printed it once. */
  private static List<List<String>> tableRows(Processes.Run run, String header) {
    String output = run.stdout() + run.stderr();
    assertThat(run.exitCode()).as(output).isZero();
    List<String> lines = run.stdout().lines().toList();
    assertThat(lines).as(output).containsOnlyOnce(header);
    return lines.stream().skip(lines.indexOf(header) + 2L).takeWhile(line -> line.startsWith("|"))
        .map(BenchScriptsTest::cells).toList();
  }

  private static List<String> cells(String line) {
    assertThat(line).startsWith("| ").endsWith(" |");
    return Arrays.stream(line.substring(2, line.length() - 2).split(" \\| ")).map(String::trim)
        .collect(Collectors.toList());
  }

  private static double number(String figure) {
    assertThat(figure).matches("-?[0-9,]+(\\.[0-9]+)?");
    return Double.parseDouble(figure.replace(",", ""));
  }
}
