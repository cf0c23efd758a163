package io.clbingress.dataplane.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.IllegalBCryptFormatException;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import io.clbingress.dataplane.table.BasicAuth;
import io.clbingress.dataplane.table.BasicAuth.HashFormat;
import io.clbingress.dataplane.util.Capacity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.codec.digest.Md5Crypt;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.apache.commons.codec.digest.UnixCrypt;

/**
 * The users of a {@link BasicAuth} filter and the check of a password against their hashes, in
 * every {@link HashFormat} (Apache's {@code apr_password_validate}, nginx's {@code ngx_crypt}):
 * bcrypt with at.favre.lib's bcrypt (a password's bytes past 72 are ignored, as Apache's and
 * OpenBSD's bcrypt do), apr1, MD5-crypt, SHA-256/512-crypt and DES crypt with commons-codec, {SHA}
 * and plain with the JDK. Passwords are compared as their UTF-8 bytes (RFC 7617 §2.1's charset).
 *
 * <p>Immutable and thread-safe: build one per filter when a table is compiled, call
 * {@link #verify} from any thread. A verification costs what the user's hash costs: bcrypt at
 * htpasswd's default cost 5 is 1–10 milliseconds of CPU (each step of cost doubles it; 17, the
 * highest accepted, is many seconds), SHA-crypt at its default 5000 rounds and apr1's 1000 rounds
 * of MD5 about as much, {SHA}, crypt and plain a fraction of a millisecond; so the first ones
 * belong off an event loop ({@link #slow()}).
 *
 * <p>No user enumeration by timing: an unknown user costs a verification against the first user's
 * hash, whose answer is thrown away. The final comparison of each format is constant-time
 * ({@link MessageDigest#isEqual}; bcrypt's own constant-time comparison).
 */
public final class Htpasswd {

  /** Checks a password against parsed bcrypt hash data, the password's length already dealt with ({@link #bcrypt}). */
  private static final BCrypt.Verifyer BCRYPT = BCrypt.verifyer(BCrypt.Version.VERSION_2Y, LongPasswordStrategies.none());
  /** The bytes of a password bcrypt's key schedule takes, its terminating NUL included (OpenBSD's bcrypt). */
  private static final int BCRYPT_KEY_BYTES = 72;

  /** @param bcrypt a bcrypt hash's cost, salt and hash, parsed once; null for the other formats */
  private record Hash(HashFormat format, String text, BCrypt.HashData bcrypt) {
    static Hash of(String text) {
      HashFormat format = HashFormat.of(text);
      if (format != HashFormat.BCRYPT) {
        return new Hash(format, text, null);
      }
      try {
        return new Hash(format, text, BCrypt.Version.VERSION_2Y.parser.parse(text.getBytes(StandardCharsets.US_ASCII)));
      } catch (IllegalBCryptFormatException e) {
        throw new IllegalArgumentException("a bcrypt hash that at.favre.lib cannot read", e);
      }
    }
  }

  private final Map<String, Hash> users;
  private final Hash unknownUser;
  private final boolean slow;

  /** @param users as a {@link BasicAuth} filter has them (valid, at least one, names unique) */
  public Htpasswd(List<BasicAuth.User> users) {
    if (users.isEmpty()) {
      throw new IllegalArgumentException("no users");
    }
    Map<String, Hash> byName = new HashMap<>(Capacity.forEntries(users.size()));
    boolean anySlow = false;
    for (BasicAuth.User user : users) {
      Hash hash = Hash.of(user.hash());
      byName.put(user.name(), hash);
      anySlow |= isSlow(hash.format());
    }
    this.users = Map.copyOf(byName);
    this.unknownUser = this.users.get(users.get(0).name());
    this.slow = anySlow;
  }

  /** The users of {@code filter}. */
  public static Htpasswd of(BasicAuth filter) {
    return new Htpasswd(filter.users());
  }

  /**
   * Whether {@code password} is the password of {@code user}. An unknown user, or a null user or
   * password (as {@link BasicCredentials#parse} never gives), is false, after as much work as a
   * known one.
   */
  public boolean verify(String user, String password) {
    Hash hash = user == null ? null : users.get(user);
    byte[] bytes = (password == null ? "" : password).getBytes(StandardCharsets.UTF_8);
    if (hash == null) {
      matches(unknownUser, bytes);
      return false;
    }
    return matches(hash, bytes) && password != null;
  }

  /**
   * Whether a verification may take milliseconds (a bcrypt, SHA-crypt, apr1 or MD5-crypt hash among
   * the users): the caller then runs {@link #verify} off the event loop.
   */
  public boolean slow() {
    return slow;
  }

  private static boolean isSlow(HashFormat format) {
    return format != HashFormat.SHA1 && format != HashFormat.CRYPT && format != HashFormat.PLAIN;
  }

  private static boolean matches(Hash hash, byte[] password) {
    String stored = hash.text();
    return switch (hash.format()) {
      case BCRYPT -> bcrypt(password, hash.bcrypt());
      case APR1 -> same(Md5Crypt.apr1Crypt(password, stored), stored);
      case MD5_CRYPT -> same(Md5Crypt.md5Crypt(password, stored), stored);
      case SHA256_CRYPT -> same(Sha2Crypt.sha256Crypt(password, stored), stored);
      case SHA512_CRYPT -> same(Sha2Crypt.sha512Crypt(password, stored), stored);
      case SHA1 -> same("{SHA}" + Base64.getEncoder().encodeToString(digest("SHA-1", password)), stored);
      case CRYPT -> same(UnixCrypt.crypt(password, stored), stored);
      // digests of equal length, so that the comparison's time tells nothing of the password's length
      case PLAIN -> MessageDigest.isEqual(digest("SHA-256", password),
          digest("SHA-256", stored.getBytes(StandardCharsets.UTF_8)));
    };
  }

  /**
   * bcrypt as Apache's and OpenBSD's: the key is the password and a NUL, cut at 72 bytes, so a
   * password of 72 bytes or more counts by its first 72 and no NUL. at.favre.lib's versions with a
   * NUL would cut at 71; the one without serves the long passwords.
   */
  private static boolean bcrypt(byte[] password, BCrypt.HashData data) {
    if (password.length >= BCRYPT_KEY_BYTES) {
      password = Arrays.copyOf(password, BCRYPT_KEY_BYTES);
      data = new BCrypt.HashData(data.cost, BCrypt.Version.VERSION_2Y_NO_NULL_TERMINATOR, data.rawSalt, data.rawHash);
    }
    return BCRYPT.verify(password, data).verified;
  }

  /** Constant-time equality of a computed hash and the stored one. */
  private static boolean same(String computed, String stored) {
    return MessageDigest.isEqual(computed.getBytes(StandardCharsets.UTF_8), stored.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] digest(String algorithm, byte[] input) {
    try {
      return MessageDigest.getInstance(algorithm).digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is part of every JDK", e);
    }
  }

  /** Names the users, never their hashes. */
  @Override
  public String toString() {
    return "Htpasswd" + users.keySet();
  }
}
