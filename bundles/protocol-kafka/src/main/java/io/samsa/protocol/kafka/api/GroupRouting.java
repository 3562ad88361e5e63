package io.samsa.protocol.kafka.api;

import org.apache.kafka.common.errors.NotCoordinatorException;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.GroupCoordinator;

/** Which groups this broker coordinates; requests for others are answered NOT_COORDINATOR. */
final class GroupRouting {

    private final ClusterView cluster;
    private final GroupCoordinator coordinator;

    GroupRouting(ClusterView cluster, GroupCoordinator coordinator) {
        this.cluster = cluster;
        this.coordinator = coordinator;
    }

    GroupCoordinator coordinator() {
        return coordinator;
    }

    boolean isLocal(String groupId) {
        return coordinator.coordinatorFor(groupId) == cluster.localBrokerId();
    }

    /**
     * @throws NotCoordinatorException which the dispatcher turns into the request's own error
     *                                 response, shaped right for each version
     */
    void requireLocal(String groupId) {
        if (!isLocal(groupId)) {
            throw new NotCoordinatorException("Broker " + cluster.localBrokerId()
                    + " is not the coordinator of group " + groupId);
        }
    }
}
