package io.clbingress.dataplane.proxy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.clbingress.dataplane.auth.BasicCredentials;
import io.clbingress.dataplane.auth.Htpasswd;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks {@code Authorization: Basic} credentials against a route's users ({@link Htpasswd}) for
 * one event loop. Fast hashes ({@code {SHA}}, crypt, plain) are checked at once; slow ones (bcrypt,
 * apr1, SHA-crypt: milliseconds to seconds each) on Vert.x's worker threads, at most
 * {@link #MAX_PENDING} at a time per event loop (more gets 503, so that a flood of guesses cannot
 * queue work without bound), and a success is remembered for {@link #REMEMBERED} so that a browser
 * sending the same credentials with every request pays once. What is remembered is a SHA-256 of the
 * password, never the password, for at most {@link #MAX_REMEMBERED} credentials; failures are not
 * remembered. nginx checks every request on its event loop (its workers block on bcrypt).
 */
final class BasicVerifier {

  /** Slow checks waiting or running at once, per event loop. */
  static final int MAX_PENDING = 64;
  /** How long a verified credential is taken as verified again. */
  static final Duration REMEMBERED = Duration.ofMinutes(5);
  /** Verified credentials remembered at most, per event loop. */
  static final int MAX_REMEMBERED = 10_000;

  /** A verified credential: the users it was checked against (a new Secret is a new list), the user, its password's digest. */
  private record Verified(Htpasswd users, String user, String passwordDigest) {
  }

  private final Vertx vertx;
  private final AtomicInteger pending = new AtomicInteger();
  private final Cache<Verified, Boolean> verified = Caffeine.newBuilder().maximumSize(MAX_REMEMBERED)
      .expireAfterWrite(REMEMBERED).build();

  BasicVerifier(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * The verdict on {@code credentials} (null: none or malformed): {@link AuthVerdict#BASIC_PASSED},
   * the route's 401 challenge, or {@link AuthVerdict#BUSY}.
   */
  Future<AuthVerdict> verify(Htpasswd users, String challenge, BasicCredentials credentials) {
    AuthVerdict refused = AuthVerdict.challenge(challenge);
    if (credentials == null) {
      return Future.succeededFuture(refused);
    }
    if (!users.slow()) {
      return Future.succeededFuture(users.verify(credentials.user(), credentials.password())
          ? AuthVerdict.BASIC_PASSED : refused);
    }
    Verified key = new Verified(users, credentials.user(), digest(credentials.password()));
    if (verified.getIfPresent(key) != null) {
      return Future.succeededFuture(AuthVerdict.BASIC_PASSED);
    }
    if (pending.incrementAndGet() > MAX_PENDING) {
      pending.decrementAndGet();
      return Future.succeededFuture(AuthVerdict.BUSY);
    }
    return vertx.executeBlocking(() -> users.verify(credentials.user(), credentials.password()), false)
        .andThen(done -> pending.decrementAndGet())
        .map(ok -> {
          if (ok) {
            verified.put(key, Boolean.TRUE);
          }
          return ok ? AuthVerdict.BASIC_PASSED : refused;
        })
        .otherwise(AuthVerdict.ERROR);
  }

  /** Slow checks under way (for tests). */
  int pending() {
    return pending.get();
  }

  private static String digest(String password) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(password.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
