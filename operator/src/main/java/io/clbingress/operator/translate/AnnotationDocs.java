package io.clbingress.operator.translate;

/** The annotation table of README.md, generated from {@link AnnotationSpec#ALL}. */
public final class AnnotationDocs {

  private AnnotationDocs() {
  }

  public static String markdownTable() {
    StringBuilder table = new StringBuilder()
        .append("| annotation | meaning | default | accepted | ingress-nginx name honoured |\n")
        .append("|---|---|---|---|---|\n");
    for (AnnotationSpec spec : AnnotationSpec.ALL) {
      table.append("| `").append(spec.key()).append("` | ").append(spec.meaning()).append(" | ")
          .append(spec.defaultValue().isEmpty() ? "—" : spec.defaultValue()).append(" | ")
          .append(spec.acceptedText()).append(" | ")
          .append(spec.nginxAlias() ? "`" + spec.nginxKey() + "`" : "—").append(" |\n");
    }
    return table.toString();
  }
}
