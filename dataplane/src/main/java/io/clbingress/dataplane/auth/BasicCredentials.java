package io.clbingress.dataplane.auth;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The user and password of an {@code Authorization: Basic ...} header value (RFC 7617 §2): the
 * scheme {@code Basic} in any case (RFC 9110 §11.1), one or more spaces, then the base64 (RFC 4648
 * §4; the final {@code =} padding may be left out, as nginx accepts) of {@code user-id:password}
 * in UTF-8 (RFC 7617 §2.1). The user-id ends at the first {@code :}, so it never holds one; the
 * password may. Neither may hold a control character (RFC 7617 §2; C0, DEL and C1).
 *
 * @param user the user-id, possibly empty (which no {@link Htpasswd} knows)
 * @param password possibly empty
 */
public record BasicCredentials(String user, String password) {

  /** Longest base64 accepted, in characters (3 KiB of credentials); longer values are refused. */
  public static final int MAX_ENCODED = 4096;
  private static final String SCHEME = "Basic";

  /**
   * The credentials of {@code authorization} (the header's value), or null for anything else: no
   * value, another scheme, no space after the scheme, nothing after it, characters outside base64,
   * padding in the wrong place, more than {@value #MAX_ENCODED} characters, bytes that are not
   * UTF-8, no {@code :}, or a control character. White space at either end is ignored.
   */
  public static BasicCredentials parse(String authorization) {
    if (authorization == null) {
      return null;
    }
    String value = authorization.strip();
    if (value.length() <= SCHEME.length() + 1 || !value.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
        || value.charAt(SCHEME.length()) != ' ') {
      return null;
    }
    String encoded = value.substring(SCHEME.length() + 1).stripLeading();
    if (encoded.isEmpty() || encoded.length() > MAX_ENCODED || !isBase64(encoded)) {
      return null;
    }
    String decoded;
    try {
      decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(Base64.getDecoder().decode(encoded))).toString();
    } catch (IllegalArgumentException | CharacterCodingException e) {
      return null;
    }
    int colon = decoded.indexOf(':');
    if (colon < 0 || decoded.chars().anyMatch(Character::isISOControl)) {
      return null;
    }
    return new BasicCredentials(decoded.substring(0, colon), decoded.substring(colon + 1));
  }

  /** Only the base64 alphabet, then at most two {@code =}. */
  private static boolean isBase64(String text) {
    int end = text.length();
    while (end > 0 && text.charAt(end - 1) == '=' && text.length() - end < 2) {
      end--;
    }
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/')) {
        return false;
      }
    }
    return end > 0;
  }

  /** Names the user, never the password. */
  @Override
  public String toString() {
    return "BasicCredentials[" + user + "]";
  }
}
