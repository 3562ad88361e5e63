package io.samsa.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;

/**
 * What a partition's state must become given which brokers are live: Kafka's offline-partition
 * election and the removal of offline replicas from the ISR. Pure: the caller reads, writes and
 * retries.
 * <p>
 * A replica outside the ISR may lack acknowledged records, so it is elected only when unclean
 * election is enabled for the topic. When no in-sync replica is live the partition goes
 * leaderless but keeps one in-sync member, the one most likely to have everything, so that it
 * leads again the moment it comes back.
 */
final class LeaderElection {

    private LeaderElection() {
    }

    /**
     * @param current a state read from the store ({@link PartitionState#exists()})
     * @param live    the brokers that count as live for this decision
     * @return the state to write, empty when {@code current} is right as it is
     */
    static Optional<StateChange> decide(PartitionAssignment assignment, PartitionState current, Set<Integer> live,
            boolean unclean, int controllerEpoch) {
        int leader = current.leader();
        List<Integer> isr = current.isr();
        List<Integer> liveIsr = new ArrayList<>();
        List<Integer> offlineIsr = new ArrayList<>();
        for (int replica : isr) {
            (live.contains(replica) ? liveIsr : offlineIsr).add(replica);
        }
        if (leader >= 0 && live.contains(leader)) {
            if (offlineIsr.isEmpty() || !liveIsr.contains(leader)) {
                // a leader outside its own ISR is no state this controller wrote; leave it to its leader
                return Optional.empty();
            }
            return Optional.of(new StateChange(new PartitionState(leader, current.leaderEpoch(), liveIsr, -1,
                    controllerEpoch, current.recovery()), "ISR members " + offlineIsr + " are offline"));
        }
        String leaderGone = leader < 0 ? "no leader" : "leader " + leader + " is offline";
        for (int replica : assignment.replicas()) {
            if (liveIsr.contains(replica)) {
                return Optional.of(new StateChange(new PartitionState(replica, current.leaderEpoch() + 1, liveIsr, -1,
                        controllerEpoch, current.recovery()), leaderGone + "; " + replica
                                + " is the first live in-sync replica"));
            }
        }
        if (unclean) {
            for (int replica : assignment.replicas()) {
                if (live.contains(replica)) {
                    return Optional.of(new StateChange(new PartitionState(replica, current.leaderEpoch() + 1,
                            List.of(replica), -1, controllerEpoch, LeaderRecoveryState.RECOVERING), leaderGone
                                    + " and no in-sync replica of " + isr + " is live; unclean election of " + replica
                                    + ", records only the ISR had are lost"));
                }
            }
        }
        if (leader < 0) {
            return Optional.empty(); // leaderless already: wait for an in-sync replica to come back
        }
        List<Integer> lastInSync = isr.contains(leader) ? List.of(leader) : isr;
        return Optional.of(new StateChange(new PartitionState(-1, current.leaderEpoch() + 1, lastInSync, -1,
                controllerEpoch, current.recovery()), leaderGone + " and no in-sync replica of " + isr
                        + " is live; leaderless until one returns"
                        + (unclean ? " (no replica at all is live)" : " (unclean election disabled)")));
    }
}
