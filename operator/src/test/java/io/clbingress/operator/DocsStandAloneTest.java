package io.clbingress.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** README, docs/ and the scripts refer to nothing outside the repository, and their relative links resolve. */
class DocsStandAloneTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)#]*)(#[^)]*)?\\)");
  private static final List<String> OUTSIDE = List.of("../shared", "/work/", "](http://", "](https://");

  @Test
  void nothingPointsOutsideTheRepository() throws IOException {
    for (Path file : files()) {
      String text = Files.readString(file);
      for (String outside : OUTSIDE) {
        assertThat(text).as(ROOT.relativize(file) + " refers outside the repository").doesNotContain(outside);
      }
    }
  }

  @Test
  void relativeLinksOfTheDocumentsResolve() throws IOException {
    for (Path file : files()) {
      if (!file.toString().endsWith(".md")) {
        continue;
      }
      Matcher link = LINK.matcher(Files.readString(file));
      while (link.find()) {
        if (!link.group(1).isEmpty()) {
          assertThat(file.resolveSibling(link.group(1)).normalize()).as(ROOT.relativize(file) + ": " + link.group())
              .startsWith(ROOT).exists();
        }
      }
    }
  }

  private static List<Path> files() throws IOException {
    List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    for (String folder : List.of("docs", "hack")) {
      try (Stream<Path> walk = Files.walk(ROOT.resolve(folder))) {
        walk.filter(path -> path.toString().matches(".*\\.(md|sh)$") && !path.toString().contains("/run/"))
            .sorted().forEach(files::add);
      }
    }
    return files;
  }
}
