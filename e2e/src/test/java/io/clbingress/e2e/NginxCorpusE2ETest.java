package io.clbingress.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clbingress.dataplane.routing.SourceRangeRules;
import io.clbingress.dataplane.table.SourceRanges;
import io.clbingress.operator.translate.AnnotationSpec;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The ingress-nginx corpus ({@code src/test/resources/nginx-corpus}: Ingresses in the shapes public
 * Helm charts ship) through {@code migrate} and through the data plane in standalone mode, serving
 * ingressClassName {@code nginx} as a user moving over would: every {@code nginx.ingress.kubernetes.io/*}
 * annotation gets a verdict, every honoured one behaves as documented, every other one is reported.
 *
 * <p>Each Service of the corpus gets its own backend here (HTTPS for those whose static endpoint is
 * the placeholder 127.0.0.1:18443), answering with the Service's name, so a reply says which route
 * served it.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class NginxCorpusE2ETest {

  static final Path CORPUS = Path.of(System.getProperty("clb.e2e.dir", ".")).resolve("src/test/resources/nginx-corpus");
  static final String NGINX = AnnotationSpec.NGINX_PREFIX;
  static final String STATIC_ENDPOINTS = "clb.ingress.io/static-endpoints";
  static final String TLS_PLACEHOLDER = "127.0.0.1:18443";
  /** The ingress-nginx names clb-ingress honours: the README's annotations table. */
  static final Set<String> HONOURED = AnnotationSpec.ALL.stream().flatMap(spec -> spec.nginxKeys().stream())
      .collect(Collectors.toSet());
  /**
   * Values outside what clb-ingress accepts, on purpose: Argo CD's gRPC Ingress asks for
   * backend-protocol GRPC, and clb-ingress speaks HTTP and HTTPS to backends. Such an Ingress is
   * never programmed (it has no earlier accepted configuration) and a WARN line names the annotation.
   */
  static final Map<String, String> INVALID = Map.of("argocd/argocd-server-grpc", NGINX + "backend-protocol");
  /** What the issue names security-relevant: ignoring them leaves a route more open. */
  static final Pattern SECURITY = Pattern.compile(Pattern.quote(NGINX) + "(whitelist-source-range|denylist-source-range"
      + "|auth-.*|limit-.*|enable-cors|cors-.*|enable-modsecurity|enable-owasp-core-rules)");
  static final ObjectMapper JSON = new ObjectMapper();
  static final Pattern REGEX_CHARS = Pattern.compile("[()\\[\\]|$^*+?{}\\\\]");

  /** One path of an Ingress rule and the Service behind it. */
  record PathRule(String host, String path, String pathType, String service) {
  }

  /** An Ingress of the corpus as its file has it. */
  record CorpusIngress(String id, String file, Map<String, String> annotations, Set<String> tlsHosts,
      List<PathRule> paths) {

    String namespace() {
      return id.substring(0, id.indexOf('/'));
    }

    boolean annotated(String name, String value) {
      return value.equalsIgnoreCase(annotations.getOrDefault(NGINX + name, ""));
    }

    /** The nginx annotations that are neither honoured nor invalid here: those the WARN line must name. */
    Set<String> unsupported() {
      return annotations.keySet().stream().filter(key -> key.startsWith(NGINX) && !HONOURED.contains(key)
          && !key.equals(INVALID.get(id))).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @TempDir
  static Path manifests;
  /** The corpus without the files that set security-relevant annotations. */
  @TempDir
  static Path withoutSecurity;
  /** {@code migrate -o json} of the corpus, and of {@link #withoutSecurity}: started first, as they take a while. */
  static CompletableFuture<Processes.Run> corpusReport;
  static CompletableFuture<Processes.Run> withoutSecurityReport;
  static final List<CorpusIngress> INGRESSES = new ArrayList<>();
  /** The YAML documents of each corpus file, by file name. */
  static final Map<String, List<JsonNode>> DOCUMENTS = new TreeMap<>();
  static Vertx vertx;
  static JarProcess jar;
  static int httpPort;
  static int httpsPort;
  static int adminPort;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isRegularFile(JarProcess.JAR), "the jar is built by the operator module first: " + JarProcess.JAR);
    assumeTrue(Processes.available("curl"), "curl is not installed (.ci/run installs it)");
    // The jar starts first, on an empty folder, as its start takes longest; the corpus follows
    httpPort = Processes.freePort();
    httpsPort = Processes.freePort();
    adminPort = Processes.freePort();
    jar = JarProcess.start("standalone-nginx-corpus", "standalone", "--manifests", manifests.toString(),
        "--ingress-class", "nginx", "--http-port", String.valueOf(httpPort), "--https-port", String.valueOf(httpsPort),
        "--admin-port", String.valueOf(adminPort), "--bind-address", "127.0.0.1", "--drain-seconds", "1");
    readCorpus();
    Set<String> open = INGRESSES.stream().filter(i -> i.annotations().keySet().stream()
        .anyMatch(key -> SECURITY.matcher(key).matches())).map(CorpusIngress::file).collect(Collectors.toSet());
    for (String file : DOCUMENTS.keySet()) {
      if (!open.contains(file)) {
        Files.copy(CORPUS.resolve(file), withoutSecurity.resolve(file));
      }
    }
    corpusReport = migrate(CORPUS);
    withoutSecurityReport = migrate(withoutSecurity);
    vertx = Vertx.vertx();
    SelfSignedCertificate certificate = SelfSignedCertificate.create("backend.local");
    for (Map.Entry<String, List<JsonNode>> file : DOCUMENTS.entrySet()) {
      StringBuilder yaml = new StringBuilder();
      for (JsonNode document : file.getValue()) {
        if (document.path("kind").asText().equals("Service")) {
          backFor(document, certificate);
        }
        yaml.append(JSON.writeValueAsString(document)).append("\n---\n");
      }
      // Whole files only (the folder is watched; hidden files are not read)
      Path hidden = Files.writeString(manifests.resolve("." + file.getKey()), yaml);
      Files.move(hidden, manifests.resolve(file.getKey()), StandardCopyOption.ATOMIC_MOVE);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    JarProcess.closeAll(vertx, jar);
  }

  @Test
  void a_migrateGivesEveryNginxAnnotationItsVerdictAndExits3ForSecurityGaps() throws Exception {
    assertThat(INGRESSES).hasSizeGreaterThanOrEqualTo(20);
    // When
    Processes.Run run = corpusReport.get();
    // Then every Ingress is in the report with exactly the nginx annotations of its file
    Map<String, Map<String, JsonNode>> report = report(run);
    assertThat(report.keySet()).containsExactlyInAnyOrderElementsOf(INGRESSES.stream().map(CorpusIngress::id).toList());
    boolean anySecurity = false;
    for (CorpusIngress ingress : INGRESSES) {
      Map<String, JsonNode> verdicts = report.get(ingress.id());
      Set<String> written = ingress.annotations().keySet().stream().filter(key -> key.startsWith(NGINX))
          .collect(Collectors.toSet());
      assertThat(verdicts.keySet()).as(ingress.file()).containsExactlyInAnyOrderElementsOf(written);
      for (String key : written) {
        JsonNode entry = verdicts.get(key);
        String where = ingress.id() + " " + key + ": " + entry;
        assertThat(entry.path("value").asText()).as(where).isEqualTo(ingress.annotations().get(key));
        String expected = key.equals(INVALID.get(ingress.id())) ? "invalid"
            : HONOURED.contains(key) ? "honoured" : "not-honoured";
        assertThat(entry.path("verdict").asText()).as(where).isEqualTo(expected);
        boolean security = expected.equals("not-honoured") && SECURITY.matcher(key).matches();
        assertThat(entry.path("securityRelevant").asBoolean()).as(where).isEqualTo(security);
        if (!expected.equals("honoured")) {
          assertThat(entry.path("note").asText()).as(where).isNotBlank();
        }
        anySecurity |= security;
      }
    }
    assertThat(anySecurity).as("the corpus has auth, allow lists, CORS and rate limits").isTrue();
    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(3);
  }

  @Test
  void b_migrateExits0WithoutTheFilesThatHaveSecurityRelevantAnnotations() throws Exception {
    // When migrate reads the corpus without every file that sets a security-relevant annotation
    Processes.Run run = withoutSecurityReport.get();
    // Then the others are still reported (not honoured ones among them), and the exit code is 0
    assertThat(report(run)).isNotEmpty();
    assertThat(run.stdout()).contains("\"not-honoured\"");
    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
  }

  @Test
  void c_everyIngressIsServedByItsOwnServiceUnlessAnUnhonouredAnnotationSaysOtherwise() throws Exception {
    awaitCorpusApplied();
    int probed = 0;
    for (CorpusIngress ingress : INGRESSES) {
      if (INVALID.containsKey(ingress.id())) {
        continue;
      }
      for (PathRule rule : ingress.paths()) {
        String own = ingress.namespace() + "/" + rule.service();
        boolean regex = rule.pathType().equals("ImplementationSpecific") && REGEX_CHARS.matcher(rule.path()).find();
        boolean canary = ingress.annotated("canary", "true");
        String path = regex ? regexSample(rule.path()) : rule.path();
        List<String> headers = canary && HONOURED.contains(NGINX + "canary-by-header")
            ? List.of(ingress.annotations().get(NGINX + "canary-by-header") + ": "
                + ingress.annotations().get(NGINX + "canary-by-header-value")) : offTheCanary(rule);
        if (ingress.annotated("auth-type", "basic")) {
          // the corpus's htpasswd Secrets have this user (see its README)
          headers = Stream.concat(headers.stream(), Stream.of("Authorization: Basic "
              + Base64.getEncoder().encodeToString("corpus:corpus-pw".getBytes(StandardCharsets.UTF_8)))).toList();
        }
        Reply reply = get(rule.host(), path, ingress.tlsHosts().contains(rule.host()), headers);
        String where = ingress.id() + " " + rule;
        if (refusesTheProbes(ingress)) {
          // Documented: a client outside whitelist-source-range (or inside denylist-source-range) gets 403, before anything else
          assertThat(reply.status()).as(where + ": " + reply).isEqualTo(403);
          assertThat(reply.body()).as(where).doesNotContain("service=");
          probed++;
          continue;
        }
        if (ingress.annotations().containsKey(NGINX + "auth-url")) {
          // Documented: an authentication service that cannot be asked (the corpus's oauth2-proxy does
          // not exist here) is a 500, never an open door
          assertThat(reply.status()).as(where + ": " + reply).isEqualTo(500);
          assertThat(reply.body()).as(where).doesNotContain("service=");
          probed++;
          continue;
        }
        String appRoot = appRootLocation(ingress, rule.host(), path, ingress.tlsHosts().contains(rule.host()));
        if (appRoot != null) {
          // Documented: a request for exactly / gets a 302 to app-root, same scheme, host and port
          assertThat(reply.status() + " " + reply.location()).as(where).isEqualTo("302 " + appRoot);
          probed++;
          continue;
        }
        String redirect = redirectOf(ingress);
        if (redirect != null) {
          // Documented: temporal-redirect wins; the Location is the URL as written ($request_uri: the request's path)
          boolean temporal = ingress.annotations().containsKey(NGINX + "temporal-redirect");
          String code = ingress.annotations().getOrDefault(NGINX + (temporal ? "temporal" : "permanent") + "-redirect-code",
              temporal ? "302" : "301");
          assertThat(reply.status()).as(where + ": " + reply).isEqualTo(Integer.parseInt(code));
          assertThat(reply.location()).as(where).isEqualTo(redirect.replace("$request_uri", path));
          probed++;
          continue;
        }
        assertThat(reply.status()).as(where + ": " + reply).isEqualTo(200);
        if (regex && !HONOURED.contains(NGINX + "use-regex")) {
          // Documented: "paths are matched as Prefix or Exact, not as regular expressions"
          assertThat(reply.body()).as(where).doesNotContain("service=" + own + " ");
        } else if (canary && !HONOURED.contains(NGINX + "canary")) {
          // Documented: routed as a normal Ingress, so the older (or first by name) one keeps the path
          assertThat(reply.body()).as(where).startsWith("service=" + ingress.namespace() + "/")
              .doesNotStartWith("service=" + own + " ");
          assertThat(jar.logText()).contains("Ingress " + ingress.id() + ": spec.rules[0].http.paths[0]: host "
              + rule.host() + " path " + rule.path() + " (Prefix) is already served by");
        } else {
          assertThat(reply.body()).as(where).startsWith("service=" + own + " ");
          String target = ingress.annotations().get(NGINX + "rewrite-target");
          if (target != null) {
            // Documented: the whole path becomes the target with $1–$9 from the path's groups, and
            // x-forwarded-prefix goes with the rewrite
            assertThat(reply.body()).as(where).contains(" uri=" + rewritten(rule.path(), path, target) + " ")
                .contains(" prefix=" + ingress.annotations().get(NGINX + "x-forwarded-prefix") + "\n");
          }
          String vhost = ingress.annotations().get(NGINX + "upstream-vhost");
          if (vhost != null) {
            assertThat(reply.body()).as(where).contains(" host=" + vhost + " ");
          }
        }
        probed++;
      }
    }
    assertThat(probed).isGreaterThanOrEqualTo(INGRESSES.size());
  }

  @Test
  void d_eachIngressWithUnsupportedAnnotationsGetsExactlyOneWarnLineNamingThem() throws Exception {
    awaitCorpusApplied();
    List<String> problems = jar.logText().lines().filter(line -> line.contains(" WARN ") && line.contains("ProblemLog"))
        .toList();
    for (CorpusIngress ingress : INGRESSES) {
      List<String> unsupported = problems.stream().filter(line -> line.contains("Ingress " + ingress.id()
          + ": metadata.annotations: the route is served without these annotations")).toList();
      if (ingress.unsupported().isEmpty()) {
        assertThat(unsupported).as(ingress.id()).isEmpty();
        continue;
      }
      assertThat(unsupported).as(ingress.id()).hasSize(1);
      for (String key : ingress.unsupported()) {
        assertThat(unsupported.get(0)).as(ingress.id()).containsPattern(Pattern.quote(key) + "([ ,.]|$)");
      }
      for (String key : ingress.annotations().keySet()) {
        if (HONOURED.contains(key)) {
          assertThat(unsupported.get(0)).as(ingress.id() + " honours " + key).doesNotContain(key);
        }
      }
    }
    // And nothing else is wrong with the corpus: only the Secrets that cert-manager would make are missing
    Pattern expected = Pattern.compile(".* Ingress (\\S+): (metadata\\.annotations: the route is served without these"
        + " annotations\\. .*|metadata\\.annotations\\[(\\S+)\\]: .*|spec\\.tls\\[\\d+\\]\\.secretName: Secret \\S+ not"
        + " found; .*|spec\\.rules\\[0\\]\\.http\\.paths\\[0\\]: host \\S+ path / \\(Prefix\\) is already served by .*)");
    for (String line : problems) {
      Matcher matcher = expected.matcher(line);
      assertThat(matcher.matches()).as(line).isTrue();
      if (matcher.group(3) != null) {
        assertThat(INVALID.get(matcher.group(1))).as(line).isEqualTo(matcher.group(3));
      }
    }
  }

  @Test
  void e_sslRedirectTrueRedirectsTlsHostsAndFalseServesThemOverHttp() throws Exception {
    awaitCorpusApplied();
    Set<Boolean> seen = new TreeSet<>();
    for (CorpusIngress ingress : INGRESSES) {
      PathRule rule = ingress.paths().get(0);
      if (INVALID.containsKey(ingress.id()) || !ingress.tlsHosts().contains(rule.host())) {
        continue;
      }
      boolean redirect = !ingress.annotated("ssl-redirect", "false");
      seen.add(redirect);
      Reply reply = get(rule.host(), rule.path(), false, List.of());
      String appRoot = appRootLocation(ingress, rule.host(), rule.path(), false);
      if (refusesTheProbes(ingress)) {
        assertThat(reply.status()).as(ingress.id() + ": the refusal comes before the redirect").isEqualTo(403);
      } else if (appRoot != null) {
        // app-root's redirect comes first, as in ingress-nginx (its server-level rewrite runs before the HTTPS redirect)
        assertThat(reply.status() + " " + reply.location()).as(ingress.id()).isEqualTo("302 " + appRoot);
      } else if (redirect) {
        assertThat(reply.status() + " " + reply.location()).as(ingress.id())
            .isEqualTo("308 https://" + rule.host() + ":" + httpsPort + rule.path());
      } else {
        assertThat(reply.status()).as(ingress.id() + ": " + reply).isEqualTo(200);
        assertThat(reply.body()).as(ingress.id()).startsWith("service=" + ingress.namespace() + "/" + rule.service() + " ");
      }
    }
    assertThat(seen).as("the corpus has TLS hosts with ssl-redirect true (or unset) and false").containsExactly(false, true);
  }

  @Test
  void f_backendProtocolHttpsReachesBackendsThatOnlySpeakTls() throws Exception {
    awaitCorpusApplied();
    List<CorpusIngress> https = INGRESSES.stream().filter(i -> i.annotated("backend-protocol", "HTTPS")).toList();
    assertThat(https).hasSizeGreaterThanOrEqualTo(3);
    int served = 0;
    for (CorpusIngress ingress : https) {
      PathRule rule = ingress.paths().get(0);
      Reply reply = get(rule.host(), rule.path(), true, List.of());
      if (refusesTheProbes(ingress)) {
        assertThat(reply.status()).as(ingress.id() + ": " + reply).isEqualTo(403);
        continue;
      }
      assertThat(reply.status()).as(ingress.id() + ": " + reply).isEqualTo(200);
      assertThat(reply.body()).as(ingress.id()).contains(" tls=true ");
      served++;
    }
    assertThat(served).isGreaterThanOrEqualTo(2);
  }

  @Test
  void g_proxyReadTimeoutGives504WhenTheBackendAnswersTooLate() throws Exception {
    awaitCorpusApplied();
    // podinfo's /delay/{seconds}, behind a proxy-read-timeout of a few seconds
    List<CorpusIngress> short_ = INGRESSES.stream().filter(i -> i.annotations().containsKey(NGINX + "proxy-read-timeout")
        && i.annotations().get(NGINX + "proxy-read-timeout").matches("[1-5]")).toList();
    assertThat(short_).isNotEmpty();
    for (CorpusIngress ingress : short_) {
      PathRule rule = ingress.paths().get(0);
      boolean tls = ingress.tlsHosts().contains(rule.host());
      assertThat(get(rule.host(), "/delay/0", tls, List.of()).status()).as(ingress.id()).isEqualTo(200);
      assertThat(get(rule.host(), "/delay/15", tls, List.of()).status()).as(ingress.id()).isEqualTo(504);
    }
  }

  @Test
  void g2_customHttpErrorsAreAnsweredWithTheDefaultBackendsPage() throws Exception {
    awaitCorpusApplied();
    // Documented: an answer with a listed status is replaced by default-backend's answer to GET /,
    // sent with X-Code; an unlisted one is the backend's own
    List<CorpusIngress> paged = INGRESSES.stream().filter(i -> i.annotations().containsKey(NGINX + "custom-http-errors")
        && i.annotations().containsKey(NGINX + "default-backend")).toList();
    assertThat(paged).isNotEmpty();
    for (CorpusIngress ingress : paged) {
      PathRule rule = ingress.paths().get(0);
      boolean tls = ingress.tlsHosts().contains(rule.host());
      String code = ingress.annotations().get(NGINX + "custom-http-errors").split(",")[0].trim();
      Reply replaced = get(rule.host(), "/status/" + code, tls, List.of());
      assertThat(replaced.status()).as(ingress.id()).isEqualTo(Integer.parseInt(code));
      assertThat(replaced.body()).as(ingress.id()).startsWith("service=" + ingress.namespace() + "/"
          + ingress.annotations().get(NGINX + "default-backend") + " ").contains(" uri=/ code=" + code + " ");
      Reply own = get(rule.host(), "/status/418", tls, List.of());
      assertThat(own.status()).as(ingress.id()).isEqualTo(418);
      assertThat(own.body()).as(ingress.id()).startsWith("service=" + ingress.namespace() + "/" + rule.service() + " ");
    }
  }

  @Test
  void g3_corsPreflightsOfAllowedOriginsAreAnsweredAtTheEdge() throws Exception {
    awaitCorpusApplied();
    // Documented: an OPTIONS request of an allowed origin gets 204 and the Access-Control-* headers
    // without reaching the backend; another origin's request is the backend's to answer
    List<CorpusIngress> cors = INGRESSES.stream().filter(i -> "true".equals(i.annotations().get(NGINX + "enable-cors")))
        .toList();
    assertThat(cors).isNotEmpty();
    for (CorpusIngress ingress : cors) {
      PathRule rule = ingress.paths().get(0);
      boolean tls = ingress.tlsHosts().contains(rule.host());
      String listed = ingress.annotations().getOrDefault(NGINX + "cors-allow-origin", "*");
      String origin = listed.equals("*") ? "https://anyone.example" : listed.split(",")[0].trim();
      List<String> preflight = List.of("Origin: " + origin, "Access-Control-Request-Method: GET");
      Reply answered = request("OPTIONS", rule.host(), rule.path(), tls, preflight, "access-control-allow-origin");
      assertThat(answered.status()).as(ingress.id()).isEqualTo(204);
      assertThat(answered.location()).as(ingress.id()).isEqualTo(listed.equals("*") ? "*" : origin);
      assertThat(answered.body()).as(ingress.id()).isEmpty();
      if (!listed.equals("*")) {
        Reply other = request("OPTIONS", rule.host(), rule.path(), tls,
            List.of("Origin: https://elsewhere.example", "Access-Control-Request-Method: GET"), "access-control-allow-origin");
        assertThat(other.body()).as(ingress.id()).startsWith("service=" + ingress.namespace() + "/" + rule.service() + " ");
        assertThat(other.location()).as(ingress.id()).isEmpty();
      }
    }
  }

  @Test
  void h_anIngressWithAnInvalidValueIsNotServedAndTheLogNamesTheAnnotation() throws Exception {
    awaitCorpusApplied();
    for (Map.Entry<String, String> invalid : INVALID.entrySet()) {
      CorpusIngress ingress = INGRESSES.stream().filter(i -> i.id().equals(invalid.getKey())).findFirst().orElseThrow();
      PathRule rule = ingress.paths().get(0);
      assertThat(get(rule.host(), rule.path(), true, List.of()).status()).as(ingress.id()).isEqualTo(404);
      assertThat(jar.logText()).contains("Ingress " + ingress.id() + ": metadata.annotations[" + invalid.getValue()
          + "]: \"" + ingress.annotations().get(invalid.getValue()) + "\"");
    }
  }

  /**
   * An HTTP reply as curl saw it.
   *
   * @param location the redirect URL, or the answer header {@code request} was asked for (empty when none)
   */
  record Reply(int status, String body, String location) {
  }

  /**
   * Whether the Ingress's source ranges refuse this test's requests, which come from 127.0.0.1
   * (the corpus's access lists name private or documentation ranges).
   */
  private static boolean refusesTheProbes(CorpusIngress ingress) {
    List<String> allow = ranges(ingress, "whitelist-source-range");
    List<String> deny = ranges(ingress, "denylist-source-range");
    return !(allow.isEmpty() && deny.isEmpty())
        && !new SourceRangeRules(new SourceRanges(allow, deny)).allows("127.0.0.1");
  }

  private static List<String> ranges(CorpusIngress ingress, String name) {
    String value = ingress.annotations().get(NGINX + name);
    return value == null ? List.of() : Arrays.stream(value.split(",")).map(String::trim).toList();
  }

  /** Where app-root sends a request for {@code path} on {@code host} (over HTTPS or plain HTTP), or null. */
  private static String appRootLocation(CorpusIngress ingress, String host, String path, boolean https) {
    String appRoot = ingress.annotations().get(NGINX + "app-root");
    if (appRoot == null || !HONOURED.contains(NGINX + "app-root") || !path.equals("/")) {
      return null;
    }
    // the Host header names the port over HTTPS (curl --resolve), not over plain HTTP (-H Host)
    return (https ? "https://" + host + ":" + httpsPort : "http://" + host) + appRoot;
  }

  /** The URL of the Ingress's honoured redirect annotation (temporal-redirect wins), or null. */
  private static String redirectOf(CorpusIngress ingress) {
    for (String name : List.of("temporal-redirect", "permanent-redirect")) {
      if (HONOURED.contains(NGINX + name) && ingress.annotations().containsKey(NGINX + name)) {
        return ingress.annotations().get(NGINX + name);
      }
    }
    return null;
  }

  /** GET {@code path} on {@code host}: over HTTPS (trusting any certificate) or plain HTTP. */
  private static Reply get(String host, String path, boolean https, List<String> headers) throws Exception {
    return request("GET", host, path, https, headers, null);
  }

  /**
   * A request without a body; the reply's {@code location} is the redirect URL, or the value of
   * {@code answerHeader} when one is named (empty when absent).
   */
  private static Reply request(String method, String host, String path, boolean https, List<String> headers,
      String answerHeader) throws Exception {
    List<String> args = new ArrayList<>(List.of("-s", "-k", "--path-as-is", "-X", method, "-w",
        "\n%{http_code} " + (answerHeader == null ? "%{redirect_url}" : "%header{" + answerHeader + "}")));
    for (String header : headers) {
      args.addAll(List.of("-H", header));
    }
    if (https) {
      args.addAll(List.of("--resolve", host + ":" + httpsPort + ":127.0.0.1", "https://" + host + ":" + httpsPort + path));
    } else {
      args.addAll(List.of("-H", "Host: " + host, "http://127.0.0.1:" + httpPort + path));
    }
    String out = Processes.curl(args.toArray(String[]::new)).stdout();
    int last = out.lastIndexOf('\n');
    String[] status = out.substring(last + 1).split(" ", 2);
    return new Reply(Integer.parseInt(status[0]), out.substring(0, last), status.length > 1 ? status[1] : "");
  }

  /**
   * A request path that the ingress-nginx regular expression {@code regex} matches (as a
   * case-insensitive prefix, as ingress-nginx matches them), for the shapes the corpus uses.
   */
  static String regexSample(String regex) {
    String sample = regex.replace("(/|$)", "/").replace("(.*)", "probe").replace(".*", "probe");
    assertThat(sample).as("add a sample rule for " + regex).doesNotContainPattern(REGEX_CHARS);
    assertThat(Pattern.compile("^" + regex, Pattern.CASE_INSENSITIVE).matcher(sample).find()).as(regex).isTrue();
    return sample;
  }

  /**
   * The headers that keep a request for a main Ingress's path off the canary that shares it
   * (documented: a canary-by-cookie of {@code never} wins over the weight), none when no canary does.
   */
  static List<String> offTheCanary(PathRule rule) {
    for (CorpusIngress other : INGRESSES) {
      if (other.annotated("canary", "true") && other.paths().stream()
          .anyMatch(p -> p.host().equals(rule.host()) && p.path().equals(rule.path()))) {
        String cookie = other.annotations().get(NGINX + "canary-by-cookie");
        assertThat(cookie).as("a canary of the corpus needs canary-by-cookie, or probes of its main route are random")
            .isNotNull();
        return List.of("Cookie: " + cookie + "=never");
      }
    }
    return List.of();
  }

  /**
   * What nginx's {@code rewrite "(?i)regex" target break} makes of {@code path}: the target, its
   * {@code $1}–{@code $9} replaced by the groups of the leftmost match (empty when a group took no part).
   */
  static String rewritten(String regex, String path, String target) {
    Matcher matcher = Pattern.compile(regex, Pattern.CASE_INSENSITIVE).matcher(path);
    assertThat(matcher.find()).as(regex + " finds " + path).isTrue();
    String result = target;
    for (int group = 9; group >= 1; group--) {
      String value = group <= matcher.groupCount() && matcher.group(group) != null ? matcher.group(group) : "";
      result = result.replace("$" + group, value);
    }
    return result;
  }

  /**
   * Waits until the data plane is ready, has logged the problems of every Ingress of the corpus and
   * serves a routing table with a route from every Ingress that is not invalid or a canary.
   */
  private static void awaitCorpusApplied() {
    Processes.awaitReady(adminPort);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
      String log = jar.logText();
      String config = Processes.curl("-s", "http://127.0.0.1:" + adminPort + "/config").stdout();
      return INGRESSES.stream().filter(i -> !i.unsupported().isEmpty())
          .allMatch(i -> log.contains("Ingress " + i.id() + ": metadata.annotations: "))
          && INGRESSES.stream().filter(i -> !INVALID.containsKey(i.id()) && !i.annotated("canary", "true"))
          .allMatch(i -> config.contains("\"source\" : \"Ingress " + i.id() + "\""));
    });
  }

  /** {@code migrate --manifests folder -o json}, started now in the background (C1 only: a short run). */
  private static CompletableFuture<Processes.Run> migrate(Path folder) {
    List<String> command = List.of("java", "-XX:TieredStopAtLevel=1", "-jar", JarProcess.JAR.toString(), "migrate",
        "--manifests", folder.toString(), "-o", "json");
    return CompletableFuture.supplyAsync(() -> {
      try {
        return Processes.run(Path.of("."), command, 60);
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(command + ": " + e, e);
      }
    });
  }

  /** The JSON report: per Ingress, its annotations by name. */
  private static Map<String, Map<String, JsonNode>> report(Processes.Run run) throws IOException {
    Map<String, Map<String, JsonNode>> report = new HashMap<>();
    for (JsonNode ingress : JSON.readTree(run.stdout())) {
      Map<String, JsonNode> annotations = new LinkedHashMap<>();
      ingress.path("annotations").forEach(entry -> annotations.put(entry.path("name").asText(), entry));
      assertThat(report.put(ingress.path("ingress").asText(), annotations)).as("reported once").isNull();
    }
    return report;
  }

  /** Every YAML document of the corpus, and its Ingresses. */
  private static void readCorpus() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(CORPUS)) {
      files = list.filter(file -> file.toString().endsWith(".yaml")).sorted().toList();
    }
    for (Path file : files) {
      List<JsonNode> documents = new ArrayList<>();
      for (Object document : new Yaml().loadAll(Files.readString(file))) {
        if (document != null) {
          documents.add(JSON.valueToTree(document));
        }
      }
      DOCUMENTS.put(file.getFileName().toString(), documents);
      for (JsonNode document : documents) {
        if (document.path("kind").asText().equals("Ingress")) {
          INGRESSES.add(ingress(file.getFileName().toString(), document));
        }
      }
    }
  }

  private static CorpusIngress ingress(String file, JsonNode document) {
    JsonNode metadata = document.path("metadata");
    Map<String, String> annotations = new TreeMap<>();
    metadata.path("annotations").properties().forEach(entry -> annotations.put(entry.getKey(), entry.getValue().asText()));
    Set<String> tlsHosts = new TreeSet<>();
    document.path("spec").path("tls").forEach(tls -> tls.path("hosts").forEach(host -> tlsHosts.add(host.asText())));
    List<PathRule> paths = new ArrayList<>();
    document.path("spec").path("rules").forEach(rule -> rule.path("http").path("paths").forEach(path ->
        paths.add(new PathRule(rule.path("host").asText(), path.path("path").asText(), path.path("pathType").asText(),
            path.path("backend").path("service").path("name").asText()))));
    return new CorpusIngress(metadata.path("namespace").asText() + "/" + metadata.path("name").asText(), file,
        annotations, tlsHosts, paths);
  }

  /**
   * Starts this Service's backend and points its static endpoint there: HTTPS with a self-signed
   * certificate for the TLS placeholder, HTTP otherwise. It answers with the Service's name, whether
   * it spoke TLS, the Host and the URI; {@code /delay/N} answers after N seconds, as podinfo does.
   */
  private static void backFor(JsonNode service, SelfSignedCertificate certificate) {
    JsonNode annotations = service.path("metadata").path("annotations");
    boolean tls = annotations.path(STATIC_ENDPOINTS).asText().equals(TLS_PLACEHOLDER);
    String name = service.path("metadata").path("namespace").asText() + "/" + service.path("metadata").path("name").asText();
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
    if (tls) {
      options.setSsl(true).setKeyCertOptions(certificate.keyCertOptions());
    }
    HttpServer server = vertx.createHttpServer(options).requestHandler(request -> {
      Matcher delay = Pattern.compile("/delay/(\\d+)").matcher(request.path());
      if (delay.matches() && Long.parseLong(delay.group(1)) > 0) {
        vertx.setTimer(Long.parseLong(delay.group(1)) * 1000, timer -> answer(request, name, tls));
      } else {
        answer(request, name, tls);
      }
    }).listen().await();
    ((com.fasterxml.jackson.databind.node.ObjectNode) annotations).put(STATIC_ENDPOINTS,
        "127.0.0.1:" + server.actualPort());
  }

  /** What every corpus backend answers: 200 (the status of the X-Code it was sent, or of a {@code /status/NNN} path) and what it received. */
  private static void answer(HttpServerRequest request, String service, boolean tls) {
    Matcher status = Pattern.compile(".*/status/(\\d{3})").matcher(request.path());
    String code = request.getHeader("X-Code");
    request.response().setStatusCode(code != null ? Integer.parseInt(code)
            : status.matches() ? Integer.parseInt(status.group(1)) : 200)
        .end("service=" + service + " tls=" + tls + " host=" + request.getHeader("Host") + " uri="
        + request.uri() + " code=" + code + " prefix=" + request.getHeader("X-Forwarded-Prefix") + "\n");
  }
}
