package io.samsa.api.replication;

import java.util.List;
import java.util.Objects;

/**
 * The leadership of one partition, as Kafka keeps it in
 * {@code /brokers/topics/<t>/partitions/<p>/state}, with the version of that node.
 *
 * @param leader          the leader's broker id, -1 when no replica can lead
 * @param leaderEpoch     bumped by every leader election (not by an ISR change)
 * @param isr             the in-sync replicas, the leader among them; never empty once written
 *                        (with no leader it keeps the last member, so that it is preferred when it
 *                        returns)
 * @param partitionEpoch  the version of the state node: bumped by every change, leader's ISR
 *                        changes included; what every update compares and sets. -1 for a state not
 *                        read from the store
 * @param controllerEpoch the epoch of the controller that last elected a leader
 * @param recovery        whether the leader was elected uncleanly and has not yet recovered
 */
public record PartitionState(int leader, int leaderEpoch, List<Integer> isr, int partitionEpoch, int controllerEpoch,
        LeaderRecoveryState recovery) {

    /** A partition whose state has not been written yet. */
    public static final PartitionState NONE = new PartitionState(-1, -1, List.of(), -1, -1,
            LeaderRecoveryState.RECOVERED);

    public PartitionState {
        isr = List.copyOf(isr);
        Objects.requireNonNull(recovery, "recovery");
    }

    /** This state with another ISR: what a leader writes when a follower joins or leaves it. */
    public PartitionState withIsr(List<Integer> newIsr) {
        return new PartitionState(leader, leaderEpoch, newIsr, partitionEpoch, controllerEpoch, recovery);
    }

    /** This state as the store returned it after a write, at {@code version}. */
    public PartitionState atPartitionEpoch(int version) {
        return new PartitionState(leader, leaderEpoch, isr, version, controllerEpoch, recovery);
    }

    /** Whether the state was ever written. */
    public boolean exists() {
        return partitionEpoch >= 0;
    }
}
