package io.clbingress.dataplane.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The Vary merge of {@link GzipAnswer} and the gzip member {@link GzipEncoder} writes. */
class GzipAnswerTest {

  @Test
  void varyIsMergedIntoOneLine() {
    assertThat(GzipAnswer.vary(List.of())).isEqualTo("Accept-Encoding");
    assertThat(GzipAnswer.vary(List.of("Origin"))).isEqualTo("Origin, Accept-Encoding");
    assertThat(GzipAnswer.vary(List.of("Origin", "Cookie"))).isEqualTo("Origin, Cookie, Accept-Encoding");
    assertThat(GzipAnswer.vary(List.of("accept-encoding"))).as("there already").isNull();
    assertThat(GzipAnswer.vary(List.of("Origin", "Accept-Encoding"))).isEqualTo("Origin, Accept-Encoding");
    assertThat(GzipAnswer.vary(List.of("*"))).as("RFC 9110 §12.5.5").isNull();
  }

  /** Pieces, an empty piece and the end make one member that java.util.zip reads back; the encoder is closed after. */
  @Test
  void piecesMakeOneGzipMember() throws Exception {
    long before = GzipEncoder.open();
    GzipEncoder encoder = new GzipEncoder(9);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    StringBuilder sent = new StringBuilder();
    for (String piece : List.of("hello ", "", "world ".repeat(10_000), "!")) {
      sent.append(piece);
      ByteBuf out = encoder.encode(Unpooled.copiedBuffer(piece, StandardCharsets.UTF_8), UnpooledByteBufAllocator.DEFAULT);
      wire.writeBytes(bytes(out));
    }
    assertThat(GzipEncoder.open()).isEqualTo(before + 1);
    wire.writeBytes(bytes(encoder.finish(Unpooled.EMPTY_BUFFER, UnpooledByteBufAllocator.DEFAULT)));
    assertThat(GzipEncoder.open()).isEqualTo(before);
    encoder.close(); // again: nothing
    assertThat(GzipEncoder.open()).isEqualTo(before);
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(wire.toByteArray()))) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(sent.toString());
    }
    assertThat(wire.size()).isLessThan(sent.length() / 20);
  }

  private static byte[] bytes(ByteBuf buf) {
    byte[] bytes = new byte[buf.readableBytes()];
    buf.readBytes(bytes);
    buf.release();
    return bytes;
  }
}
