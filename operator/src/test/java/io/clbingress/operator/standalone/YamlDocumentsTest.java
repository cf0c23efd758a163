package io.clbingress.operator.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A YAML stream split into pieces of one document each parses, piece after piece, to the documents
 * of the whole stream: checked with SnakeYAML on streams made at random (fixed seed) of the pieces
 * that make splitting hard (markers with content, tabs and CRLF after them, lines that only look
 * like markers, block scalars and quoted strings holding dashes, empty documents, comments,
 * directives and end markers).
 */
class YamlDocumentsTest {

  private static final List<String> PARTS = List.of(
      "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n", "# a comment\n", "", "\n", "---\n", "--- \n",
      "---\t\n", "---\r\n", "--- {a: 1}\n", "--- |\n  text\n  ---\n", "--- >\n  folded\n", "key: |\n  ---\n  more\n",
      "k: \"quoted\n  --- inside\"\n", "k: 'single --- '\n", "----\n", "---x\n", "-- -\n", "- item\n- other\n",
      "a: b\r\n", "...\n", "%YAML 1.1\n---\n", "plain\n---\n", "a: &x 1\nb: *x\n", "list:\n- a\n- b\n", "---", "k: v",
      "---\n# only a comment\n", "\uFEFF---\n");

  private final Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));

  @Test
  void piecesParseToTheDocumentsOfTheWholeStream() {
    Random random = new Random(7);
    int split = 0;
    for (int i = 0; i < 3000; i++) {
      StringBuilder text = new StringBuilder();
      for (int n = random.nextInt(8); n >= 0; n--) {
        text.append(PARTS.get(random.nextInt(PARTS.size())));
      }
      List<YamlDocuments.Piece> pieces = YamlDocuments.pieces(text.toString());
      split += pieces.size() > 1 ? 1 : 0;
      assertThat(String.join("", pieces.stream().map(YamlDocuments.Piece::text).toList())).isEqualTo(text.toString());
      assertThat(parsed(pieces)).as(text.toString()).isEqualTo(parsed(List.of(new YamlDocuments.Piece(text.toString(), 0))));
    }
    assertThat(split).as("streams split into several pieces").isGreaterThan(1000);
  }

  @Test
  void eachPieceKnowsItsFirstLine() {
    List<YamlDocuments.Piece> pieces = YamlDocuments.pieces("a: 1\n---\nb: 2\nc: 3\n--- {d: 4}\n");
    assertThat(pieces).extracting(YamlDocuments.Piece::firstLine).containsExactly(0, 1, 4);
    assertThat(pieces).extracting(YamlDocuments.Piece::text).containsExactly("a: 1\n", "---\nb: 2\nc: 3\n", "--- {d: 4}\n");
  }

  /** The documents, or the kind of error: parsing fails for both, or for neither. */
  private List<Object> parsed(List<YamlDocuments.Piece> pieces) {
    List<Object> documents = new ArrayList<>();
    try {
      for (YamlDocuments.Piece piece : pieces) {
        yaml.loadAll(piece.text()).forEach(documents::add);
      }
      return documents;
    } catch (RuntimeException | StackOverflowError e) {
      return List.of("fails");
    }
  }
}
