package io.clbingress.dataplane.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aayushatharva.brotli4j.decoder.DecoderJNI;
import com.aayushatharva.brotli4j.decoder.DirectDecompress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Brotli stream (RFC 7932) {@link BrotliEncoder} writes, read back by Google's decoder. */
class BrotliEncoderTest {

  /** Pieces (one larger than the encoder's input buffer), an empty piece and the end make one stream; closed after. */
  @Test
  void piecesMakeOneBrotliStream() throws Exception {
    long before = BrotliEncoder.open();
    BrotliEncoder encoder = new BrotliEncoder(11);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    StringBuilder sent = new StringBuilder();
    for (String piece : List.of("hello ", "", "world ".repeat(30_000), "!")) {
      sent.append(piece);
      ByteBuf in = Unpooled.copiedBuffer(piece, StandardCharsets.UTF_8);
      wire.writeBytes(bytes(encoder.encode(in, UnpooledByteBufAllocator.DEFAULT)));
      assertThat(in.readerIndex()).as("the piece is read, not consumed").isZero();
    }
    assertThat(BrotliEncoder.open()).isEqualTo(before + 1);
    wire.writeBytes(bytes(encoder.finish(Unpooled.copiedBuffer(" the end", StandardCharsets.UTF_8),
        UnpooledByteBufAllocator.DEFAULT)));
    sent.append(" the end");
    assertThat(BrotliEncoder.open()).isEqualTo(before);
    encoder.close(); // again: nothing
    assertThat(BrotliEncoder.open()).isEqualTo(before);
    DirectDecompress decoded = DirectDecompress.decompress(wire.toByteArray());
    assertThat(decoded.getResultStatus()).isEqualTo(DecoderJNI.Status.DONE);
    assertThat(new String(decoded.getDecompressedData(), StandardCharsets.UTF_8)).isEqualTo(sent.toString());
    assertThat(wire.size()).isLessThan(sent.length() / 100);
    assertThatThrownBy(() -> encoder.encode(Unpooled.EMPTY_BUFFER, UnpooledByteBufAllocator.DEFAULT))
        .isInstanceOf(IllegalStateException.class);
  }

  /** Each piece is flushed: what came out so far decodes to all that went in, before the stream ends. */
  @Test
  void eachPieceIsReadableBeforeTheEnd() throws Exception {
    try (BrotliEncoder encoder = new BrotliEncoder(4)) {
      ByteArrayOutputStream wire = new ByteArrayOutputStream();
      wire.writeBytes(bytes(encoder.encode(Unpooled.copiedBuffer("data: first event\n\n", StandardCharsets.UTF_8),
          UnpooledByteBufAllocator.DEFAULT)));
      byte[] flushed = wire.toByteArray();
      DecoderJNI.Wrapper decoder = new DecoderJNI.Wrapper(flushed.length);
      try {
        decoder.getInputBuffer().put(flushed);
        decoder.push(flushed.length);
        ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        while (decoder.getStatus() == DecoderJNI.Status.NEEDS_MORE_OUTPUT || decoder.hasOutput()) {
          java.nio.ByteBuffer out = decoder.pull();
          byte[] chunk = new byte[out.remaining()];
          out.get(chunk);
          decoded.writeBytes(chunk);
        }
        assertThat(decoder.getStatus()).as("the stream goes on").isEqualTo(DecoderJNI.Status.NEEDS_MORE_INPUT);
        assertThat(decoded.toString(StandardCharsets.UTF_8)).isEqualTo("data: first event\n\n");
      } finally {
        decoder.destroy();
      }
    }
  }

  /** An empty answer is a valid, empty stream. */
  @Test
  void anEmptyBodyIsAnEmptyStream() throws Exception {
    BrotliEncoder encoder = new BrotliEncoder(4);
    byte[] wire = bytes(encoder.finish(Unpooled.EMPTY_BUFFER, UnpooledByteBufAllocator.DEFAULT));
    assertThat(wire).isNotEmpty();
    DirectDecompress decoded = DirectDecompress.decompress(wire);
    assertThat(decoded.getResultStatus()).isEqualTo(DecoderJNI.Status.DONE);
    assertThat(decoded.getDecompressedData()).isEmpty();
  }

  private static byte[] bytes(ByteBuf buf) {
    byte[] bytes = new byte[buf.readableBytes()];
    buf.readBytes(bytes);
    buf.release();
    return bytes;
  }
}
