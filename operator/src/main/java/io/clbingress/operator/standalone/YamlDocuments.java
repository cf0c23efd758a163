package io.clbingress.operator.standalone;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits the text of a YAML stream into pieces of one document each, without parsing it, so that
 * each piece can be parsed (and its result kept) on its own. A line that starts with {@code ---}
 * followed by a space, a tab or the line's end starts a document: YAML forbids such a line inside
 * any content (YAML 1.2.2 §9.1.4, "c-forbidden"), so where the stream has them is known from the
 * lines alone (YamlDocumentsTest checks SnakeYAML, the parser used, against it). Streams with directives ({@code %YAML}, {@code %TAG}: they
 * belong to the document after them) or document end markers ({@code ...}) are not split: one
 * piece, the whole text. Parsing the pieces one after another gives the documents of the whole
 * text, in order.
 */
final class YamlDocuments {

  /**
   * @param text the piece: from a line starting a document (or the stream's start) to the next one
   * @param firstLine lines of the stream before it (0-based), to name a line of the stream in an error
   */
  record Piece(String text, int firstLine) {
  }

  private YamlDocuments() {
  }

  static List<Piece> pieces(String text) {
    List<Piece> pieces = new ArrayList<>();
    int start = 0;
    int startLine = 0;
    int line = 0;
    for (int at = 0; at < text.length(); line++) {
      if (text.charAt(at) == '%' || isMarker(text, at, "...")) {
        return List.of(new Piece(text, 0));
      }
      if (at > start && isMarker(text, at, "---")) {
        pieces.add(new Piece(text.substring(start, at), startLine));
        start = at;
        startLine = line;
      }
      int end = text.indexOf('\n', at);
      at = end < 0 ? text.length() : end + 1;
    }
    pieces.add(new Piece(text.substring(start), startLine));
    return pieces;
  }

  private static boolean isMarker(String text, int at, String marker) {
    if (!text.startsWith(marker, at)) {
      return false;
    }
    int after = at + marker.length();
    return after == text.length() || " \t\r\n".indexOf(text.charAt(after)) >= 0;
  }
}
