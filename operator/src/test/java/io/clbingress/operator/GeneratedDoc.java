package io.clbingress.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A file of {@code docs/} that is generated: stale fails the test; {@code -Dgolden.update=true} rewrites it. */
public final class GeneratedDoc {

  private GeneratedDoc() {
  }

  /** Asserts that {@code docs/name} (from the operator module's folder) holds {@code generated}. */
  public static void assertCurrent(String name, String generated) throws IOException {
    Path file = Path.of("../docs").resolve(name);
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(file, generated);
    }
    assertThat(file).as("docs/%s exists (generate it with -Dgolden.update=true)", name).exists();
    assertThat(Files.readString(file))
        .as("docs/%s is stale: run mvn test -pl operator -Dgolden.update=true and read the diff", name)
        .isEqualTo(generated);
  }
}
