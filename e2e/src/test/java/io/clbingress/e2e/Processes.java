package io.clbingress.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs real programs (the jar, curl, node) for the end-to-end tests. */
final class Processes {

  /** What a finished program printed and returned. */
  record Run(int exitCode, String stdout, String stderr) {
  }

  /** The e2e module's folder (its node scripts and node_modules), where node runs. */
  static final Path E2E_DIR = Path.of(System.getProperty("clb.e2e.dir", "."));

  private Processes() {
  }

  static Run run(Path workDir, List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
    Path out = Files.createTempFile("e2e-out", ".txt");
    Path err = Files.createTempFile("e2e-err", ".txt");
    // No input: clients such as openssl s_client would otherwise wait on stdin.
    Process process = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(command + " did not finish within " + timeoutSeconds + " s");
    }
    return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  static boolean available(String program) {
    try {
      return run(Path.of("."), List.of("sh", "-c", "command -v " + program), 10).exitCode() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /**
   * A port no socket holds now and that this JVM has not given out before (a test asking for a
   * jar's HTTP, HTTPS and admin ports gets three different ones, even though nothing holds any of
   * them between the calls).
   */
  static int freePort() throws IOException {
    // Below Linux's ephemeral range (32768-60999 by default): a port the kernel gives a socket bound
    // to port 0 (a test's backend, started while a jar still boots) or a client connection is never
    // one of these, so a jar given this port does not find it taken when it binds a second later.
    for (int tries = 0; tries < 200; tries++) {
      int port = FIRST_CHOSEN_PORT + java.util.concurrent.ThreadLocalRandom.current().nextInt(CHOSEN_PORTS);
      if (!GIVEN_PORTS.add(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port)) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // another one
      }
    }
    while (true) {
      try (ServerSocket socket = new ServerSocket(0)) {
        if (GIVEN_PORTS.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      }
    }
  }

  /** The ports {@link #freePort} gave out (or found taken) in this JVM. */
  private static final java.util.Set<Integer> GIVEN_PORTS = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Ports {@link #freePort} chooses from: 20000-32767, under the kernel's ephemeral ports. */
  private static final int FIRST_CHOSEN_PORT = 20_000;
  private static final int CHOSEN_PORTS = 12_768;

  /** Waits until a data plane's admin port answers /readyz with 200. */
  static void awaitReady(int adminPort) {
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
        .pollInterval(java.time.Duration.ofMillis(200))
        .until(() -> status("http://127.0.0.1:" + adminPort + "/readyz").equals("200"));
  }

  /** A kubeconfig for the mock API server at {@code serverUrl}. */
  static Path kubeconfig(Path dir, String serverUrl) throws IOException {
    Path file = dir.resolve("kubeconfig");
    Files.writeString(file, """
        apiVersion: v1
        kind: Config
        clusters: [{name: mock, cluster: {server: "%s"}}]
        users: [{name: e2e, user: {token: e2e}}]
        contexts: [{name: mock, context: {cluster: mock, user: e2e, namespace: default}}]
        current-context: mock
        """.formatted(serverUrl.replaceAll("/$", "")));
    return file;
  }

  static Run curl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("curl", "--max-time", "20"));
    command.addAll(List.of(args));
    return run(Path.of("."), command, 30);
  }

  /** The HTTP status code of a GET, "000" when nothing answered. */
  static String status(String url, String... headers) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("-s", "-o", "/dev/null", "-w", "%{http_code}"));
    for (String header : headers) {
      args.add("-H");
      args.add(header);
    }
    args.add(url);
    return curl(args.toArray(String[]::new)).stdout();
  }
}
