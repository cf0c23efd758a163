package io.clbingress.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** {@code status} of a CLBListener: Accepted, ResolvedRefs and Programmed conditions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CLBListenerStatus {
  @JsonPropertyDescription("The metadata.generation these conditions describe.")
  public Long observedGeneration;
  @JsonPropertyDescription("Accepted, ResolvedRefs and Programmed, each with status, reason and message.")
  public List<Condition> conditions;
  @JsonPropertyDescription("Ingresses bound to this listener with the clb.ingress.io/listener annotation.")
  public Integer attachedIngresses;
}
