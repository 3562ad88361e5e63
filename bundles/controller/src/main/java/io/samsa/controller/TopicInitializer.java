package io.samsa.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;

/**
 * The first state of a partition that has an assignment and no state yet: a new topic's, a new
 * partition's, or one a controller killed half-way through left behind (which is why every new
 * controller looks for them). Written with {@code ABSENT} as the expected partition epoch, so a
 * broker that still writes first states itself and the controller cannot both win.
 */
final class TopicInitializer {

    private TopicInitializer() {
    }

    /**
     * The first live replica in assignment order leads, at leader epoch 0, with every live replica
     * in sync (none of them has a record yet). With no replica live the partition starts leaderless,
     * its first replica the one in-sync member, so that it leads when it comes up.
     */
    static StateChange firstState(PartitionAssignment assignment, Set<Integer> live, int controllerEpoch) {
        List<Integer> liveReplicas = new ArrayList<>();
        for (int replica : assignment.replicas()) {
            if (live.contains(replica)) {
                liveReplicas.add(replica);
            }
        }
        if (liveReplicas.isEmpty()) {
            int first = assignment.replicas().get(0);
            return new StateChange(new PartitionState(-1, 0, List.of(first), -1, controllerEpoch,
                    LeaderRecoveryState.RECOVERED), "new partition, none of its replicas " + assignment.replicas()
                            + " is live");
        }
        return new StateChange(new PartitionState(liveReplicas.get(0), 0, liveReplicas, -1, controllerEpoch,
                LeaderRecoveryState.RECOVERED), "new partition");
    }
}
