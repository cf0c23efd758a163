package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clbingress.dataplane.table.BasicAuth;
import io.clbingress.dataplane.table.ExternalAuth;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.HostAndPort;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A route's {@link BasicAuth} enforced by the data plane, with password files made at test time by
 * Debian's {@code htpasswd} (apache2-utils): bcrypt (checked off the event loop) and {@code {SHA}}
 * (checked at once). Real clients over HTTP/1.1 (raw bytes), h2 and WebSocket; the backend sees
 * only requests whose credentials are right, and never their {@code Authorization}. With an
 * external service too, the password comes first and the service is asked only after it.
 */
class BasicAuthProxyTest {

  private static final String HTPASSWD = "/usr/bin/htpasswd";

  static DataPlaneHarness harness;
  static TestBackend app;
  static HttpServer service;
  static final List<String> asked = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isExecutable(Path.of(HTPASSWD)), "htpasswd (Debian's apache2-utils, which .ci/run installs) is absent");
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    app = harness.backend("app");
    service = harness.server((request, body) -> {
      asked.add(request.getHeader("authorization"));
      request.response().putHeader("X-User", "from-service").end();
    });
    BasicAuth bcrypt = new BasicAuth("staff only", List.of(htpasswd("-B", "alice", "wonder land"),
        htpasswd("-B", "bob", "builder")));
    BasicAuth sha = new BasicAuth("sha", List.of(htpasswd("-s", "carol", "c4rol")));
    ExternalAuth external = new ExternalAuth("http://127.0.0.1:" + service.actualPort() + "/check", null, null, null,
        List.of("x-user"), null, null, List.of(), false);
    harness.apply(table(1).cluster("app", app.port())
        .route("bcrypt.test", Tables.filtered("app", bcrypt))
        .route("sha.test", Tables.filtered("app", sha))
        .route("both.test", Tables.filtered("app", sha, external))
        .overHttpsToo().build());
  }

  /** {@code htpasswd -nb<flag> user password}'s line as a user of the table. */
  private static BasicAuth.User htpasswd(String flag, String user, String password) throws Exception {
    Process process = new ProcessBuilder(HTPASSWD, "-nb" + flag.substring(1), user, password)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String line = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst()
        .orElseThrow();
    assertThat(process.waitFor()).isZero();
    return new BasicAuth.User(line.substring(0, line.indexOf(':')), line.substring(line.indexOf(':') + 1));
  }

  @AfterAll
  static void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  @BeforeEach
  void clear() {
    app.uris.clear();
    asked.clear();
  }

  @Test
  void withoutOrWithWrongCredentialsA401AndTheChallenge() throws Exception {
    RawHttp.Reply none = get("bcrypt.test", null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.header("www-authenticate")).isEqualTo("Basic realm=\"staff only\", charset=\"UTF-8\"");
    assertThat(get("bcrypt.test", basic("alice", "wrong")).status()).isEqualTo(401);
    assertThat(get("bcrypt.test", basic("mallory", "wonder land")).status()).isEqualTo(401);
    assertThat(get("bcrypt.test", "Basic !!!not-base64").status()).isEqualTo(401);
    assertThat(get("bcrypt.test", "Bearer alice").status()).isEqualTo(401);
    assertThat(get("sha.test", basic("carol", "C4ROL")).status()).isEqualTo(401);
    assertThat(app.uris).isEmpty();
  }

  @Test
  void rightCredentialsGoOnWithoutTheirAuthorization() throws Exception {
    for (int i = 0; i < 3; i++) { // the second and third are remembered, not checked again
      RawHttp.Reply reply = get("bcrypt.test", basic("alice", "wonder land"));
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.header("seen-authorization")).as("the backend never sees the password").isNull();
    }
    assertThat(get("bcrypt.test", basic("bob", "builder")).status()).isEqualTo(200);
    assertThat(get("sha.test", "basic " + Base64.getEncoder().encodeToString("carol:c4rol".getBytes(StandardCharsets.UTF_8)))
        .status()).as("the scheme in any case (RFC 7617)").isEqualTo(200);
    assertThat(app.uris).hasSize(5);
  }

  @Test
  void aRefusedBodyNeverReachesTheBackendAndTheConnectionGoesOn() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), "POST /upload HTTP/1.1\r\nHost: bcrypt.test\r\n"
        + "Authorization: " + basic("alice", "nope") + "\r\nContent-Length: 5\r\n\r\nhelloGET /next HTTP/1.1\r\n"
        + "Host: bcrypt.test\r\nAuthorization: " + basic("bob", "builder") + "\r\nConnection: close\r\n\r\n", 10_000);
    assertThat(reply.statuses()).containsExactly(401, 200);
    assertThat(app.uris).containsExactly("/next");
  }

  @Test
  void aWebSocketUpgradeNeedsTheCredentialsToo() throws Exception {
    Throwable refused = DataPlaneHarness.awaitFailure(harness.onContext(() -> harness.webSockets.connect(
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(harness.dataPlane.httpPort()).setURI("/ws")
            .putHeader("host", "bcrypt.test"))));
    assertThat(((UpgradeRejectedException) refused).getStatus()).isEqualTo(401);
    WebSocket ws = DataPlaneHarness.await(harness.onContext(() -> harness.webSockets.connect(
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(harness.dataPlane.httpPort()).setURI("/ws")
            .putHeader("host", "bcrypt.test").putHeader("authorization", basic("alice", "wonder land")))));
    assertThat(DataPlaneHarness.exchange(ws, "hi")).isEqualTo("app:hi");
    assertThat(app.upgradeHeads.get(app.upgradeHeads.size() - 1).get("authorization")).isNull();
    DataPlaneHarness.await(ws.close());
  }

  @Test
  void overH2TheSameAnswers() throws Exception {
    assertThat(h2(null)).isEqualTo(401);
    assertThat(h2(basic("bob", "wrong"))).isEqualTo(401);
    assertThat(h2(basic("bob", "builder"))).isEqualTo(200);
    assertThat(app.uris).containsExactly("/h2");
  }

  @Test
  void withAnExternalServiceThePasswordComesFirst() throws Exception {
    assertThat(get("both.test", basic("carol", "wrong")).status()).isEqualTo(401);
    assertThat(asked).as("the service is not asked for a wrong password").isEmpty();
    RawHttp.Reply reply = get("both.test", basic("carol", "c4rol"));
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("seen-x-user")).isEqualTo("from-service");
    assertThat(reply.header("seen-authorization")).isNull();
    assertThat(asked).as("the service gets the client's headers").containsExactly(basic("carol", "c4rol"));
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static RawHttp.Reply get(String host, String authorization) throws Exception {
    return RawHttp.exchange(harness.dataPlane.httpPort(), "GET / HTTP/1.1\r\nHost: " + host + "\r\n"
        + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "Connection: close\r\n\r\n",
        10_000);
  }

  private static int h2(String authorization) throws Exception {
    int port = harness.dataPlane.httpsPort();
    RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(port).setMethod(HttpMethod.GET)
        .setURI("/h2");
    if (authorization != null) {
      options.putHeader("authorization", authorization);
    }
    return DataPlaneHarness.await(harness.onContext(() -> harness.h2.request(options)
        .compose(request -> request.authority(HostAndPort.create("bcrypt.test", port)).send())
        .compose(response -> response.body().map(body -> response.statusCode()))));
  }
}
