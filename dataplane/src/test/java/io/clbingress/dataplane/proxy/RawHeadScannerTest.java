package io.clbingress.dataplane.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link RawHeadScanner}: the plain answer heads it takes, and every head it must leave to Netty's
 * decoder (whose rules then answer 502 or close, as {@code RawAnswerHeadTest} shows through the
 * proxy). A head left to the decoder must be left whole: nothing consumed.
 */
class RawHeadScannerTest {

  private ByteBuf in;

  @AfterEach
  void release() {
    if (in != null) {
      in.release();
      in = null;
    }
  }

  private Object scan(String bytes, boolean headRequest) {
    in = Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1);
    return RawHeadScanner.scan(in, headRequest);
  }

  private static String written(RawHead head, boolean http10) {
    ByteBuf out = Unpooled.buffer();
    try {
      head.writeTo(out, http10);
      return out.toString(StandardCharsets.ISO_8859_1);
    } finally {
      out.release();
      head.release();
    }
  }

  @Test
  void plainHeadIsTakenWithItsFramingAndItsHopByHopLinesDropped() {
    Object scanned = scan("HTTP/1.1 200 OK\r\nServer: nginx\r\nConnection: keep-alive\r\nContent-Length: 5\r\n"
        + "Keep-Alive: timeout=5\r\nX-A:  spaced  \r\nTE: trailers\r\nTrailer: X\r\nUpgrade: h2c\r\n"
        + "Proxy-Connection: x\r\nProxy-Authenticate: Basic\r\nProxy-Authorization: Basic eA==\r\n\r\nhello", false);
    assertThat(scanned).isInstanceOf(RawHead.class);
    RawHead head = (RawHead) scanned;
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.bodyLength()).isEqualTo(5);
    assertThat(head.keepAlive()).isTrue();
    assertThat(in.toString(StandardCharsets.ISO_8859_1)).as("the head is consumed, the body left").isEqualTo("hello");
    assertThat(written(head, true)).as("the client's version; the other lines byte for byte")
        .isEqualTo("HTTP/1.0 200 OK\r\nServer: nginx\r\nContent-Length: 5\r\nX-A:  spaced  \r\n");
  }

  @Test
  void connectionCloseOrAnHttp10AnswerWithoutKeepAliveEndsTheBackendConnection() {
    assertThat(keepAlive("HTTP/1.1 200 OK\r\nConnection: Keep-Alive, close\r\nContent-Length: 0\r\n\r\n")).isFalse();
    assertThat(keepAlive("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")).isFalse();
    assertThat(keepAlive("HTTP/1.0 200 OK\r\nconnection: keep-alive\r\nContent-Length: 0\r\n\r\n")).isTrue();
    assertThat(keepAlive("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")).isTrue();
  }

  private boolean keepAlive(String bytes) {
    release();
    RawHead head = (RawHead) scan(bytes, false);
    head.release();
    return head.keepAlive();
  }

  /** RFC 9112 §6.3: no body to HEAD, 204 and 304, whatever the Content-Length says. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "HEAD answer with a length | true | HTTP/1.1 200 OK\\r\\nContent-Length: 10\\r\\n\\r\\n",
      "HEAD answer without a length | true | HTTP/1.1 200 OK\\r\\n\\r\\n",
      "204 | false | HTTP/1.1 204 No Content\\r\\n\\r\\n",
      "304 with a length | false | HTTP/1.1 304 Not Modified\\r\\nContent-Length: 10\\r\\n\\r\\n"})
  void answerWithoutABodyByRuleHasNone(String name, boolean headRequest, String head) {
    Object scanned = scan(unescape(head), headRequest);
    assertThat(scanned).isInstanceOf(RawHead.class);
    assertThat(((RawHead) scanned).bodyLength()).isZero();
    ((RawHead) scanned).release();
  }

  @Test
  void partialHeadWaitsForMoreWithoutConsumingAnything() {
    assertThat(scan("HTTP/1.1 200 OK\r\nContent-Le", false)).isNull();
    assertThat(in.readerIndex()).isZero();
  }

  /** Every rule of the decoder the scanner must not bypass: the head goes to the decoder untouched. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "bare CR in a value | HTTP/1.1 200 OK\\r\\nX-A: a\\rb\\r\\nContent-Length: 2\\r\\n\\r\\nok",
      "bare LF line end | HTTP/1.1 200 OK\\nContent-Length: 2\\r\\n\\r\\nok",
      "bare LF in the headers | HTTP/1.1 200 OK\\r\\nX-A: a\\nContent-Length: 2\\r\\n\\r\\nok",
      "obs-fold | HTTP/1.1 200 OK\\r\\nX-A: a\\r\\n b\\r\\nContent-Length: 2\\r\\n\\r\\nok",
      "space before the colon | HTTP/1.1 200 OK\\r\\nContent-Length : 2\\r\\n\\r\\nok",
      "tab before the colon | HTTP/1.1 200 OK\\r\\nX-A\\t: a\\r\\nContent-Length: 2\\r\\n\\r\\nok",
      "empty name | HTTP/1.1 200 OK\\r\\n: a\\r\\nContent-Length: 2\\r\\n\\r\\nok",
      "line without a colon | HTTP/1.1 200 OK\\r\\nX-A\\r\\nContent-Length: 2\\r\\n\\r\\nok",
      "NUL in a value | HTTP/1.1 200 OK\\r\\nX-A: a\\u0000b\\r\\nContent-Length: 2\\r\\n\\r\\nok",
      "DEL in a value | HTTP/1.1 200 OK\\r\\nX-A: a\\u007fb\\r\\nContent-Length: 2\\r\\n\\r\\nok",
      "two differing Content-Lengths | HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nContent-Length: 3\\r\\n\\r\\nok",
      "two equal Content-Lengths | HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nContent-Length: 2\\r\\n\\r\\nok",
      "Content-Length list | HTTP/1.1 200 OK\\r\\nContent-Length: 2, 2\\r\\n\\r\\nok",
      "signed Content-Length | HTTP/1.1 200 OK\\r\\nContent-Length: +2\\r\\n\\r\\nok",
      "Content-Length with Transfer-Encoding | HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n",
      "chunked | HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n2\\r\\nok\\r\\n0\\r\\n\\r\\n",
      "body framed by the close | HTTP/1.1 200 OK\\r\\n\\r\\nok",
      "Connection naming a field | HTTP/1.1 200 OK\\r\\nConnection: X-Secret\\r\\nX-Secret: s\\r\\nContent-Length: 2\\r\\n\\r\\nok",
      "interim answer | HTTP/1.1 103 Early Hints\\r\\nLink: </a>\\r\\n\\r\\n",
      "101 | HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\n\\r\\n",
      "odd status | HTTP/1.1 999 Odd\\r\\nContent-Length: 2\\r\\n\\r\\nok",
      "two spaces after the version | HTTP/1.1  200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok",
      "HTTP/2.0 status line | HTTP/2.0 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok",
      "leading CRLF | \\r\\nHTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok",
      "control character in the reason | HTTP/1.1 200 O\\u0001K\\r\\nContent-Length: 2\\r\\n\\r\\nok"})
  void headTheDecoderMustJudgeIsLeftToIt(String rule, String head) {
    String bytes = unescape(head);
    assertThat(scan(bytes, false)).as(rule).isSameAs(RawHeadScanner.DECODE);
    assertThat(in.readerIndex()).as("nothing consumed").isZero();
  }

  /** A head longer than {@link RawHeadScanner#MAX_HEAD_BYTES}, whole or not yet, meets the decoder's limits. */
  @Test
  void overLongHeadIsLeftToTheDecoder() {
    String longHead = "HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(RawHeadScanner.MAX_HEAD_BYTES) + "\r\nContent-Length: 2\r\n\r\nok";
    assertThat(scan(longHead, false)).isSameAs(RawHeadScanner.DECODE);
    release();
    assertThat(scan(longHead.substring(0, RawHeadScanner.MAX_HEAD_BYTES + 10), false)).as("not yet whole")
        .isSameAs(RawHeadScanner.DECODE);
    release();
    assertThat(scan("HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(RawHeadScanner.MAX_HEAD_BYTES), false))
        .as("no line end within the limit").isSameAs(RawHeadScanner.DECODE);
  }

  private static String unescape(String csv) {
    return csv.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t").replace("\\u0000", "\u0000")
        .replace("\\u007f", "\u007f").replace("\\u0001", "\u0001");
  }
}
