package io.clbingress.dataplane.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RawAnswerReader} in front of Netty's response decoder, as on a backend connection: what
 * it reads as bytes, and what it leaves to the decoder (a head the scanner does not take, the
 * bytes after a framed answer, a head cut short by the close, a decoded exchange's bytes).
 */
class RawAnswerReaderTest {

  private final RawAnswerReader reader = new RawAnswerReader();
  private final EmbeddedChannel channel = new EmbeddedChannel(reader, new HttpResponseDecoder());
  private final List<Object> read = new ArrayList<>();

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
    read.forEach(ReferenceCountUtil::release);
  }

  private void write(String bytes) {
    channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    Object message;
    while ((message = channel.readInbound()) != null) {
      read.add(message);
    }
  }

  private static String text(Object piece) {
    ByteBuf content = ((RawAnswerReader.Piece) piece).content();
    return content.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void bodyArrivingInPiecesIsCutByItsContentLength() {
    reader.expect(true, false);
    write("HTTP/1.1 200 OK\r\nContent-Le");
    assertThat(read).isEmpty();
    write("ngth: 5\r\n\r\nhe");
    write("llo");
    assertThat(read).hasSize(3);
    assertThat(read.get(0)).isInstanceOf(RawHead.class);
    assertThat(text(read.get(1))).isEqualTo("he");
    assertThat(((RawAnswerReader.Piece) read.get(1)).last()).isFalse();
    assertThat(text(read.get(2))).isEqualTo("llo");
    assertThat(((RawAnswerReader.Piece) read.get(2)).last()).isTrue();
  }

  /** Bytes after the framed answer go to the decoder, which holds or decodes them: the connection is not reused for them. */
  @Test
  void bytesAfterTheFramedAnswerGoToTheDecoder() {
    reader.expect(true, false);
    write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 2");
    assertThat(read).hasSize(4);
    assertThat(read.get(0)).isInstanceOf(RawHead.class);
    assertThat(text(read.get(1))).isEqualTo("ok");
    assertThat(read.get(2)).as("the second answer, nobody's").isInstanceOf(HttpResponse.class);
    assertThat(read.get(3)).isInstanceOf(LastHttpContent.class);
    assertThat(reader.holdsBytes()).as("the reader holds nothing").isFalse();
  }

  @Test
  void answerWithoutABodyEndsAtItsHead() {
    reader.expect(true, true);
    write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
    assertThat(read).hasSize(2);
    assertThat(read.get(1)).isSameAs(RawAnswerReader.Piece.END);
  }

  @Test
  void headTheScannerDoesNotTakeIsDecodedWithTheRestOfTheExchange() {
    reader.expect(true, false);
    write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n");
    write("0\r\n\r\n");
    assertThat(read.get(0)).isInstanceOf(HttpResponse.class);
    assertThat(read).last().isInstanceOf(LastHttpContent.class);
    assertThat(read).noneMatch(m -> m instanceof RawHead || m instanceof RawAnswerReader.Piece);
  }

  /** A head cut short by the close reaches the decoder, which reports it malformed (a 502) as before. */
  @Test
  void headCutShortByTheCloseIsTheDecodersToJudge() {
    reader.expect(true, false);
    write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: a");
    assertThat(read).isEmpty();
    channel.finish();
    Object message;
    while ((message = channel.readInbound()) != null) {
      read.add(message);
    }
    assertThat(read).hasSize(1);
    assertThat(((HttpResponse) read.get(0)).decoderResult().isFailure()).isTrue();
  }

  @Test
  void decodedExchangeGetsTheBytesUntouched() {
    reader.expect(false, false);
    write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    assertThat(read.get(0)).isInstanceOf(HttpResponse.class);
    assertThat(read.get(1)).isInstanceOf(HttpContent.class);
  }
}
