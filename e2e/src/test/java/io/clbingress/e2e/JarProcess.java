package io.clbingress.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The built jar started as users start it, with its log in a file. */
final class JarProcess implements AutoCloseable {

  static final Path JAR = Path.of(System.getProperty("clb.jar", "../operator/target/clb-ingress.jar"));

  final String name;
  final Path log;
  private final Process process;

  private JarProcess(String name, Path log, Process process) {
    this.name = name;
    this.log = log;
    this.process = process;
  }

  static JarProcess start(String name, String... args) throws IOException {
    return start(name, java.util.Map.of(), List.of(args));
  }

  /**
   * The words put before {@code java} in every command that starts the jar, from the system
   * property {@code clb.jar.launcher} (space-separated; none by default). hack/seccomp-record.sh
   * gives it a wrapper that records the system calls the jar makes.
   */
  static final List<String> LAUNCHER = List.of(System.getProperty("clb.jar.launcher", "").trim().split(" +"))
      .stream().filter(word -> !word.isEmpty()).toList();

  /** With extra environment variables, as a pod spec gives them. */
  static JarProcess start(String name, java.util.Map<String, String> env, List<String> args) throws IOException {
    return start(name, List.of(), env, args);
  }

  /**
   * Under {@code prefix}, a command that runs the rest of the command line under it (as
   * hack/seccomp-exec.py does), after any {@link #LAUNCHER}.
   */
  static JarProcess start(String name, List<String> prefix, java.util.Map<String, String> env, List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>(LAUNCHER);
    command.addAll(prefix);
    command.addAll(List.of("java", "-jar", JAR.toString()));
    command.addAll(args);
    Path log = Files.createTempFile("clb-" + name, ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return new JarProcess(name, log, builder.start());
  }

  /** The process id (the JVM's: a launcher before {@code java} executes it in the same process). */
  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String logText() throws IOException {
    return Files.readString(log);
  }

  /** Stops the given processes that were started (nulls are skipped), in order. */
  static void closeAll(JarProcess... processes) throws Exception {
    for (JarProcess process : processes) {
      if (process != null) {
        process.close();
      }
    }
  }

  /** Stops the given processes (as {@link #closeAll}), then {@code vertx} with the test's backends, if any. */
  static void closeAll(io.vertx.core.Vertx vertx, JarProcess... processes) throws Exception {
    closeAll(processes);
    if (vertx != null) {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  /** Sends SIGTERM, as Kubernetes does to a pod, and returns at once. */
  void terminate() {
    process.destroy();
  }

  /**
   * Sends SIGTERM, as Kubernetes does to a pod, and waits for the process to end.
   *
   * @return its exit status (143, 128 + SIGTERM, is the JVM's after its shutdown hooks ran)
   * @throws IllegalStateException when it is still running 20 s later
   */
  int stop() throws InterruptedException {
    terminate();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " still runs 20 s after SIGTERM");
    }
    return process.exitValue();
  }

  /** Stops the process (SIGTERM, then SIGKILL) and prints its log for the test report. */
  @Override
  public void close() throws Exception {
    terminate();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    }
    System.out.println("---- " + name + " log\n" + logText());
  }
}
