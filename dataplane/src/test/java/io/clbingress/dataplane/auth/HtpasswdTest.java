package io.clbingress.dataplane.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clbingress.dataplane.table.BasicAuth;
import io.clbingress.dataplane.table.BasicAuth.HashFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Htpasswd} against hashes made at test time by Debian's {@code htpasswd} (apache2-utils),
 * each of its formats; skipped when htpasswd is not installed.
 */
class HtpasswdTest {

  private static final String HTPASSWD = "/usr/bin/htpasswd";

  /** {@code htpasswd -nb<flag> [more flags] user password}'s line, as a user of the table. */
  private static BasicAuth.User htpasswd(String flag, String user, String password) throws IOException, InterruptedException {
    assumeTrue(Files.isExecutable(Path.of(HTPASSWD)), "htpasswd (Debian's apache2-utils) is not installed");
    List<String> command = new ArrayList<>(List.of(HTPASSWD));
    String[] flags = flag.split(" ");
    command.add("-nb" + flags[0]);
    command.addAll(List.of(flags).subList(1, flags.length));
    command.addAll(List.of(user, password));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("htpasswd wrote: %s", out).isZero();
    String line = out.lines().findFirst().orElseThrow();
    int colon = line.indexOf(':');
    return new BasicAuth.User(line.substring(0, colon), line.substring(colon + 1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"B", "m", "s", "d", "p", "2", "5"})
  void aPasswordHashedByHtpasswdIsVerifiedAndAWrongOneIsNot(String flag) throws Exception {
    // Given: a user whose hash htpasswd made with this flag
    BasicAuth.User alice = htpasswd(flag, "alice", "s3cret-pw");
    Htpasswd users = new Htpasswd(List.of(alice));
    // Then
    assertThat(users.verify("alice", "s3cret-pw")).isTrue();
    assertThat(users.verify("alice", "s3creT-pw")).isFalse();
    assertThat(users.verify("alice", "")).isFalse();
    assertThat(users.verify("Alice", "s3cret-pw")).as("user names are compared exactly").isFalse();
    assertThat(users.verify("bob", "s3cret-pw")).isFalse();
    assertThat(users.verify(null, "s3cret-pw")).isFalse();
    assertThat(users.verify("alice", null)).isFalse();
  }

  @Test
  void eachFlagGivesTheFormatItIsDocumentedFor() throws Exception {
    assertThat(HashFormat.of(htpasswd("B", "u", "pw").hash())).isEqualTo(HashFormat.BCRYPT);
    assertThat(HashFormat.of(htpasswd("m", "u", "pw").hash())).isEqualTo(HashFormat.APR1);
    assertThat(HashFormat.of(htpasswd("s", "u", "pw").hash())).isEqualTo(HashFormat.SHA1);
    assertThat(HashFormat.of(htpasswd("d", "u", "pw").hash())).isEqualTo(HashFormat.CRYPT);
    assertThat(HashFormat.of(htpasswd("p", "u", "pw").hash())).isEqualTo(HashFormat.PLAIN);
    assertThat(HashFormat.of(htpasswd("2", "u", "pw").hash())).isEqualTo(HashFormat.SHA256_CRYPT);
    assertThat(HashFormat.of(htpasswd("5", "u", "pw").hash())).isEqualTo(HashFormat.SHA512_CRYPT);
    assertThat(HashFormat.of(htpasswd("2 -r 20000", "u", "pw").hash()))
        .as("explicit rounds").isEqualTo(HashFormat.SHA256_CRYPT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"B", "m", "s", "2", "5"})
  void emptyAndNonAsciiPasswordsArePasswordsLikeAnyOtherComparedAsUtf8(String flag) throws Exception {
    Htpasswd users = new Htpasswd(List.of(htpasswd(flag, "empty", ""), htpasswd(flag, "zoë", "pässwörd-日本")));
    assertThat(users.verify("empty", "")).isTrue();
    assertThat(users.verify("empty", " ")).isFalse();
    assertThat(users.verify("zoë", "pässwörd-日本")).isTrue();
    assertThat(users.verify("zoë", "passwort-日本")).isFalse();
  }

  @Test
  void anEmptyPlainPasswordIsRefusedByTheTable() {
    // "htpasswd -nbp user ''" writes "user:": a stray line of that form must not be a user without password
    assertThatThrownBy(() -> htpasswd("p", "empty", "")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("user empty has no hash");
  }

  @Test
  void bcryptIgnoresBytesPast72AsApacheDoesAndCryptPast8() throws Exception {
    String long72 = "x".repeat(72);
    Htpasswd bcrypt = new Htpasswd(List.of(htpasswd("B", "long", long72 + "-tail")));
    assertThat(bcrypt.verify("long", long72 + "-other-tail")).isTrue();
    assertThat(bcrypt.verify("long", "x".repeat(71))).isFalse();
    Htpasswd crypt = new Htpasswd(List.of(htpasswd("d", "old", "12345678-tail")));
    assertThat(crypt.verify("old", "12345678")).isTrue();
    assertThat(crypt.verify("old", "1234567")).isFalse();
  }

  @Test
  void oneUserOfManyFormatsEachWithItsOwnPassword() throws Exception {
    // Given: a file of users of every format
    List<BasicAuth.User> users = new ArrayList<>();
    String[] flags = {"B", "m", "s", "d", "p", "2", "5"};
    for (String flag : flags) {
      users.add(htpasswd(flag, "user-" + flag, "pw-" + flag));
    }
    Htpasswd htpasswd = new Htpasswd(users);
    // Then: each user has its password, not another's
    for (String flag : flags) {
      assertThat(htpasswd.verify("user-" + flag, "pw-" + flag)).as(flag).isTrue();
      assertThat(htpasswd.verify("user-" + flag, "pw-B".equals("pw-" + flag) ? "pw-m" : "pw-B")).as(flag).isFalse();
    }
    assertThat(htpasswd.slow()).isTrue();
    assertThat(new Htpasswd(List.of(users.get(2), users.get(3), users.get(4))).slow()).as("{SHA}, crypt and plain only")
        .isFalse();
    assertThat(new Htpasswd(List.of(users.get(2), users.get(1))).slow()).as("{SHA} and apr1").isTrue();
  }

  @Test
  void anUnknownUserIsRefusedEvenWithTheFirstUsersPassword() throws Exception {
    // the dummy verification of an unknown user runs against the first user's hash; its answer is thrown away
    Htpasswd users = new Htpasswd(List.of(htpasswd("m", "first", "pw")));
    assertThat(users.verify("someone-else", "pw")).isFalse();
  }

  @Test
  void aUserNameWithAColonIsRefusedByTheTable() {
    // htpasswd itself refuses such a name; an auth-map key cannot hold one; RFC 7617 forbids it
    assertThatThrownBy(() -> new BasicAuth.User("a:b", "plain")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("':'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"$2y$05$tooShort", "$2y$03$" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0",
      "$2y$31$" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0", "$apr1$saltsaltsalt$x", "$apr1$$",
      "$5$rounds=5000000$salt$" + "0123456789012345678901234567890123456789012", "$6$salt$short", "$y$j9T$abc$def",
      "{SSHA}abcdef", "{SHA}tooShort", "{PLAIN}pw", "$", ""})
  void malformedAndUnknownHashesAreRefusedWithoutTheHashInTheMessage(String hash) {
    assertThatThrownBy(() -> new BasicAuth.User("mallory", hash)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mallory")
        .satisfies(e -> {
          if (hash.length() > 12) {
            assertThat(e.getMessage()).doesNotContain(hash.substring(hash.length() - 6));
          }
        });
  }

  @Test
  void theTableNeverPrintsAHash() throws Exception {
    BasicAuth.User user = htpasswd("m", "alice", "pw");
    BasicAuth filter = new BasicAuth("r", List.of(user));
    assertThat(filter.toString()).contains("alice").doesNotContain(user.hash());
    assertThat(Htpasswd.of(filter).toString()).contains("alice").doesNotContain(user.hash());
  }
}
