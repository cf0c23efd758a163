package io.clbingress.dataplane.table;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP Basic authentication at the edge (RFC 7617): ingress-nginx's {@code auth-type: basic} with
 * the users of its {@code auth-secret} (nginx's {@code auth_basic} and {@code auth_basic_user_file}).
 * A request without {@code Authorization: Basic} credentials of one of {@link #users} is answered
 * 401 with {@link #challenge()}, before anything reaches a backend.
 *
 * @param realm the protection space named in the challenge: printable ASCII (space to {@code ~}),
 *     at most {@value #MAX_REALM} characters, may be empty (ingress-nginx's default); unlike nginx,
 *     {@code off} is a realm like any other, never authentication turned off
 * @param users one to {@value #MAX_USERS} users, names unique (compared exactly, as nginx and Apache
 *     do)
 * @throws IllegalArgumentException for a realm or user of another form; the message names the
 *     user, never the hash
 */
public record BasicAuth(String realm, List<User> users) implements RouteFilter {

  /** Longest realm, in characters. */
  public static final int MAX_REALM = 256;
  /** Most users of one filter. */
  public static final int MAX_USERS = 10_000;
  /** Longest user name, in characters. */
  public static final int MAX_USER_NAME = 256;
  /** Longest hash (or plain password), in characters. */
  public static final int MAX_HASH = 1024;
  /** Highest bcrypt cost accepted: {@code htpasswd -C} takes 4–17. */
  public static final int MAX_BCRYPT_COST = 17;
  /** Most SHA-crypt rounds accepted (default 5000; one verification at the maximum takes about a second). */
  public static final int MAX_SHA_CRYPT_ROUNDS = 1_000_000;

  public BasicAuth {
    realm = realm == null ? "" : realm;
    users = List.copyOf(users);
    if (realm.length() > MAX_REALM || !realm.chars().allMatch(c -> c >= ' ' && c < 0x7f)) {
      throw new IllegalArgumentException("the realm must be at most " + MAX_REALM + " printable ASCII characters");
    }
    if (users.isEmpty() || users.size() > MAX_USERS) {
      throw new IllegalArgumentException("basic authentication needs 1–" + MAX_USERS + " users, not " + users.size());
    }
    Set<String> names = new HashSet<>();
    for (User user : users) {
      if (!names.add(user.name())) {
        throw new IllegalArgumentException("user " + user.name() + " is listed twice");
      }
    }
  }

  /**
   * The {@code WWW-Authenticate} value of a 401: {@code Basic realm="..."} with {@code "} and
   * {@code \} escaped as a quoted-string (RFC 9110 §5.6.4), and {@code charset="UTF-8"}, the
   * encoding credentials are decoded with (RFC 7617 §2.1).
   */
  public String challenge() {
    return "Basic realm=\"" + realm.replace("\\", "\\\\").replace("\"", "\\\"") + "\", charset=\"UTF-8\"";
  }

  /** Names the realm and the users, never their hashes. */
  @Override
  public String toString() {
    return "BasicAuth[realm=" + realm + ", users=" + users.stream().map(User::name).toList() + "]";
  }

  /**
   * One user and its password hash as an htpasswd line has them ({@code name:hash}).
   *
   * @param name 1–{@value #MAX_USER_NAME} characters, no {@code :} (RFC 7617 §2: a user-id cannot
   *     hold one) and no control character
   * @param hash of one of the {@link HashFormat}s, at most {@value #MAX_HASH} characters
   * @throws IllegalArgumentException for a name or hash of another form; the message names the
   *     user, never the hash
   */
  public record User(String name, String hash) {

    public User {
      if (name == null || name.isEmpty() || name.length() > MAX_USER_NAME || name.indexOf(':') >= 0
          || !name.chars().allMatch(c -> c >= ' ' && c != 0x7f)) {
        throw new IllegalArgumentException("a user name must be 1–" + MAX_USER_NAME
            + " characters without ':' or control characters");
      }
      HashFormat.of(name, hash);
    }

    /** Names the user, never the hash. */
    @Override
    public String toString() {
      return "User[" + name + "]";
    }
  }

  /**
   * The password hashes of Debian's {@code htpasswd} (apache2-utils) and of the system
   * {@code crypt(3)} that nginx falls back to, told apart by their form (the Apache
   * documentation's "Password Formats"; crypt(5) of libxcrypt). In the alphabet of crypt,
   * {@code [./0-9A-Za-z]}.
   */
  public enum HashFormat {
    /** {@code htpasswd -B}: {@code $2y$}, {@code $2a$} or {@code $2b$}, cost 04–{@value #MAX_BCRYPT_COST}, 53 characters of salt and hash. */
    BCRYPT("\\$2[aby]\\$([0-9]{2})\\$[./0-9A-Za-z]{53}"),
    /** {@code htpasswd -m} (its default): Apache's MD5, {@code $apr1$salt$hash}, a salt of 1–8 characters. */
    APR1("\\$apr1\\$[./0-9A-Za-z]{1,8}\\$[./0-9A-Za-z]{22}"),
    /** glibc's MD5 crypt ({@code openssl passwd -1}): {@code $1$salt$hash}. */
    MD5_CRYPT("\\$1\\$[./0-9A-Za-z]{1,8}\\$[./0-9A-Za-z]{22}"),
    /** {@code htpasswd -2}: {@code $5$[rounds=N$]salt$hash}, a salt of 1–16 characters, rounds up to {@value #MAX_SHA_CRYPT_ROUNDS}. */
    SHA256_CRYPT("\\$5\\$(?:rounds=([0-9]{1,9})\\$)?[./0-9A-Za-z]{1,16}\\$[./0-9A-Za-z]{43}"),
    /** {@code htpasswd -5}: {@code $6$[rounds=N$]salt$hash}. */
    SHA512_CRYPT("\\$6\\$(?:rounds=([0-9]{1,9})\\$)?[./0-9A-Za-z]{1,16}\\$[./0-9A-Za-z]{86}"),
    /** {@code htpasswd -s}: {@code {SHA}} and the base64 of the password's SHA-1, unsalted. */
    SHA1("\\{SHA\\}[A-Za-z0-9+/]{27}="),
    /** {@code htpasswd -d}: traditional DES crypt, 13 characters (2 of salt); only the first 8 of a password count. */
    CRYPT("[./0-9A-Za-z]{13}"),
    /**
     * {@code htpasswd -p}: the password itself, for anything else that starts with neither {@code $}
     * nor <code>{</code> (which are other, unknown schemes) and is not empty. A plain password of 13
     * characters of crypt's alphabet reads as {@link #CRYPT}, as Apache on Unix reads it; nginx reads
     * every plain password as crypt, so none of them works there.
     */
    PLAIN(null);

    private final Pattern pattern;

    HashFormat(String regex) {
      this.pattern = regex == null ? null : Pattern.compile(regex);
    }

    /** The format of {@code hash}. */
    public static HashFormat of(String hash) {
      return of("?", hash);
    }

    /**
     * The format of {@code hash}, the hash of {@code user}.
     *
     * @throws IllegalArgumentException for an empty hash, a bcrypt cost or SHA-crypt rounds out of
     *     range, or a hash that starts with {@code $} or <code>{</code> and is of none of the formats;
     *     the message names the user and the scheme's prefix, never the hash
     */
    static HashFormat of(String user, String hash) {
      if (hash == null || hash.isEmpty()) {
        throw new IllegalArgumentException("user " + user + " has no hash");
      }
      if (hash.length() > MAX_HASH) {
        throw new IllegalArgumentException("the hash of user " + user + " is longer than " + MAX_HASH + " characters");
      }
      for (HashFormat format : values()) {
        Matcher matcher = format.pattern == null ? null : format.pattern.matcher(hash);
        if (matcher != null && matcher.matches()) {
          format.checkCost(user, matcher);
          return format;
        }
      }
      if (hash.startsWith("$") || hash.startsWith("{")) {
        throw new IllegalArgumentException("the hash of user " + user + " is of no known format (" + scheme(hash)
            + "): bcrypt $2y$ (cost 04–" + MAX_BCRYPT_COST + "), $apr1$, $1$, $5$, $6$, {SHA}, crypt or plain");
      }
      return PLAIN;
    }

    private void checkCost(String user, Matcher matcher) {
      if (this == BCRYPT) {
        int cost = Integer.parseInt(matcher.group(1));
        if (cost < 4 || cost > MAX_BCRYPT_COST) {
          throw new IllegalArgumentException("the bcrypt cost of user " + user + " is " + cost + ", not 04–" + MAX_BCRYPT_COST);
        }
      } else if ((this == SHA256_CRYPT || this == SHA512_CRYPT) && matcher.group(1) != null
          && Integer.parseInt(matcher.group(1)) > MAX_SHA_CRYPT_ROUNDS) {
        throw new IllegalArgumentException("the SHA-crypt rounds of user " + user + " are above " + MAX_SHA_CRYPT_ROUNDS);
      }
    }

    /** What names the scheme of a hash: its {@code $id$} or <code>{ID}</code> prefix, at most 12 characters, or "no prefix". */
    private static String scheme(String hash) {
      char close = hash.charAt(0) == '$' ? '$' : '}';
      int end = hash.indexOf(close, 1);
      String prefix = end > 0 && end <= 12 ? hash.substring(0, end + 1) : hash.substring(0, 1);
      return TableText.printable(prefix);
    }
  }
}
