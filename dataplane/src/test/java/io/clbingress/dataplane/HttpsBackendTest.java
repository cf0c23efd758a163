package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.BackendProtocol;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code backend-protocol: HTTPS}: requests and WebSocket upgrades are re-encrypted to the backend. */
class HttpsBackendTest {

  static DataPlaneHarness harness;
  static TestBackend secure;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    secure = TestBackend.startTls(harness.vertx, "secure");
    harness.apply(table(1).cluster("secure", BackendProtocol.HTTPS, secure.port())
        .prefix("app.example.com", "/", "secure").build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (secure != null) {
      secure.close();
    }
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void plainRequestReachesTheBackendOverTls() throws Exception {
    DataPlaneHarness.Answer answer = harness.get("app.example.com", "/hello");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("secure");
    assertThat(answer.headers()).containsEntry("x-backend-tls", "true");
  }

  @Test
  void webSocketReachesTheBackendOverTls() throws Exception {
    WebSocket ws = harness.webSocket("app.example.com", "/chat");
    Promise<String> echo = Promise.promise();
    ws.textMessageHandler(echo::tryComplete);
    ws.writeTextMessage("over tls");
    assertThat(DataPlaneHarness.await(echo.future())).isEqualTo("secure:over tls");
    DataPlaneHarness.await(ws.close());
  }
}
