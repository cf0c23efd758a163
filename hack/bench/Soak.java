// The load of hack/bench/soak.sh: a mixed, bounded load on one clb-ingress process for a given
// time, sampling its memory, with a routing-table change every few seconds. Runs on the classpath
// of the built jar (Vert.x clients):
//   java -cp operator/target/clb-ingress.jar hack/bench/Soak.java --pid PID --http PORT --https PORT
//        --manifests DIR [--duration 30m] [--sample 10s] [--churn 3s] [--max-heap-growth-mb 64]
//        [--gc-log FILE]
// Load, each with a fixed number of exchanges in flight: HTTP/1.1 keep-alive GETs (16), a new
// connection per GET (8), a new TLS handshake per GET (4), WebSocket open / echo / close (8).
// Every --churn, the file churn.yaml of --manifests is rewritten with another path, so that the
// process builds and applies a new routing table.
// Every --sample, one line: elapsed s, RSS KiB (/proc/PID/status), live heap KiB (after a full
// GC asked with jcmd; MiB precision when read from the GC log), exchanges and errors by kind,
// routing table changes written.
// At the end, a summary with the longest GC pause of the process (from its -Xlog:gc file, the
// sampling's own full collections left out); exit 1 when any exchange failed or the live heap grew by more than
// --max-heap-growth-mb between the first and the last sample, else 0. Never judges speed.
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class Soak {

  /** One kind of exchange, run in a loop with a fixed number in flight, counted. */
  static final class Load {
    final String name;
    final int inFlight;
    final Supplier<Future<?>> exchange;
    final AtomicLong done = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    volatile String firstError;

    Load(String name, int inFlight, Supplier<Future<?>> exchange) {
      this.name = name;
      this.inFlight = inFlight;
      this.exchange = exchange;
    }

    void start(Vertx vertx, long untilNanos) {
      vertx.runOnContext(v -> {
        for (int i = 0; i < inFlight; i++) {
          next(untilNanos);
        }
      });
    }

    private void next(long untilNanos) {
      if (System.nanoTime() >= untilNanos) {
        return;
      }
      exchange.get().timeout(30, TimeUnit.SECONDS).onComplete(result -> {
        if (result.failed() && errors.incrementAndGet() == 1) {
          firstError = result.cause().toString();
        } else if (result.succeeded()) {
          done.incrementAndGet();
        }
        next(untilNanos);
      });
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = flags(args);
    long pid = Long.parseLong(required(flags, "pid"));
    int http = Integer.parseInt(required(flags, "http"));
    int https = Integer.parseInt(required(flags, "https"));
    Path manifests = Path.of(required(flags, "manifests"));
    Duration duration = duration(flags.getOrDefault("duration", "30m"));
    Duration sample = duration(flags.getOrDefault("sample", "10s"));
    Duration churn = duration(flags.getOrDefault("churn", "3s"));
    long maxGrowthKib = Long.parseLong(flags.getOrDefault("max-heap-growth-mb", "64")) * 1024;
    Path gcLog = flags.containsKey("gc-log") ? Path.of(flags.get("gc-log")) : null;

    Vertx vertx = Vertx.vertx();
    HttpClientAgent keepAlive = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(16));
    HttpClientAgent closing = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false),
        new PoolOptions().setHttp1MaxSize(8));
    HttpClientAgent tls = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setSsl(true)
        .setTrustAll(true).setVerifyHost(false), new PoolOptions().setHttp1MaxSize(4));
    WebSocketClient webSockets = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(8));
    List<Load> loads = List.of(
        new Load("keepalive", 16, () -> get(keepAlive, http, "/soak/keepalive")),
        new Load("newconn", 8, () -> get(closing, http, "/soak/newconn")),
        new Load("tls", 4, () -> get(tls, https, "/soak/tls")),
        new Load("websocket", 8, () -> webSockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
            .setPort(http).setURI("/soak/ws").putHeader("host", "soak.test")).compose(ws -> {
              Promise<Void> echoed = Promise.promise();
              ws.textMessageHandler(text -> ws.close().onComplete(echoed));
              ws.exceptionHandler(echoed::tryFail);
              ws.writeTextMessage("soak");
              return echoed.future();
            })));

    long start = System.nanoTime();
    long until = start + duration.toNanos();
    loads.forEach(load -> load.start(vertx, until));
    AtomicLong changes = new AtomicLong();
    long churnTimer = vertx.setPeriodic(churn.toMillis(), id -> {
      try {
        writeChurn(manifests, changes.incrementAndGet());
      } catch (IOException e) {
        System.err.println("cannot write the churn manifest: " + e);
      }
    });

    List<long[]> heaps = new ArrayList<>();
    long maxRss = 0;
    System.out.println("# t_s rss_kib live_heap_kib " + String.join(" ", loads.stream()
        .map(l -> l.name + " " + l.name + "_errors").toList()) + " table_changes");
    while (System.nanoTime() < until) {
      Thread.sleep(Math.min(sample.toMillis(), Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))));
      long rss = rssKib(pid);
      long heap = liveHeapKib(pid, gcLog);
      maxRss = Math.max(maxRss, rss);
      heaps.add(new long[] {rss, heap});
      StringBuilder line = new StringBuilder().append(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start))
          .append(' ').append(rss).append(' ').append(heap);
      loads.forEach(l -> line.append(' ').append(l.done.get()).append(' ').append(l.errors.get()));
      System.out.println(line.append(' ').append(changes.get()));
    }
    vertx.cancelTimer(churnTimer);
    // Exchanges under way finish (or time out) before the counts are final.
    Thread.sleep(2_000);

    long errors = loads.stream().mapToLong(l -> l.errors.get()).sum();
    long growth = heaps.isEmpty() ? 0 : heaps.get(heaps.size() - 1)[1] - heaps.get(0)[1];
    System.out.printf("summary: duration %d s, samples %d, max RSS %d KiB, live heap first %d KiB last %d KiB"
            + " (growth %d KiB, allowed %d KiB), longest GC pause %s, table changes %d, errors %d%n",
        duration.toSeconds(), heaps.size(), maxRss, heaps.isEmpty() ? 0 : heaps.get(0)[1],
        heaps.isEmpty() ? 0 : heaps.get(heaps.size() - 1)[1], growth, maxGrowthKib, longestPause(gcLog), changes.get(),
        errors);
    for (Load load : loads) {
      System.out.printf("summary %s: %d exchanges, %d errors%s%n", load.name, load.done.get(), load.errors.get(),
          load.firstError == null ? "" : " (first: " + load.firstError + ")");
    }
    vertx.close().await(10, TimeUnit.SECONDS);
    System.exit(errors == 0 && growth <= maxGrowthKib && !heaps.isEmpty() ? 0 : 1);
  }

  private static Future<Void> get(HttpClientAgent client, int port, String path) {
    return client.request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI(path)
            .putHeader("host", "soak.test"))
        .compose(request -> request.send())
        .compose(response -> response.body().compose(body -> response.statusCode() == 200
            ? Future.succeededFuture()
            : Future.failedFuture("status " + response.statusCode() + " for " + path)));
  }

  /** An Ingress whose path changes with every call, so that each write is a new routing table. */
  private static void writeChurn(Path manifests, long change) throws IOException {
    String yaml = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: soak-churn, namespace: bench}
        spec:
          ingressClassName: clb
          rules:
          - host: churn.soak.test
            http:
              paths: [{path: /churn-%d, pathType: Prefix, backend: {service: {name: backend, port: {number: 80}}}}]
        """.formatted(change);
    Path tmp = manifests.resolve(".churn.tmp");
    Files.writeString(tmp, yaml);
    Files.move(tmp, manifests.resolve("churn.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static final Pattern PAUSE = Pattern.compile("Pause.* (\\d+\\.\\d+)ms");

  /** The longest pause in a -Xlog:gc file, leaving out the full GCs this driver asked for. */
  private static String longestPause(Path gcLog) throws IOException {
    if (gcLog == null || !Files.isReadable(gcLog)) {
      return "unknown (no --gc-log)";
    }
    double longest = 0;
    for (String line : Files.readAllLines(gcLog)) {
      Matcher pause = PAUSE.matcher(line);
      if (!AFTER_FULL_GC.matcher(line).find() && pause.find()) {
        longest = Math.max(longest, Double.parseDouble(pause.group(1)));
      }
    }
    return longest + " ms";
  }

  private static long rssKib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D+", ""));
      }
    }
    return -1;
  }

  private static final Pattern USED = Pattern.compile("used (\\d+)K");
  /** The full collection jcmd GC.run asks for: "Diagnostic Command" (JDK 17 and later) or "System.gc()". */
  private static final Pattern AFTER_FULL_GC = Pattern.compile(
      "Pause Full \\((?:Diagnostic Command|System.gc\\(\\))\\) \\d+[KMG]->(\\d+)([KMG])");

  /**
   * Heap in use right after a full GC of the process asked with jcmd GC.run: read from the GC log
   * line of that collection when there is a log (the figure the collector saw), else from
   * GC.heap_info a moment later (what the load allocated since is counted too).
   */
  private static long liveHeapKib(long pid, Path gcLog) throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    if (gcLog != null && Files.isReadable(gcLog)) {
      long kib = -1;
      for (String line : Files.readAllLines(gcLog)) {
        Matcher after = AFTER_FULL_GC.matcher(line);
        if (after.find()) {
          long amount = Long.parseLong(after.group(1));
          kib = switch (after.group(2)) {
            case "G" -> amount * 1024 * 1024;
            case "M" -> amount * 1024;
            default -> amount;
          };
        }
      }
      if (kib >= 0) {
        return kib;
      }
    }
    Matcher used = USED.matcher(jcmd(pid, "GC.heap_info"));
    return used.find() ? Long.parseLong(used.group(1)) : -1;
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder("jcmd", String.valueOf(pid), command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    process.waitFor(60, TimeUnit.SECONDS);
    return output;
  }

  private static Map<String, String> flags(String[] args) {
    Map<String, String> flags = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --flag value, got " + args[i]);
      }
      flags.put(args[i].substring(2), args[i + 1]);
    }
    return flags;
  }

  private static String required(Map<String, String> flags, String name) {
    String value = flags.get(name);
    if (value == null) {
      System.err.println("missing --" + name);
      System.exit(2);
    }
    return value;
  }

  /** 90s, 2m, 1h or plain seconds. */
  private static Duration duration(String text) {
    Map<Character, Long> units = new LinkedHashMap<>(Map.of('s', 1L, 'm', 60L, 'h', 3600L));
    char last = text.charAt(text.length() - 1);
    return units.containsKey(last)
        ? Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)) * units.get(last))
        : Duration.ofSeconds(Long.parseLong(text));
  }
}
