package io.clbingress.operator.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.operator.crd.CLBListener;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Properties of reading a CLBListener's typed fields from a file (standalone mode, where no API
 * server checks them against the CRD's schema): whatever scalar, list or mapping a field holds,
 * the file is read, or refused with an error that names the file, the document, the object and
 * the field; never another exception. Inputs come from a fixed seed.
 */
class ManifestParserPropertiesTest {

  /** Typed fields, as the path the error names and the YAML that sets them to VALUE. */
  private static final List<String[]> FIELDS = List.of(
      new String[] {"spec.port", "spec: {port: VALUE, protocol: HTTP}"},
      new String[] {"spec.protocol", "spec: {port: 8081, protocol: VALUE}"},
      new String[] {"spec.http2", "spec: {port: 8081, protocol: HTTPS, http2: VALUE}"},
      new String[] {"spec.certificate.mode", "spec: {port: 8081, protocol: HTTPS, certificate: {secretName: t, mode: VALUE}}"},
      new String[] {"spec.defaults.sslProtocols[0]", "spec: {port: 8081, protocol: HTTPS, defaults: {sslProtocols: [VALUE]}}"},
      new String[] {"spec.proxyProtocol", "spec: {port: 8081, protocol: HTTP, proxyProtocol: VALUE}"},
      new String[] {"spec.backendProxyProtocol", "spec: {port: 8081, protocol: TCP, backendProxyProtocol: VALUE}"},
      new String[] {"spec.rules[0].scheduler", "spec: {port: 8081, protocol: HTTP, rules: [{path: /, scheduler: VALUE}]}"},
      new String[] {"spec.rules[0].pathType", "spec: {port: 8081, protocol: HTTP, rules: [{path: /, pathType: VALUE}]}"},
      new String[] {"spec.rules[0].sessionPersistence.ttlSeconds",
          "spec: {port: 8081, protocol: HTTP, rules: [{path: /, sessionPersistence: {ttlSeconds: VALUE}}]}"},
      new String[] {"spec.rules[0].healthCheck.intervalSeconds",
          "spec: {port: 8081, protocol: HTTP, rules: [{path: /, healthCheck: {intervalSeconds: VALUE}}]}"},
      new String[] {"spec.rules[0].backends[0].weight",
          "spec: {port: 8081, protocol: HTTP, rules: [{path: /, backends: [{weight: VALUE}]}]}"});
  private static final List<String> VALUES = List.of("8081", "0", "-1", "65536", "2147483648", "99999999999999999999",
      "8081.5", "1e3", "0x1F", "'8081'", "\"\u0668\u0660\"", "true", "no", "~", "''", "[]", "[1]", "{}", "{a: 1}", "HTTP",
      "http", "TCP_SSL", "MUTUAL", "LEAST_CONN", "least_conn", "Prefix", "TLSv1.3", "TLSv1.4", "'  HTTP'", "\"\\t\"",
      "\"\u017ftring\"", "2xx", ".inf", ".nan", "!!binary aGk=", "v1", "v2", "v3", "V2", "'v2 '");

  @TempDir
  Path folder;

  @Test
  void anyValueOfATypedFieldIsReadOrAnErrorNamingTheField() throws Exception {
    Random random = new Random(41);
    Path file = folder.resolve("listener.yaml");
    ManifestParser parser = new ManifestParser();
    int refused = 0;
    for (int i = 0; i < 600; i++) {
      String[] field = FIELDS.get(random.nextInt(FIELDS.size()));
      String value = VALUES.get(random.nextInt(VALUES.size()));
      String yaml = "apiVersion: clb.ingress.io/v1alpha1\nkind: CLBListener\nmetadata: {name: edge, namespace: apps}\n"
          + field[1].replace("VALUE", value) + "\n";
      Files.writeString(file, yaml);
      try {
        List<HasMetadata> objects = parser.parse(file);
        assertThat(objects).as(yaml).singleElement().isInstanceOf(CLBListener.class);
      } catch (ManifestException e) {
        refused++;
        assertThat(e.getMessage()).as(yaml).startsWith(file + " document 1: ")
            .contains("CLBListener apps/edge").contains(field[0]).doesNotContain("\n");
      }
    }
    assertThat(refused).as("refused files among the inputs").isGreaterThan(60);
  }
}
