package io.clbingress.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** {@code status} of a CLBListener: Accepted, ResolvedRefs and Programmed conditions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CLBListenerStatus {
  public Long observedGeneration;
  public List<Condition> conditions;
  public Integer attachedIngresses;
}
