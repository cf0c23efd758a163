package io.clbingress.dataplane.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The routing table is the contract between operator and data plane: its package may depend on
 * the JDK, Jackson's annotations and RE2/J (to refuse a regex route's invalid pattern when a table
 * is read) only, so that either side can change its machinery freely.
 */
class TablePackageDependenciesTest {

  @Test
  void importsOnlyTheJdkJacksonAnnotationsAndRe2j() throws Exception {
    // Given
    Path dir = Path.of("src/main/java/io/clbingress/dataplane/table");
    List<String> imports;
    try (Stream<Path> files = Files.list(dir)) {
      imports = files.filter(f -> f.toString().endsWith(".java"))
          .flatMap(f -> {
            try {
              return Files.readAllLines(f).stream().filter(l -> l.startsWith("import ")).map(l -> f.getFileName() + ": " + l);
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          })
          .toList();
    }
    // Then
    assertThat(imports).isNotEmpty();
    assertThat(imports).allSatisfy(line -> assertThat(line)
        .matches(".*: import (static )?(java\\.|com\\.fasterxml\\.jackson\\.annotation\\.|com\\.google\\.re2j\\.).*"));
  }
}
