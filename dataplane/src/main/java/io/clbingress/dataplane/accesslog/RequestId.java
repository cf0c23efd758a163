package io.clbingress.dataplane.accesslog;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code X-Request-ID} of a request, as ingress-nginx's {@code generate-request-id} (on by
 * default): the client's own when it sent a usable one, else 32 random hex digits (nginx's
 * {@code $request_id}: 16 random bytes). Usable: 1–{@value #MAX_LENGTH} characters, each visible
 * ASCII (0x21–0x7E, RFC 9110 §5.5 {@code VCHAR}); anything else (empty, too long, spaces, control
 * or non-ASCII characters) is replaced, so that no client can put a line break or a megabyte into
 * the access log or the backend's logs. The generator is {@link ThreadLocalRandom}: an id names a
 * request, it is no secret, and a {@code SecureRandom} per request would cost a lock or a syscall.
 */
public final class RequestId {

  /** The header's name, as ingress-nginx sends it to the backend. */
  public static final String HEADER = "X-Request-ID";
  /** The longest id kept as the client sent it. */
  public static final int MAX_LENGTH = 128;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestId() {
  }

  /** {@code sent} when it is usable, else a new id. */
  public static String ensure(String sent) {
    return usable(sent) ? sent : generate();
  }

  /** Whether a client's id is kept: 1–{@value #MAX_LENGTH} visible ASCII characters. */
  public static boolean usable(String sent) {
    if (sent == null || sent.isEmpty() || sent.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < sent.length(); i++) {
      char c = sent.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  /** 32 random lower-case hex digits. */
  public static String generate() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] id = new char[32];
    fill(id, 0, random.nextLong());
    fill(id, 16, random.nextLong());
    return new String(id);
  }

  private static void fill(char[] id, int from, long bits) {
    for (int i = 15; i >= 0; i--) {
      id[from + i] = HEX[(int) (bits & 0xF)];
      bits >>>= 4;
    }
  }
}
