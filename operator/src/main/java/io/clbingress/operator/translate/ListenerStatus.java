package io.clbingress.operator.translate;

import io.clbingress.operator.state.ObjectRef;

/**
 * What translation concluded about one CLBListener, for its status conditions.
 *
 * @param acceptedReason the Accepted condition's reason: Accepted, PortConflict (an older listener
 *     holds its port) or Invalid
 * @param acceptedMessage why it is not accepted (empty when it is)
 * @param refsMessage which backend could not be resolved (empty when all were)
 * @param attachedIngresses Ingresses served on it through {@code clb.ingress.io/listener}
 */
public record ListenerStatus(ObjectRef ref, long generation, boolean accepted, String acceptedReason,
    String acceptedMessage,
    boolean refsResolved, String refsMessage, int attachedIngresses) {
}
