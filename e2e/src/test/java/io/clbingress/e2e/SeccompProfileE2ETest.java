package io.clbingress.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data plane under the seccomp profile its pods can be given
 * (deploy/seccomp/clb-ingress-dataplane.json, chart value {@code dataplane.seccompProfile}), loaded
 * as a container runtime loads a pod's Localhost profile: hack/seccomp-exec.py builds the filter
 * with libseccomp and runs the jar under it. Under the profile the data plane runs on io_uring and
 * serves HTTP, HTTPS over h2, a WebSocket and a configuration change, and stops on SIGTERM; under
 * the same profile without io_uring's three calls (what the RuntimeDefault profile refuses) it says
 * why and serves on epoll.
 */
class SeccompProfileE2ETest {

  static final Path ROOT = Processes.E2E_DIR.resolve("..");
  static final Path PROFILE = ROOT.resolve("deploy/seccomp/clb-ingress-dataplane.json");
  static final Path EXEC = ROOT.resolve("hack/seccomp-exec.py");
  static final Set<String> IO_URING = Set.of("io_uring_setup", "io_uring_enter", "io_uring_register");

  static Vertx vertx;
  static HttpServer blue;
  static HttpServer green;
  @TempDir
  Path manifests;
  JarProcess jar;
  int httpPort;
  int httpsPort;
  int adminPort;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isRegularFile(JarProcess.JAR), "the jar is built by the operator module first: " + JarProcess.JAR);
    assumeTrue(Processes.available("curl") && Processes.available("openssl") && Processes.available("python3"),
        "curl, openssl and python3 are needed (.ci/run installs them)");
    assumeTrue(Processes.available("node") && Files.isDirectory(Processes.E2E_DIR.resolve("node_modules/ws")),
        "node and the npm ws package are needed: run `npm ci` in e2e/ (.ci/run does)");
    Path allowAll = Files.writeString(Files.createTempFile("seccomp-allow", ".json"), "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");
    Processes.Run probe = Processes.run(ROOT, underProfile(allowAll, "true"), 30);
    assumeTrue(probe.exitCode() == 0, "seccomp filters cannot be loaded here (libseccomp2 is needed; .ci/run "
        + "installs it): " + probe.stderr());
    Path disabled = Path.of("/proc/sys/kernel/io_uring_disabled");
    assumeTrue(!Files.exists(disabled) || Files.readString(disabled).trim().equals("0"),
        "io_uring is disabled on this machine (kernel.io_uring_disabled)");
    vertx = Vertx.vertx();
    blue = EchoBackend.start(vertx, "blue");
    green = EchoBackend.start(vertx, "green");
  }

  @AfterAll
  static void stop() throws Exception {
    JarProcess.closeAll(vertx);
  }

  @AfterEach
  void stopJar() throws Exception {
    JarProcess.closeAll(jar);
  }

  @Test
  void theShippedProfileAllowsIoUringAndAllTheDataPlaneDoes(@TempDir Path dir) throws Exception {
    // Given the profile as shipped: an allow list, any other call answered ENOSYS
    JsonObject profile = new JsonObject(Files.readString(PROFILE));
    assertThat(profile.getString("defaultAction")).isEqualTo("SCMP_ACT_ERRNO");
    assertThat(profile.getInteger("defaultErrnoRet")).as("ENOSYS").isEqualTo(38);
    assertThat(allowed(profile)).containsAll(IO_URING).doesNotContain("mount", "ptrace", "bpf", "unshare", "setns",
        "kexec_load", "init_module", "keyctl", "perf_event_open", "clone3");
    // and a new namespace is refused under it (unshare: not in the list; clone: only without namespace flags)
    Processes.Run unshare = Processes.run(ROOT, underProfile(PROFILE, "unshare", "--user", "true"), 30);
    assertThat(unshare.exitCode()).isNotZero();
    assertThat(unshare.stderr()).contains("unshare failed");
    // When the data plane runs under it
    Path certs = startUnder(PROFILE);
    // Then it runs on io_uring, every name in the profile is a system call this machine knows
    String log = jar.logText();
    assertThat(log).contains("socket transport: io_uring");
    if (System.getProperty("os.arch").equals("amd64")) {
      assertThat(log).as("names libseccomp does not know on x86-64").doesNotContain("not known to this libseccomp");
    }
    // And it serves HTTP, HTTPS over h2, a WebSocket and a configuration change
    assertThat(Processes.curl("-s", "-H", "Host: shop.example.com", proxy("/hello")).stdout()).contains("backend=blue");
    String resolve = "secure.example.com:" + httpsPort + ":127.0.0.1";
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> Processes.curl("-s",
        "--http2", "-w", "\nhttp/%{http_version}", "--cacert", certs.resolve("cert.pem").toString(), "--resolve", resolve,
        "https://secure.example.com:" + httpsPort + "/tls").stdout(), body -> body.contains("backend=blue uri=/tls")
            && body.endsWith("\nhttp/2"));
    Processes.Run ws = Processes.run(Processes.E2E_DIR, List.of("node", "ws-client.js", "echo",
        "ws://127.0.0.1:" + httpPort + "/ws", "shop.example.com"), 90);
    assertThat(ws.exitCode()).as(ws.stdout() + ws.stderr()).isZero();
    Files.writeString(manifests.resolve("ingress.yaml"), StandaloneJarE2ETest.ingress("web", "/", "green", "60"));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() ->
        Processes.curl("-s", "-H", "Host: shop.example.com", proxy("/")).stdout().contains("backend=green"));
    assertThat(Processes.status("http://127.0.0.1:" + adminPort + "/metrics")).isEqualTo("200");
    // And jcmd and JFR work on it, as an operator of the pod would use them (attach, thread
    // suspension and per-thread CPU clocks: calls the tests make nowhere else)
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    String pid = String.valueOf(jar.pid());
    Processes.Run threads = Processes.run(ROOT, List.of(jcmd, pid, "Thread.print"), 60);
    assertThat(threads.stdout()).as(threads.stderr()).contains("vert.x-eventloop-thread");
    Path recording = dir.resolve("dataplane.jfr");
    Processes.Run jfr = Processes.run(ROOT, List.of(jcmd, pid, "JFR.start", "name=e2e", "settings=profile"), 60);
    assertThat(jfr.stdout()).as(jfr.stderr()).contains("Started recording");
    Processes.curl("-s", "-H", "Host: shop.example.com", proxy("/after-jfr-start"));
    Processes.Run dump = Processes.run(ROOT, List.of(jcmd, pid, "JFR.dump", "name=e2e", "filename=" + recording), 60);
    assertThat(dump.exitCode()).as(dump.stdout() + dump.stderr()).isZero();
    assertThat(Files.size(recording)).isPositive();
    // And it stops on SIGTERM as the JVM does after its shutdown hooks
    assertThat(jar.stop()).isEqualTo(143);
  }

  @Test
  void withoutIoUringsCallsAsUnderRuntimeDefaultItServesOnEpoll(@TempDir Path dir) throws Exception {
    // Given the shipped profile without io_uring_setup, io_uring_enter and io_uring_register
    JsonObject profile = new JsonObject(Files.readString(PROFILE));
    for (Object rule : profile.getJsonArray("syscalls")) {
      JsonObject syscalls = (JsonObject) rule;
      syscalls.put("names", new JsonArray(syscalls.getJsonArray("names").stream()
          .filter(name -> !IO_URING.contains(name)).toList()));
    }
    Path withoutIoUring = Files.writeString(dir.resolve("without-io_uring.json"), profile.encodePrettily());
    // When the data plane runs under it
    startUnder(withoutIoUring);
    // Then io_uring is refused, said at info, and it serves on epoll
    assertThat(jar.logText()).contains("socket transport io_uring cannot be used here", "socket transport: epoll");
    assertThat(Processes.curl("-s", "-H", "Host: shop.example.com", proxy("/hello")).stdout()).contains("backend=blue");
    assertThat(jar.stop()).isEqualTo(143);
  }

  /** {@code command} run under {@code profile} by hack/seccomp-exec.py (as a prefix when empty). */
  private static List<String> underProfile(Path profile, String... command) {
    return Stream.concat(Stream.of("python3", EXEC.toString(), profile.toString()), Stream.of(command)).toList();
  }

  private static List<String> allowed(JsonObject profile) {
    return profile.getJsonArray("syscalls").stream().map(JsonObject.class::cast)
        .filter(rule -> rule.getString("action").equals("SCMP_ACT_ALLOW"))
        .flatMap(rule -> rule.getJsonArray("names").stream().map(String.class::cast)).toList();
  }

  /**
   * Standalone under {@code profile}: the Ingress of the blue backend (HTTP and /ws) and
   * secure.example.com over TLS.
   *
   * @return the directory of secure.example.com's certificate (cert.pem)
   */
  private Path startUnder(Path profile) throws Exception {
    Files.writeString(manifests.resolve("service.yaml"),
        StandaloneJarE2ETest.service("blue", blue.actualPort()) + StandaloneJarE2ETest.service("green", green.actualPort()));
    Files.writeString(manifests.resolve("ingress.yaml"), StandaloneJarE2ETest.ingress("web", "/", "blue", "60"));
    Path certs = StandaloneJarE2ETest.tlsIngress(manifests, "secure", "/");
    httpPort = Processes.freePort();
    httpsPort = Processes.freePort();
    adminPort = Processes.freePort();
    jar = JarProcess.start("seccomp", underProfile(profile),
        Map.of("CLB_TRANSPORT", "auto"), List.of("standalone", "--manifests", manifests.toString(),
            "--http-port", String.valueOf(httpPort), "--https-port", String.valueOf(httpsPort),
            "--admin-port", String.valueOf(adminPort), "--bind-address", "127.0.0.1", "--drain-seconds", "1"));
    Processes.awaitReady(adminPort);
    return certs;
  }

  private String proxy(String path) {
    return "http://127.0.0.1:" + httpPort + path;
  }
}
