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

  /** With extra environment variables, as a pod spec gives them. */
  static JarProcess start(String name, java.util.Map<String, String> env, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString()));
    command.addAll(args);
    Path log = Files.createTempFile("clb-" + name, ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return new JarProcess(name, log, builder.start());
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

  /** Stops the process (SIGTERM, then SIGKILL) and prints its log for the test report. */
  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    }
    System.out.println("---- " + name + " log\n" + logText());
  }
}
