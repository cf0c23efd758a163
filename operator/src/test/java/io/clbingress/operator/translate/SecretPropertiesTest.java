package io.clbingress.operator.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.Certificate;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.SecretInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Properties of reading the key pair of a {@code kubernetes.io/tls} Secret that a certificate
 * reference names: a real pair with any bytes of its PEM changed, cut, doubled or swapped gets
 * the certificate or a problem naming the referring object and field, never an exception (the
 * JDK's and Netty's DER parsers meet what a broken copy-paste gives them). Inputs come from a
 * fixed seed.
 */
class SecretPropertiesTest {

  private static final ObjectRef LISTENER = new ObjectRef("CLBListener", "apps", "edge");
  private static final String FIELD = "spec.certificate.secretName";
  private static final String BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n-";

  @Test
  void aDamagedKeyPairGetsAProblemNamingTheReferenceNeverAnException() {
    SecretInfo good = Fixtures.fromFolder(Path.of("src/test/resources/translate/listener-https")).secrets().stream()
        .filter(s -> SecretInfo.TLS_TYPE.equals(s.type()) && s.certificatePem() != null).findFirst().orElseThrow();
    assertThat(read(good, good.certificatePem(), good.privateKeyPem(), new ArrayList<>())).isNotNull();
    Random random = new Random(51);
    int refused = 0;
    for (int i = 0; i < 300; i++) {
      int which = random.nextInt(3);
      String certificate = which == 1 ? good.certificatePem() : damaged(good.certificatePem(), good.privateKeyPem(), random);
      String key = which == 0 ? good.privateKeyPem() : damaged(good.privateKeyPem(), good.certificatePem(), random);
      List<Problem> problems = new ArrayList<>();
      Certificate read = read(good, certificate, key, problems);
      String input = Inputs.visible(certificate + " / " + key);
      assertThat(read == null).as(input).isEqualTo(!problems.isEmpty());
      for (Problem problem : problems) {
        assertThat(problem.object()).as(input).isEqualTo(LISTENER);
        assertThat(problem.field()).as(input).isEqualTo(FIELD);
        assertThat(problem.reason()).as(input).contains(good.ref().toString());
      }
      refused += read == null ? 1 : 0;
    }
    assertThat(refused).as("damaged pairs refused").isGreaterThan(90);
  }

  private static Certificate read(SecretInfo good, String certificate, String key, List<Problem> problems) {
    SecretInfo secret = new SecretInfo(good.ref(), SecretInfo.TLS_TYPE, certificate, key, null);
    return CertificateCheck.certificate(LISTENER, FIELD, good.ref().namespace(), good.ref().name(), List.of(),
        "; the listener is not programmed", Map.of(good.ref(), secret), Fixtures.TRANSLATED_AT, problems);
  }

  /** The PEM with one to three changes: a character replaced, a run deleted or doubled, a cut, the other PEM spliced in. */
  private static String damaged(String pem, String other, Random random) {
    StringBuilder text = new StringBuilder(pem);
    for (int n = random.nextInt(1, 4); n > 0 && text.length() > 2; n--) {
      int at = random.nextInt(text.length());
      int end = Math.min(text.length(), at + random.nextInt(1, 40));
      switch (random.nextInt(5)) {
        case 0 -> text.setCharAt(at, BASE64.charAt(random.nextInt(BASE64.length())));
        case 1 -> text.delete(at, end);
        case 2 -> text.insert(at, text.substring(at, end));
        case 3 -> text.setLength(at);
        default -> text.insert(at, other, 0, random.nextInt(other.length()));
      }
    }
    return text.toString();
  }
}
