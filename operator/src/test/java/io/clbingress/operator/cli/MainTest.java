package io.clbingress.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.accesslog.AccessLogFormat;
import io.clbingress.dataplane.routing.LimitStatuses;
import io.clbingress.dataplane.tracing.TracingOptions;
import io.clbingress.operator.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Bad flags and unreadable input: one line naming the flag or file, exit code 2 (SPEC §3). */
class MainTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      standalone --manifests /nonexistent/dir                          | --manifests /nonexistent/dir: not a readable directory
      standalone --manifests .  --http-port 70000                      | --http-port 70000: not a port
      standalone --manifests .  --http-port eighty                     | --http-port
      standalone --manifests .  --proxy-read-timeout 0                 | --proxy-read-timeout \"0\" is out of range
      standalone --manifests .  --proxy-connect-timeout 10x            | --proxy-connect-timeout \"10x\" is not a duration
      standalone --manifests .  --default-cert just-a-name             | --default-cert \"just-a-name\" is not NAMESPACE/NAME
      standalone --manifests .  --tls-engine gnutls                    | --tls-engine gnutls: must be openssl or jdk
      standalone --manifests .  --transport kqueue                     | --transport kqueue: must be one of auto, epoll, io_uring, nio
      dataplane --control-plane http://cp.invalid --transport IO_URING | --transport IO_URING: must be one of auto, epoll, io_uring, nio
      standalone --manifests .  --max-request-line-bytes 1023          | --max-request-line-bytes 1023: out of range (1024-65536)
      dataplane --control-plane http://cp.invalid --max-request-line-bytes 65537 | --max-request-line-bytes 65537: out of range (1024-65536)
      standalone --manifests .  --max-header-bytes 4095                | --max-header-bytes 4095: out of range (4096-262144)
      dataplane --control-plane http://cp.invalid --max-header-bytes 262145 | --max-header-bytes 262145: out of range (4096-262144)
      standalone --manifests .  --max-header-bytes 64Ki                | --max-header-bytes
      standalone --manifests .  --trusted-proxies 10.0.0.0/33          | --trusted-proxies 10.0.0.0/33: \"10.0.0.0/33\": prefix length must be 0-32
      standalone --manifests .  --trusted-proxies 10.0.0.0/8,lb.local  | --trusted-proxies 10.0.0.0/8,lb.local: \"lb.local\" is not an IPv4 or IPv6 address
      dataplane --control-plane http://cp.invalid --trusted-proxies 2001:db8::/129 | --trusted-proxies 2001:db8::/129: \"2001:db8::/129\": prefix length must be 0-128
      standalone --manifests .  --forwarded-for-header X:Y             | --forwarded-for-header X:Y: \"X:Y\" is not a header name
      standalone --manifests .  --limit-req-status-code 399            | --limit-req-status-code 399: not a status 400-599
      dataplane --control-plane http://cp.invalid --limit-conn-status-code 600 | --limit-conn-status-code 600: not a status 400-599
      standalone --manifests .  --limit-conn-status-code too-many      | --limit-conn-status-code
      standalone --manifests .  --gzip --gzip-level 10                 | --gzip-level 10: gzip level must be 1-9
      dataplane --control-plane http://cp.invalid --gzip-level 0       | --gzip-level 0: gzip level must be 1-9
      standalone --manifests .  --gzip-min-length -1                   | --gzip-min-length -1: gzip minLength must be 0 or more
      standalone --manifests .  --gzip-types text/css,nonsense         | --gzip-types text/css,nonsense: gzip type \"nonsense\" is not a media type
      standalone --manifests .  --enable-brotli --brotli-level 12      | --brotli-level 12: brotli level must be 0-11
      dataplane --control-plane http://cp.invalid --brotli-level -1    | --brotli-level -1: brotli level must be 0-11
      standalone --manifests .  --brotli-min-length -1                 | --brotli-min-length -1: brotli minLength must be 0 or more
      standalone --manifests .  --brotli-types text/css,a/b;q=1        | --brotli-types text/css,a/b;q=1: brotli type \"a/b;q=1\" is not a media type
      standalone --manifests .  --trace-sample-ratio 1.5               | --trace-sample-ratio 1.5: trace sample ratio out of 0.0-1.0
      dataplane --control-plane http://cp.invalid --trace-sample-ratio -0.1 | --trace-sample-ratio -0.1: trace sample ratio out of 0.0-1.0
      standalone --manifests .  --otlp-endpoint collector:4318         | --otlp-endpoint collector:4318: OTLP endpoint is not an http(s) URL with a host
      standalone --manifests .  --otlp-endpoint http://[bad             | --otlp-endpoint http://[bad: not a URL
      standalone --manifests .  --access-log yaml                      | --access-log yaml: must be off, json or text
      dataplane --control-plane http://cp.invalid --access-log ''      | --access-log
      standalone --manifests .  --no-such-flag                         | --no-such-flag
      standalone                                                       | --manifests
      bogus-mode                                                       | bogus-mode
      """)
  void badFlagsGiveOneLineAndExitCode2(String args, String expected) {
    // When
    Result result = run(args.trim().split("\\s+"));
    // Then
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr().lines().toList()).singleElement().asString()
        .startsWith("clb-ingress: ").contains(expected);
  }

  @Test
  void limitStatusFlagsReachTheDataPlaneOptions() {
    // Given
    DataPlaneFlags defaults = new DataPlaneFlags();
    new picocli.CommandLine(defaults).parseArgs();
    DataPlaneFlags set = new DataPlaneFlags();
    new picocli.CommandLine(set).parseArgs("--limit-req-status-code", "429", "--limit-conn-status-code=444");
    // Then
    assertThat(defaults.invalid()).isNull();
    assertThat(defaults.options().limitStatuses()).isEqualTo(LimitStatuses.DEFAULTS);
    assertThat(set.invalid()).isNull();
    assertThat(set.options().limitStatuses()).isEqualTo(new LimitStatuses(429, 444));
  }

  @Test
  void tracingFlagsReachTheDataPlaneOptions() {
    // Given
    DataPlaneFlags defaults = new DataPlaneFlags();
    new picocli.CommandLine(defaults).parseArgs();
    DataPlaneFlags set = new DataPlaneFlags();
    new picocli.CommandLine(set).parseArgs("--otlp-endpoint", "http://collector:4318", "--trace-sample-ratio=0.25");
    // Then
    assertThat(defaults.invalid()).isNull();
    assertThat(defaults.options().tracing()).isEqualTo(TracingOptions.OFF);
    assertThat(set.invalid()).isNull();
    assertThat(set.options().tracing()).isEqualTo(new TracingOptions(java.net.URI.create("http://collector:4318"), 0.25));
    assertThat(set.options().tracing().tracesUrl()).isEqualTo("http://collector:4318/v1/traces");
  }

  @Test
  void accessLogFlagReachesTheDataPlaneOptionsJsonByDefault() {
    // Given
    DataPlaneFlags defaults = new DataPlaneFlags();
    new picocli.CommandLine(defaults).parseArgs();
    DataPlaneFlags text = new DataPlaneFlags();
    new picocli.CommandLine(text).parseArgs("--access-log", "TEXT");
    DataPlaneFlags off = new DataPlaneFlags();
    new picocli.CommandLine(off).parseArgs("--access-log=off");
    // Then
    assertThat(defaults.options().accessLog().format()).isEqualTo(AccessLogFormat.JSON);
    assertThat(text.invalid()).isNull();
    assertThat(text.options().accessLog().format()).isEqualTo(AccessLogFormat.TEXT);
    assertThat(off.options().accessLog().format()).isEqualTo(AccessLogFormat.OFF);
  }

  @Test
  void helpListsModesAndEnvironmentVariables() {
    // When
    Result top = run("--help");
    Result standalone = run("standalone", "--help");
    // Then
    assertThat(top.exitCode()).isZero();
    assertThat(top.stdout()).contains("operator", "dataplane", "standalone");
    assertThat(standalone.stdout()).contains("--manifests", "CLB_MANIFESTS", "--http-port", "CLB_HTTP_PORT",
        "--drain-seconds", "--admin-port", "--max-request-line-bytes", "CLB_MAX_REQUEST_LINE_BYTES", "--max-header-bytes",
        "CLB_MAX_HEADER_BYTES", "--limit-req-status-code", "CLB_LIMIT_REQ_STATUS_CODE", "--limit-conn-status-code",
        "CLB_LIMIT_CONN_STATUS_CODE");
  }

  private record Result(int exitCode, String stdout, String stderr) {
  }

  private static Result run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Result(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
