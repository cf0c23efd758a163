package io.clbingress.dataplane.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.clbingress.dataplane.codec.TableCodec;

/** JSON form of {@link ControlMessage}s, with the routing table codec's mapper. */
public final class ControlCodec {

  private ControlCodec() {
  }

  public static String encode(ControlMessage message) {
    try {
      return TableCodec.mapper().writerFor(ControlMessage.class).writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("control message is not serialisable", e);
    }
  }

  /** The message, or an IllegalArgumentException saying what is wrong with the text. */
  public static ControlMessage decode(String json) {
    try {
      return TableCodec.mapper().readValue(json, ControlMessage.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a control message: " + e.getOriginalMessage(), e);
    }
  }
}
