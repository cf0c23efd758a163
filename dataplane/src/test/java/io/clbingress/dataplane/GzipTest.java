package io.clbingress.dataplane;

import static io.clbingress.dataplane.DataPlaneHarness.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clbingress.dataplane.proxy.Compression;
import io.clbingress.dataplane.table.Gzip;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.VirtualHost;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compression of answers with gzip ({@code --gzip} on the default listeners, a listener's own
 * {@link Gzip}) over HTTP/1.x (the Netty engine) and h2 (Vert.x), with real clients on real sockets:
 * what is compressed and what is not, the head of a compressed answer, streaming, and that every
 * compressor's native memory is freed when the client or the backend vanishes mid-body.
 */
class GzipTest {

  static DataPlaneHarness harness;
  static HttpServer app;
  static int ownPort;
  static int plainPort;
  /** An answer the backend holds open mid-body, until a test goes on with it. */
  static final AtomicReference<HttpServerResponse> held = new AtomicReference<>();
  static final AtomicReference<Promise<Void>> holding = new AtomicReference<>();

  @BeforeAll
  static void start() throws Exception {
    DataPlaneOptions loopback = DataPlaneOptions.loopback(Duration.ofSeconds(1));
    harness = new DataPlaneHarness(loopback.withCompression(
        Compression.of(new Gzip(256, List.of("text/plain", "application/json")), 6)));
    app = harness.server((request, body) -> serve(request));
    ownPort = DataPlaneHarness.freePort();
    plainPort = DataPlaneHarness.freePort();
    Route route = new Route(PathMatch.Prefix.of("/"), "app", Tables.DEFAULT_TIMEOUTS, "test");
    harness.apply(Tables.table(1).cluster("app", app.actualPort()).defaultRoute("app").overHttpsToo()
        .listener(new Listener("own", Protocol.HTTP, ownPort, List.of(new VirtualHost("*", List.of(route))), null)
            .withGzip(new Gzip(0, List.of("*"))))
        .listener(new Listener("plain", Protocol.HTTP, plainPort, List.of(new VirtualHost("*", List.of(route))), null))
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

  /** {@code n} bytes of text that compresses well. */
  static String text(int n) {
    StringBuilder text = new StringBuilder(n + 64);
    for (int line = 0; text.length() < n; line++) {
      text.append("line ").append(line).append(" of an answer that says much the same thing every time\n");
    }
    return text.substring(0, n);
  }

  /**
   * {@code /sized/N}, {@code /chunked/N}: N bytes of text/plain with a length or chunked;
   * {@code /type/T}: 1000 bytes of T; {@code /status/S}; {@code /encoded}: a body the backend
   * encoded; {@code /partial}: 206 with Content-Range; {@code /hold}: a first piece, then the
   * answer waits for the test ({@link #held}).
   */
  static void serve(io.vertx.core.http.HttpServerRequest request) {
    HttpServerResponse response = request.response().putHeader("etag", "\"v1\"");
    String[] parts = request.path().split("/");
    switch (parts[1]) {
      case "sized" -> response.putHeader("content-type", "text/plain; charset=utf-8").end(text(Integer.parseInt(parts[2])));
      case "chunked" -> {
        String body = text(Integer.parseInt(parts[2]));
        response.setChunked(true).putHeader("content-type", "text/plain");
        for (int at = 0; at < body.length(); at += 1000) {
          response.write(body.substring(at, Math.min(body.length(), at + 1000)));
        }
        response.end();
      }
      case "vary" -> response.putHeader("content-type", "application/json").putHeader("vary", "Origin").end(text(1000));
      case "type" -> response.putHeader("content-type", parts[2] + "/" + parts[3]).end(text(1000));
      case "untyped" -> response.end(text(1000));
      case "status" -> response.setStatusCode(Integer.parseInt(parts[2])).putHeader("content-type", "text/plain").end();
      case "encoded" -> response.putHeader("content-type", "text/plain").putHeader("content-encoding", "br")
          .end(Buffer.buffer(text(1000).getBytes(StandardCharsets.UTF_8)));
      case "partial" -> response.setStatusCode(206).putHeader("content-type", "text/plain")
          .putHeader("content-range", "bytes 0-999/5000").end(text(1000));
      case "large" -> {
        // 8 MiB that compress to about three quarters: the client's outbound buffer fills many times
        response.setChunked(true).putHeader("content-type", "text/plain");
        writeLarge(response, 0);
      }
      case "hold" -> {
        response.setChunked(true).putHeader("content-type", "text/plain").write(text(2000));
        held.set(response);
        holding.get().complete();
      }
      default -> response.setStatusCode(404).end();
    }
  }

  static final int LARGE_PIECES = 128;

  /** Piece {@code i} of the large answer: 64 KiB of base64 text of seeded random bytes. */
  static String largePiece(int i) {
    byte[] bytes = new byte[48 * 1024];
    new java.util.Random(i).nextBytes(bytes);
    return java.util.Base64.getEncoder().encodeToString(bytes);
  }

  /** Writes the large answer piece by piece, each when the proxy takes more (the backend's own back-pressure). */
  static void writeLarge(HttpServerResponse response, int from) {
    for (int i = from; i < LARGE_PIECES; i++) {
      response.write(largePiece(i));
      if (response.writeQueueFull()) {
        int next = i + 1;
        response.drainHandler(v -> writeLarge(response, next));
        return;
      }
    }
    response.end();
  }

  /** What came back, its body as sent (compressed or not). */
  record Answer(int status, Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name);
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    String gunzipped() throws IOException {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
  }

  static Answer h1(int port, HttpMethod method, String path, String acceptEncoding) throws Exception {
    return exchange(harness.http, port, "a.example.com", method, path, acceptEncoding);
  }

  static Answer h1(String path, String acceptEncoding) throws Exception {
    return h1(harness.dataPlane.httpPort(), HttpMethod.GET, path, acceptEncoding);
  }

  static Answer h2(String path, String acceptEncoding) throws Exception {
    return exchange(harness.h2, harness.dataPlane.httpsPort(), "a.example.com", HttpMethod.GET, path, acceptEncoding);
  }

  /** The same request over HTTP/1.1 and over h2. */
  static List<Answer> both(String path, String acceptEncoding) throws Exception {
    return List.of(h1(path, acceptEncoding), h2(path, acceptEncoding));
  }

  static Answer exchange(HttpClientAgent client, int port, String host, HttpMethod method, String path,
      String acceptEncoding) throws Exception {
    return exchange(harness, client, port, host, method, path, acceptEncoding);
  }

  /** A request through {@code on}'s data plane with {@code client}, the body read whole. */
  static Answer exchange(DataPlaneHarness on, HttpClientAgent client, int port, String host, HttpMethod method,
      String path, String acceptEncoding) throws Exception {
    return await(on.onContext(() -> client.request(new RequestOptions().setHost("127.0.0.1").setPort(port)
            .setMethod(method).setURI(path))
        .compose(request -> {
          request.authority(HostAndPort.create(host, port));
          if (acceptEncoding != null) {
            request.putHeader("accept-encoding", acceptEncoding);
          }
          return request.send();
        })
        .compose(response -> response.body().map(body -> answer(response, body)))));
  }

  static Answer answer(HttpClientResponse response, Buffer body) {
    Map<String, String> headers = new HashMap<>();
    response.headers().forEach(h -> headers.merge(h.getKey().toLowerCase(), h.getValue(), (a, b) -> a + "\n" + b));
    return new Answer(response.statusCode(), headers, body.getBytes());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/sized/5000", "/chunked/5000"})
  void aTextAnswerIsCompressedOverHttp1(String path) throws Exception {
    Answer answer = h1(path, "gzip, deflate, br");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("content-encoding")).isEqualTo("gzip");
    assertThat(answer.header("content-length")).isNull();
    assertThat(answer.header("transfer-encoding")).isEqualTo("chunked");
    assertThat(answer.header("vary")).isEqualTo("Accept-Encoding");
    assertThat(answer.header("etag")).as("weakened, as nginx does").isEqualTo("W/\"v1\"");
    assertThat(answer.gunzipped()).isEqualTo(text(5000));
    assertThat(answer.body().length).isLessThan(5000 / 4);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/sized/5000", "/chunked/5000"})
  void aTextAnswerIsCompressedOverH2(String path) throws Exception {
    Answer answer = h2(path, "gzip");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("content-encoding")).isEqualTo("gzip");
    assertThat(answer.header("content-length")).isNull();
    assertThat(answer.header("vary")).isEqualTo("Accept-Encoding");
    assertThat(answer.header("etag")).isEqualTo("W/\"v1\"");
    assertThat(answer.gunzipped()).isEqualTo(text(5000));
    assertThat(answer.body().length).isLessThan(5000 / 4);
  }

  /** RFC 9110 §12.5.3: gzip or x-gzip with a weight above 0, or * when gzip is not named. */
  @ParameterizedTest
  @ValueSource(strings = {"gzip", "GZIP;q=0.5", "x-gzip", "*", "br;q=1, *;q=0.1", "identity, gzip;q=1.0"})
  void aClientThatTakesGzipGetsIt(String acceptEncoding) throws Exception {
    assertThat(h1("/sized/1000", acceptEncoding).header("content-encoding")).isEqualTo("gzip");
    assertThat(h2("/sized/1000", acceptEncoding).header("content-encoding")).isEqualTo("gzip");
  }

  /** The answer as the backend sent it, with the Vary a cache needs (nginx's gzip_vary). */
  @ParameterizedTest
  @ValueSource(strings = {"", "identity", "gzip;q=0", "br", "*;q=0", "gzip;q=0, *", "gzip;q=nonsense"})
  void aClientThatDoesNotTakeGzipGetsTheAnswerAsItIs(String acceptEncoding) throws Exception {
    for (Answer answer : List.of(h1("/sized/1000", acceptEncoding.isEmpty() ? null : acceptEncoding),
        h2("/sized/1000", acceptEncoding.isEmpty() ? null : acceptEncoding))) {
      assertThat(answer.header("content-encoding")).isNull();
      assertThat(answer.header("content-length")).isEqualTo("1000");
      assertThat(answer.header("etag")).isEqualTo("\"v1\"");
      assertThat(answer.header("vary")).isEqualTo("Accept-Encoding");
      assertThat(answer.text()).isEqualTo(text(1000));
    }
  }

  @Test
  void anAnswerTheBackendEncodedIsLeftAlone() throws Exception {
    for (Answer answer : both("/encoded", "gzip")) {
      assertThat(answer.header("content-encoding")).isEqualTo("br");
      assertThat(answer.header("content-length")).isEqualTo("1000");
      assertThat(answer.header("vary")).isNull();
      assertThat(answer.text()).isEqualTo(text(1000));
    }
  }

  @Test
  void anAnswerUnderTheMinimumLengthIsLeftAlone() throws Exception {
    for (Answer answer : both("/sized/255", "gzip")) {
      assertThat(answer.header("content-encoding")).isNull();
      assertThat(answer.header("content-length")).isEqualTo("255");
      assertThat(answer.text()).isEqualTo(text(255));
    }
    assertThat(h1("/sized/256", "gzip").header("content-encoding")).as("at the minimum").isEqualTo("gzip");
    assertThat(h1("/chunked/100", "gzip").gunzipped()).as("of unknown length").isEqualTo(text(100));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/type/image/png", "/type/application/octet-stream", "/untyped"})
  void anAnswerOfAnotherTypeIsLeftAlone(String path) throws Exception {
    for (Answer answer : both(path, "gzip")) {
      assertThat(answer.header("content-encoding")).isNull();
      assertThat(answer.header("content-length")).isEqualTo("1000");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/type/text/html", "/type/application/json", "/type/Text/Plain"})
  void textHtmlAndTheListedTypesAreCompressed(String path) throws Exception {
    assertThat(h1(path, "gzip").gunzipped()).isEqualTo(text(1000));
    assertThat(h2(path, "gzip").gunzipped()).isEqualTo(text(1000));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/status/204", "/status/304", "/partial"})
  void bodilessAndPartialAnswersAreLeftAlone(String path) throws Exception {
    for (Answer answer : both(path, "gzip")) {
      assertThat(answer.header("content-encoding")).isNull();
      assertThat(answer.header("etag")).isEqualTo("\"v1\"");
    }
  }

  @Test
  void anAnswerToHeadIsLeftAlone() throws Exception {
    Answer answer = h1(harness.dataPlane.httpPort(), HttpMethod.HEAD, "/sized/5000", "gzip");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("content-encoding")).isNull();
    assertThat(answer.header("vary")).as("not covered: no Vary either (nginx)").isNull();
    assertThat(answer.header("etag")).isEqualTo("\"v1\"");
    Answer h2 = exchange(harness.h2, harness.dataPlane.httpsPort(), "a.example.com", HttpMethod.HEAD, "/sized/5000",
        "gzip");
    assertThat(h2.status()).isEqualTo(200);
    assertThat(h2.header("content-encoding")).isNull();
    assertThat(h2.header("vary")).isNull();
  }

  @Test
  void theBackendsVaryIsMergedWith() throws Exception {
    for (Answer answer : List.of(h1("/vary", "gzip"), h2("/vary", "gzip"), h1("/vary", null))) {
      assertThat(answer.header("vary")).isEqualTo("Origin, Accept-Encoding");
    }
  }

  /** An HTTP/1.0 client gets the compressed body ended by the close: no chunked coding in HTTP/1.0. */
  @Test
  void anHttp10ClientGetsABodyEndedByTheClose() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", harness.dataPlane.httpPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /chunked/5000 HTTP/1.0\r\nHost: a.example.com\r\nAccept-Encoding: gzip\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      String head = RawHttp.readHead(in).toLowerCase();
      assertThat(head).startsWith("http/1.0 200").contains("content-encoding: gzip").contains("connection: close")
          .doesNotContain("content-length").doesNotContain("transfer-encoding");
      byte[] body = in.readAllBytes();
      assertThat(new Answer(200, Map.of(), body).gunzipped()).isEqualTo(text(5000));
    }
  }

  /** A listener's own settings (CLBListener defaults.gzip): every type from 0 bytes; a listener without compresses nothing. */
  @Test
  void aListenerWithItsOwnSettingsFollowsThemAndOneWithoutCompressesNothing() throws Exception {
    Answer own = h1(ownPort, HttpMethod.GET, "/type/image/png", "gzip");
    assertThat(own.gunzipped()).isEqualTo(text(1000));
    Answer tiny = h1(ownPort, HttpMethod.GET, "/sized/10", "gzip");
    assertThat(tiny.gunzipped()).isEqualTo(text(10));
    Answer plain = h1(plainPort, HttpMethod.GET, "/sized/5000", "gzip");
    assertThat(plain.header("content-encoding")).isNull();
    assertThat(plain.header("vary")).isNull();
    assertThat(plain.text()).isEqualTo(text(5000));
  }

  /** A large answer, written as fast as the client takes it, arrives whole over both engines. */
  @Test
  void aLargeAnswerArrivesWholeThroughBackPressure() throws Exception {
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < LARGE_PIECES; i++) {
      expected.append(largePiece(i));
    }
    for (Answer answer : both("/large", "gzip")) {
      assertThat(answer.header("content-encoding")).isEqualTo("gzip");
      assertThat(answer.body().length).isLessThan(expected.length());
      assertThat(answer.gunzipped()).isEqualTo(expected.toString());
    }
  }

  /**
   * A slow answer streams: the first piece reaches the client, compressed and decodable, while the
   * backend still holds the rest back; then the rest.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aSlowAnswerStreamsCompressed(boolean overH2) throws Exception {
    Promise<Void> backendHolds = Promise.promise();
    holding.set(backendHolds);
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    Promise<String> firstPiece = Promise.promise();
    Promise<String> whole = Promise.promise();
    HttpClientAgent client = overH2 ? harness.h2 : harness.http;
    int port = overH2 ? harness.dataPlane.httpsPort() : harness.dataPlane.httpPort();
    harness.onContext(() -> client.request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/hold"))
        .compose(request -> request.authority(HostAndPort.create("a.example.com", port))
            .putHeader("accept-encoding", "gzip").send())
        .compose(response -> {
          response.handler(data -> {
            compressed.writeBytes(data.getBytes());
            String sofar = inflate(compressed.toByteArray());
            if (sofar.length() >= 2000) {
              firstPiece.tryComplete(sofar);
            }
          });
          response.endHandler(v -> whole.complete(inflate(compressed.toByteArray())));
          return Future.succeededFuture();
        }));
    await(backendHolds.future());
    assertThat(await(firstPiece.future())).as("before the backend sent more").isEqualTo(text(2000));
    HttpServerResponse response = held.get();
    harness.vertx.runOnContext(v -> response.end("and the end\n"));
    assertThat(await(whole.future())).isEqualTo(text(2000) + "and the end\n");
  }

  /** The deflate data of a gzip member read so far, inflated as far as it goes (a partial stream). */
  static String inflate(byte[] gzip) {
    if (gzip.length <= 10) {
      return "";
    }
    Inflater inflater = new Inflater(true);
    try {
      inflater.setInput(gzip, 10, gzip.length - 10);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      int n;
      while ((n = inflater.inflate(buffer)) > 0) {
        out.write(buffer, 0, n);
      }
      return out.toString(StandardCharsets.UTF_8);
    } catch (java.util.zip.DataFormatException e) {
      throw new AssertionError(e);
    } finally {
      inflater.end();
    }
  }

  /**
   * A client that leaves mid-body (its connection closed, or its h2 stream reset) and a backend
   * that breaks off mid-body: the compressor of that answer is closed each time
   * ({@link #noCompressorIsLeftOpen} after each test, and here before the answer would end).
   */
  @ParameterizedTest
  @ValueSource(strings = {"h1 client leaves", "h2 client resets", "backend breaks off h1", "backend breaks off h2"})
  void aCompressorIsFreedWhenEitherSideVanishesMidBody(String how) throws Exception {
    vanishMidBody(harness, how, "gzip");
  }

  /**
   * A compressed answer that the client or the backend breaks off mid-body through {@code on}'s
   * data plane (the backend {@link #serve}'s {@code /hold}), compressed with {@code acceptEncoding}:
   * its compressor is closed.
   *
   * @param how {@code h1 client leaves}, {@code h2 client resets}, {@code backend breaks off h1|h2}
   */
  static void vanishMidBody(DataPlaneHarness harness, String how, String acceptEncoding) throws Exception {
    Promise<Void> backendHolds = Promise.promise();
    holding.set(backendHolds);
    boolean overH2 = how.contains("h2");
    HttpClientAgent client = overH2 ? harness.h2 : harness.http;
    int port = overH2 ? harness.dataPlane.httpsPort() : harness.dataPlane.httpPort();
    Promise<HttpClientResponse> bodyStarted = Promise.promise();
    Promise<Void> ended = Promise.promise();
    harness.onContext(() -> client.request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/hold"))
        .compose(request -> request.authority(HostAndPort.create("a.example.com", port))
            .putHeader("accept-encoding", acceptEncoding).send())
        .onSuccess(response -> {
          response.exceptionHandler(e -> ended.tryComplete());
          response.endHandler(v -> ended.tryFail("the answer ended whole"));
          response.handler(data -> bodyStarted.tryComplete(response));
        }));
    await(backendHolds.future());
    HttpClientResponse response = await(bodyStarted.future());
    assertThat(response.getHeader("content-encoding")).isEqualTo(acceptEncoding);
    assertThat(Compression.openEncoders()).as("the answer's compressor").isEqualTo(1);
    if (how.startsWith("backend")) {
      harness.vertx.runOnContext(v -> held.get().reset());
    } else if (overH2) {
      harness.vertx.runOnContext(v -> response.request().reset());
    } else {
      harness.vertx.runOnContext(v -> response.request().connection().close());
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> Compression.openEncoders() == 0);
  }
}
