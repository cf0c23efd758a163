package io.clbingress.operator.translate;

import io.clbingress.operator.state.ObjectRef;

/**
 * What translation concluded about one CLBListener, for its status conditions.
 *
 * @param acceptedMessage why it is not accepted (empty when it is)
 * @param refsMessage which backend could not be resolved (empty when all were)
 * @param attachedIngresses Ingresses served on it through {@code clb.ingress.io/listener}
 */
public record ListenerStatus(ObjectRef ref, long generation, boolean accepted, String acceptedMessage,
    boolean refsResolved, String refsMessage, int attachedIngresses) {
}
