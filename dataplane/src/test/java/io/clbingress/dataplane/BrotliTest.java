package io.clbingress.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.aayushatharva.brotli4j.decoder.DecoderJNI;
import com.aayushatharva.brotli4j.decoder.DirectDecompress;
import io.clbingress.dataplane.GzipTest.Answer;
import io.clbingress.dataplane.proxy.Compression;
import io.clbingress.dataplane.table.Gzip;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.VirtualHost;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Brotli answers ({@code --enable-brotli} on the default listeners, beside {@code --gzip}) over
 * HTTP/1.1 (the Netty engine) and h2 (Vert.x), with real clients, decoded by Google's decoder:
 * which coding each client gets by its weights, Brotli's own length and types, and that a
 * CLBListener with its own gzip settings gets no Brotli. The backend is {@link GzipTest}'s.
 */
class BrotliTest {

  static DataPlaneHarness harness;
  static HttpServer app;
  static int ownPort;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(DataPlaneOptions.loopback(Duration.ofSeconds(1)).withCompression(
        Compression.of(new Gzip(256, List.of("text/plain", "application/json")), 6,
            new Gzip(20, List.of("text/plain")), 5)));
    app = harness.server((request, body) -> GzipTest.serve(request));
    ownPort = DataPlaneHarness.freePort();
    Route route = new Route(PathMatch.Prefix.of("/"), "app", Tables.DEFAULT_TIMEOUTS, "test");
    harness.apply(Tables.table(1).cluster("app", app.actualPort()).defaultRoute("app").overHttpsToo()
        .listener(new Listener("own", Protocol.HTTP, ownPort, List.of(new VirtualHost("*", List.of(route))), null)
            .withGzip(new Gzip(0, List.of("*"))))
        .build());
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  @AfterEach
  void noCompressorIsLeftOpen() {
    await().atMost(Duration.ofSeconds(10)).until(() -> Compression.openEncoders() == 0);
  }

  static List<Answer> both(String path, String acceptEncoding) throws Exception {
    return List.of(
        GzipTest.exchange(harness, harness.http, harness.dataPlane.httpPort(), "a.example.com", HttpMethod.GET, path,
            acceptEncoding),
        GzipTest.exchange(harness, harness.h2, harness.dataPlane.httpsPort(), "a.example.com", HttpMethod.GET, path,
            acceptEncoding));
  }

  static String unbrotli(Answer answer) throws Exception {
    DirectDecompress decoded = DirectDecompress.decompress(answer.body());
    assertThat(decoded.getResultStatus()).isEqualTo(DecoderJNI.Status.DONE);
    return new String(decoded.getDecompressedData(), StandardCharsets.UTF_8);
  }

  /** A browser's {@code gzip, deflate, br}: Brotli, the head edited as for gzip. */
  @ParameterizedTest
  @ValueSource(strings = {"/sized/5000", "/chunked/5000"})
  void aBrowserGetsBrotli(String path) throws Exception {
    for (Answer answer : both(path, "gzip, deflate, br")) {
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.header("content-encoding")).isEqualTo("br");
      assertThat(answer.header("content-length")).isNull();
      assertThat(answer.header("vary")).isEqualTo("Accept-Encoding");
      assertThat(answer.header("etag")).isEqualTo("W/\"v1\"");
      assertThat(unbrotli(answer)).isEqualTo(GzipTest.text(5000));
      assertThat(answer.body().length).isLessThan(5000 / 4);
    }
  }

  /** RFC 9110 §12.5.3 weights choose; Brotli on a tie; a coding at q=0 is never sent. */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      br                        | br
      *                         | br
      gzip;q=1, br;q=0.5        | gzip
      br;q=0, gzip              | gzip
      br;q=0.8, gzip;q=0.8      | br
      gzip;q=0, br;q=0.1        | br
      br;q=0, gzip;q=0          | ''
      identity                  | ''
      """)
  void theClientsWeightsChoose(String acceptEncoding, String coding) throws Exception {
    for (Answer answer : both("/sized/1000", acceptEncoding)) {
      assertThat(answer.header("content-encoding")).isEqualTo(coding.isEmpty() ? null : coding);
      assertThat(answer.header("vary")).isEqualTo("Accept-Encoding");
      String body = coding.equals("br") ? unbrotli(answer) : coding.equals("gzip") ? answer.gunzipped() : answer.text();
      assertThat(body).isEqualTo(GzipTest.text(1000));
    }
  }

  /**
   * Each coding has its own length and types: 100 bytes are over Brotli's minimum (20) and under
   * gzip's (256); JSON is among gzip's types only. A coding the answer is not for is skipped in
   * favour of the other when the client takes it.
   */
  @Test
  void eachCodingFollowsItsOwnLengthAndTypes() throws Exception {
    for (Answer answer : both("/sized/100", "gzip, br")) {
      assertThat(answer.header("content-encoding")).isEqualTo("br");
      assertThat(unbrotli(answer)).isEqualTo(GzipTest.text(100));
    }
    for (Answer answer : both("/sized/100", "gzip")) {
      assertThat(answer.header("content-encoding")).as("under gzip's minimum").isNull();
      assertThat(answer.header("vary")).as("Brotli would have compressed it").isEqualTo("Accept-Encoding");
    }
    for (Answer answer : both("/type/application/json", "br;q=1, gzip;q=0.5")) {
      assertThat(answer.header("content-encoding")).as("not a Brotli type").isEqualTo("gzip");
      assertThat(answer.gunzipped()).isEqualTo(GzipTest.text(1000));
    }
    for (Answer answer : both("/sized/10", "gzip, br")) {
      assertThat(answer.header("content-encoding")).as("under both minimums").isNull();
      assertThat(answer.header("vary")).isNull();
    }
  }

  /** What the backend encoded, HEAD and 304 are left alone as with gzip. */
  @Test
  void encodedAndBodilessAnswersAreLeftAlone() throws Exception {
    for (Answer answer : both("/encoded", "br")) {
      assertThat(answer.header("content-encoding")).as("the backend's own").isEqualTo("br");
      assertThat(answer.text()).isEqualTo(GzipTest.text(1000));
    }
    for (Answer answer : both("/status/304", "br")) {
      assertThat(answer.header("content-encoding")).isNull();
    }
    Answer head = GzipTest.exchange(harness, harness.http, harness.dataPlane.httpPort(), "a.example.com",
        HttpMethod.HEAD, "/sized/1000", "br");
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.header("content-encoding")).isNull();
    assertThat(head.header("vary")).as("not covered: no Vary either (nginx)").isNull();
    assertThat(head.header("etag")).isEqualTo("\"v1\"");
  }

  /** A CLBListener's spec.defaults.gzip has no Brotli: gzip there, nothing for a Brotli-only client. */
  @Test
  void aListenerWithItsOwnSettingsGetsNoBrotli() throws Exception {
    Answer brOnly = GzipTest.exchange(harness, harness.http, ownPort, "a.example.com", HttpMethod.GET, "/sized/1000", "br");
    assertThat(brOnly.header("content-encoding")).isNull();
    Answer both = GzipTest.exchange(harness, harness.http, ownPort, "a.example.com", HttpMethod.GET, "/sized/1000",
        "gzip, br");
    assertThat(both.header("content-encoding")).isEqualTo("gzip");
  }

  /** A Brotli answer broken off mid-body by either side: its encoder's native memory is freed. */
  @ParameterizedTest
  @ValueSource(strings = {"h1 client leaves", "h2 client resets", "backend breaks off h1", "backend breaks off h2"})
  void anEncoderIsFreedWhenEitherSideVanishesMidBody(String how) throws Exception {
    GzipTest.vanishMidBody(harness, how, "br");
  }
}
