package io.clbingress.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The CRD users install is the one generated from the Java model at build time. Rewrite the
 * shipped copy with {@code -Dgolden.update=true}. (The Helm chart will ship the same file.)
 */
class ShippedCrdTest {

  static final Path GENERATED = Path.of("target/classes/META-INF/fabric8/clblisteners.clb.ingress.io-v1.yml");
  static final Path SHIPPED = Path.of("../deploy/crds/clblisteners.clb.ingress.io.yaml");

  @Test
  void shippedCrdEqualsTheGeneratedOne() throws Exception {
    // Given
    String generated = Files.readString(GENERATED);
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(SHIPPED, generated);
    }
    // Then
    assertThat(Files.readString(SHIPPED)).isEqualTo(generated);
    assertThat(generated).contains("shortNames:\n    - \"clbl\"", "subresources:\n      status: {}",
        "name: \"Port\"", "name: \"Protocol\"", "name: \"Programmed\"", "name: \"Age\"", "- \"TLSv1.2\"");
  }
}
