package io.clbingress.operator.standalone;

import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * The types of plain scalars as kubectl reads YAML: YAML 1.1's booleans ({@code yes}, {@code on},
 * {@code y}...), integers, floats and nulls, as SnakeYAML types them (kubectl's reader,
 * sigs.k8s.io/yaml over go-yaml v2, is also YAML 1.1; the two differ on rare forms such as
 * sexagesimal numbers), except timestamps, which stay strings (SnakeYAML would make them Dates;
 * Kubernetes' own types read them from strings).
 *
 * <p>Each scalar is typed by SnakeYAML's regular expressions, but only where one can match: a
 * scalar whose first character no expression is registered for (anything but
 * {@code yYnNtTfFoO-+0123456789.<~}), other than the empty scalar and a single space, is a string
 * at once; and the expressions of words carry the length of their longest match (SnakeYAML's
 * limit: 5 for booleans, 4 for nulls, 2 for the merge key). SnakeYAML tries the null expressions
 * on every scalar otherwise, one {@code Matcher} each: a tenth of the CPU and a fifth of the
 * memory of reading a large manifest folder. {@code KubernetesResolverTest} checks the typing
 * against SnakeYAML's own resolver.
 */
final class KubernetesResolver extends Resolver {

  /** Whether some resolver is registered for scalars starting with the (ASCII) character. */
  private final boolean[] resolvable = new boolean[128];

  KubernetesResolver() {
    for (Character first : yamlImplicitResolvers.keySet()) {
      if (first != null && first < resolvable.length) {
        resolvable[first] = true;
      }
    }
  }

  @Override
  protected void addImplicitResolvers() {
    addImplicitResolver(Tag.BOOL, BOOL, "yYnNtTfFoO", "false".length());
    addImplicitResolver(Tag.INT, INT, "-+0123456789");
    addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
    addImplicitResolver(Tag.MERGE, MERGE, "<", "<<".length());
    // "\0" and null register NULL and EMPTY for every scalar whatever its first character: they
    // match only "", " ", "~", "null", "Null" and "NULL" (see isString)
    addImplicitResolver(Tag.NULL, NULL, "~nN\0", "null".length());
    addImplicitResolver(Tag.NULL, EMPTY, null, 0);
  }

  @Override
  public Tag resolve(NodeId kind, String value, boolean implicit) {
    return kind == NodeId.scalar && implicit && isString(value) ? Tag.STR : super.resolve(kind, value, implicit);
  }

  /** Whether no expression can match: the first character has none, and the null resolvers' cannot. */
  private boolean isString(String value) {
    if (value.isEmpty() || value.equals(" ")) {
      return false;
    }
    char first = value.charAt(0);
    return first >= resolvable.length || !resolvable[first];
  }
}
