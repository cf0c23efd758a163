package io.clbingress.operator.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * The resolver's shortcuts (a scalar no expression can match is a string at once, and the
 * expressions of words have length limits) type every scalar as SnakeYAML's own resolver does,
 * timestamps aside: every one- and two-character scalar of printable ASCII, YAML 1.1's special
 * values, and random scalars from a fixed seed.
 */
class KubernetesResolverTest {

  private final KubernetesResolver resolver = new KubernetesResolver();
  /** SnakeYAML's resolver, every expression tried on every scalar (and timestamps and "!&*" typed). */
  private final Resolver snakeYaml = new Resolver();

  @Test
  void everyScalarIsTypedAsByTheExpressions() {
    List<String> scalars = new ArrayList<>(List.of("", " ", "~", "null", "Null", "NULL", "nil", "true", "True", "TRUE",
        "false", "yes", "No", "on", "OFF", "y", "n", "0", "-1", "+12", "0x1F", "0o17", "017", "0b101", "1_000", "190:20:30",
        "1.5", "-.5", "1e3", "6.8523015e+5", ".inf", "-.Inf", ".nan", "<<", "2026-12-03", "2026-12-03T21:00:00Z", "app-1",
        "name", "namespace", "networking.k8s.io/v1", "Ingress", "/", "Prefix", "127.0.0.1", "ünicode", "\u0668\u0660"));
    for (char a = ' '; a <= '~'; a++) {
      scalars.add(String.valueOf(a));
      for (char b = ' '; b <= '~'; b++) {
        scalars.add("" + a + b);
      }
    }
    Random random = new Random(7);
    String alphabet = "yYnNtTfFoOlLeEsSuUrRaA0123456789-+._:<~ xXbBTZ";
    for (int i = 0; i < 50_000; i++) {
      StringBuilder scalar = new StringBuilder();
      for (int length = random.nextInt(12); length > 0; length--) {
        scalar.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      scalars.add(scalar.toString());
    }
    int typed = 0;
    for (String scalar : scalars) {
      Tag expected = snakeYaml.resolve(NodeId.scalar, scalar, true);
      if (expected.equals(Tag.TIMESTAMP) || expected.equals(Tag.YAML)) {
        expected = Tag.STR;
      }
      assertThat(resolver.resolve(NodeId.scalar, scalar, true)).as("'%s'", scalar).isEqualTo(expected);
      assertThat(resolver.resolve(NodeId.scalar, scalar, false)).as("'%s' quoted", scalar).isEqualTo(Tag.STR);
      typed += expected.equals(Tag.STR) ? 0 : 1;
    }
    assertThat(typed).as("scalars typed other than string").isGreaterThan(1_000);
  }

  @Test
  void yaml11ScalarsKeepTheirTypesAndTimestampsStayStrings() {
    assertThat(resolver.resolve(NodeId.scalar, "yes", true)).isEqualTo(Tag.BOOL);
    assertThat(resolver.resolve(NodeId.scalar, "0x1F", true)).isEqualTo(Tag.INT);
    assertThat(resolver.resolve(NodeId.scalar, ".inf", true)).isEqualTo(Tag.FLOAT);
    assertThat(resolver.resolve(NodeId.scalar, "", true)).isEqualTo(Tag.NULL);
    assertThat(resolver.resolve(NodeId.scalar, "~", true)).isEqualTo(Tag.NULL);
    assertThat(resolver.resolve(NodeId.scalar, "2026-12-03", true)).isEqualTo(Tag.STR);
    assertThat(resolver.resolve(NodeId.mapping, "", true)).isEqualTo(Tag.MAP);
  }
}
