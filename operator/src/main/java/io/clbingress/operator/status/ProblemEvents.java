package io.clbingress.operator.status;

import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.translate.Problem;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A Warning Event for every problem, once: while a problem persists no further Event is written,
 * however often the table is rebuilt. Event names derive from the problem, so an operator that
 * restarts (or a new leader) finds the Event already there instead of adding a second one.
 */
public final class ProblemEvents {

  private static final Logger LOG = LogManager.getLogger(ProblemEvents.class);
  static final String COMPONENT = "clb-ingress";
  private static final Map<String, String> API_VERSIONS = Map.of(
      "Ingress", "networking.k8s.io/v1",
      "Service", "v1",
      "Secret", "v1",
      "CLBListener", "clb.ingress.io/v1alpha1");

  private final KubernetesClient client;
  private final Clock clock;
  private Set<Problem> emitted = Set.of();

  public ProblemEvents(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** Writes Events for the problems not reported yet; forgets the ones that are gone. */
  public void report(List<Problem> problems) {
    Set<Problem> now = new HashSet<>();
    for (Problem problem : problems) {
      if (emitted.contains(problem) || write(problem)) {
        now.add(problem);
      }
    }
    emitted = now;
  }

  /** Forgets what was written: after a leadership change, everything is checked again. */
  public void reset() {
    emitted = Set.of();
  }

  private boolean write(Problem problem) {
    ObjectRef object = problem.object();
    String timestamp = clock.instant().toString();
    Event event = new EventBuilder()
        .withNewMetadata().withName(eventName(problem)).withNamespace(object.namespace()).endMetadata()
        .withNewInvolvedObject().withKind(object.kind()).withNamespace(object.namespace()).withName(object.name())
        .withApiVersion(API_VERSIONS.get(object.kind())).endInvolvedObject()
        .withType("Warning").withReason(problem.eventReason())
        .withMessage(problem.field() + ": " + problem.reason())
        .withNewSource().withComponent(COMPONENT).endSource()
        .withFirstTimestamp(timestamp).withLastTimestamp(timestamp).withCount(1)
        .build();
    try {
      client.v1().events().inNamespace(object.namespace()).resource(event).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return true;
      }
      LOG.warn("{}: cannot write a Warning Event ({}); will try again on the next change", object, e.getMessage());
      return false;
    }
  }

  /** {@code <object name>.clb-<hash of field and reason>}: stable across restarts. */
  static String eventName(Problem problem) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((problem.object() + "|" + problem.field() + "|" + problem.reason()).getBytes(StandardCharsets.UTF_8));
      return problem.object().name() + ".clb-" + HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
