package io.clbingress.operator.status;

import io.clbingress.operator.crd.CLBListener;
import io.clbingress.operator.crd.CLBListenerStatus;
import io.clbingress.operator.translate.ListenerStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Writes the Accepted, ResolvedRefs and Programmed conditions of CLBListeners, their
 * observedGeneration and attached Ingress count. A condition keeps its lastTransitionTime while
 * its status stays; nothing is written when nothing changed.
 */
public final class ListenerStatusWriter {

  private static final Logger LOG = LogManager.getLogger(ListenerStatusWriter.class);

  private final KubernetesClient client;
  private final Clock clock;

  public ListenerStatusWriter(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public void write(List<ListenerStatus> statuses, CurrentObjects current) {
    for (ListenerStatus status : statuses) {
      CLBListener listener = current.listener(status.ref());
      if (listener == null) {
        continue;
      }
      CLBListenerStatus old = listener.getStatus();
      List<Condition> oldConditions = old == null || old.conditions == null ? List.of() : old.conditions;
      CLBListenerStatus wanted = new CLBListenerStatus();
      wanted.observedGeneration = status.generation();
      wanted.attachedIngresses = status.attachedIngresses();
      wanted.conditions = List.of(
          condition(oldConditions, "Accepted", status.accepted(), status.acceptedReason(),
              status.accepted() ? "the listener is valid" : status.acceptedMessage(), status.generation()),
          condition(oldConditions, "ResolvedRefs", status.refsResolved(),
              status.refsResolved() ? "ResolvedRefs" : "BackendNotFound",
              status.refsResolved() ? "every backend Service resolved" : status.refsMessage(), status.generation()),
          condition(oldConditions, "Programmed", status.accepted(), status.accepted() ? "Programmed" : "Invalid",
              status.accepted() ? "in the routing table" : "not in the routing table; see Accepted",
              status.generation()));
      if (old != null && Objects.equals(old.observedGeneration, wanted.observedGeneration)
          && Objects.equals(old.attachedIngresses, wanted.attachedIngresses)
          && Objects.equals(old.conditions, wanted.conditions)) {
        continue;
      }
      CLBListener updated = new CLBListener();
      updated.setMetadata(new ObjectMetaBuilder(listener.getMetadata()).build());
      updated.setSpec(listener.getSpec());
      updated.setStatus(wanted);
      try {
        client.resources(CLBListener.class).inNamespace(status.ref().namespace()).resource(updated).updateStatus();
        LOG.info("{}: Accepted={} ResolvedRefs={} attachedIngresses={}", status.ref(), status.accepted(),
            status.refsResolved(), status.attachedIngresses());
      } catch (KubernetesClientException e) {
        LOG.warn("{}: cannot write status ({}); will try again on the next change", status.ref(), e.getMessage());
      }
    }
  }

  private Condition condition(List<Condition> old, String type, boolean ok, String reason, String message,
      long generation) {
    String value = ok ? "True" : "False";
    String since = old.stream().filter(c -> type.equals(c.getType()) && value.equals(c.getStatus()))
        .map(Condition::getLastTransitionTime).filter(Objects::nonNull).findFirst()
        .orElse(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    return new ConditionBuilder().withType(type).withStatus(value).withReason(reason).withMessage(message)
        .withObservedGeneration(generation).withLastTransitionTime(since).build();
  }

}
