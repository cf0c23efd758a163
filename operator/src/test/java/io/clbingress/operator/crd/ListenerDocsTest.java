package io.clbingress.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.operator.GeneratedDoc;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** docs/clblistener.md is the one generated from the shipped CRD's schema. */
class ListenerDocsTest {

  @Test
  void listenerPageIsCurrent() throws Exception {
    GeneratedDoc.assertCurrent("clblistener.md", ListenerDocs.markdownPage(Files.readString(ShippedCrdTest.SHIPPED)));
  }

  @Test
  void everyLeafOfTheSchemaIsARowWithItsRange() throws Exception {
    // Given
    String page = ListenerDocs.markdownPage(Files.readString(ShippedCrdTest.SHIPPED));
    // Then: nested objects, list elements, ranges, enums, patterns, required fields
    assertThat(page)
        .contains("| `spec.port` | integer (int32) | yes | 1–65535 |")
        .contains("| `spec.protocol` | string | yes | `HTTP`, `HTTPS`, `TCP`, `TCP_SSL` |")
        .contains("| `spec.rules[].backends[].weight` | integer (int32) |  | 0–100 |")
        .contains("| `spec.rules[].healthCheck.timeoutSeconds` | integer (int32) |  | 2–60 |")
        .contains("| `spec.defaults.sslProtocols` | list of string |  | `TLSv1`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3` |")
        .contains("| `spec.defaults.clientMaxBodySize` | string |  | `^[0-9]+(Ki\\|Mi\\|Gi\\|k\\|M\\|G)?$` |")
        .contains("| `spec.rules[].path` | string | yes |")
        .contains("| `status.conditions[].reason` | string |");
  }
}
