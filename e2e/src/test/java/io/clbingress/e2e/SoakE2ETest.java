package io.clbingress.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The soak benchmark (hack/bench/soak.sh) for two minutes, as the issue on load asks: mixed load
 * (keep-alive, a new connection per request, new TLS handshakes, WebSocket churn) with a routing
 * table change every 3 s. Asserts zero errors, a bounded live heap and that every kind of load ran;
 * never a speed. Also keeps the script from rotting.
 */
class SoakE2ETest {

  private static final Pattern SUMMARY = Pattern.compile(
      "summary: .*\\(growth (-?\\d+) KiB, .* table changes (\\d+), errors (\\d+)");

  @Test
  void twoMinutesOfMixedLoadWithConfigChurnHaveNoErrorAndAFlatHeap() throws Exception {
    assumeTrue(Files.isRegularFile(JarProcess.JAR), "the jar is built by the operator module first");
    for (String tool : List.of("curl", "jcmd", "taskset")) {
      assumeTrue(Processes.available(tool), tool + " is not installed (.ci/run installs what the tests need)");
    }
    Path root = Path.of(System.getProperty("clb.e2e.dir", ".")).resolve("..").normalize();
    Processes.Run run = Processes.run(root, List.of("hack/bench/soak.sh", "-d", "2m", "-s", "15s", "-c", "3s",
        "-g", "32", "-p", String.valueOf(freePortRun(4))), 400);
    String output = run.stdout() + run.stderr();
    Matcher summary = SUMMARY.matcher(output);
    assertThat(summary.find()).as(output).isTrue();
    assertThat(Long.parseLong(summary.group(3))).as("errors; " + output).isZero();
    assertThat(Long.parseLong(summary.group(1))).as("live heap growth KiB; " + output).isLessThan(32 * 1024);
    assertThat(Long.parseLong(summary.group(2))).as("routing table changes written").isGreaterThan(20);
    for (String kind : List.of("keepalive", "newconn", "tls", "websocket")) {
      assertThat(output).containsPattern("summary " + kind + ": [1-9]\\d* exchanges, 0 errors");
    }
    assertThat(run.exitCode()).as(output).isZero();
  }

  /**
   * The first of {@code count} consecutive free loopback ports, below Linux's ephemeral range
   * (32768–60999), where outgoing connections of other tests cannot take one of them between this
   * check and the script's bind (CI failed once that way).
   */
  private static int freePortRun(int count) throws Exception {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = 20_000 + random.nextInt(10_000);
      if (allFree(base, count)) {
        return base;
      }
    }
    throw new IllegalStateException("no run of " + count + " free ports");
  }

  private static boolean allFree(int base, int count) {
    for (int port = base; port < base + count; port++) {
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        socket.setReuseAddress(true);
      } catch (java.io.IOException e) {
        return false;
      }
    }
    return true;
  }
}
