package io.samsa.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.common.protocol.Errors;

import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;

/**
 * Leadership moves between live brokers, as opposed to elections forced by a broker's loss
 * ({@link LeaderElection}): away from a broker shutting down cleanly, back to the preferred
 * replica, and the unclean election an operator asks for. Pure: the caller reads, writes and
 * retries.
 */
final class LeadershipMoves {

    private LeadershipMoves() {
    }

    /**
     * Takes brokers that asked for a controlled shutdown out of the partition: a leadership of
     * theirs moves to the first live in-sync replica not shutting down (at the next leader
     * epoch), and they leave the ISR, so the leader stops waiting for them at once. A partition
     * with no other in-sync replica keeps its leader: moving it would only make it leaderless
     * sooner.
     *
     * @param state        the state to start from (the stored one, or what another decision made of it)
     * @param stored       the stored state, whose leader epoch a new leader bumps
     * @return the state to write, empty when none of {@code shuttingDown} leads or is in sync
     */
    static Optional<StateChange> awayFromShuttingDown(PartitionAssignment assignment, PartitionState state,
            PartitionState stored, Set<Integer> shuttingDown, Set<Integer> live, int controllerEpoch) {
        if (shuttingDown.isEmpty() || state.isr().stream().noneMatch(shuttingDown::contains)
                && !shuttingDown.contains(state.leader())) {
            return Optional.empty();
        }
        List<Integer> remaining = new ArrayList<>(state.isr());
        remaining.removeIf(shuttingDown::contains);
        if (shuttingDown.contains(state.leader())) {
            for (int replica : assignment.replicas()) {
                if (remaining.contains(replica) && live.contains(replica)) {
                    return Optional.of(new StateChange(new PartitionState(replica, stored.leaderEpoch() + 1, remaining,
                            -1, controllerEpoch, state.recovery()), "leader " + state.leader()
                                    + " is shutting down; " + replica + " is the first live in-sync replica"));
                }
            }
            return Optional.empty(); // no one to take over
        }
        if (remaining.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new StateChange(new PartitionState(state.leader(), state.leaderEpoch(), remaining, -1,
                controllerEpoch, state.recovery()), "in-sync replicas " + shuttingDown + " are shutting down"));
    }

    /** A leadership election's outcome: the state to write, or why there is none. */
    record Election(Optional<StateChange> change, Errors error) {
        static Election elect(StateChange change) {
            return new Election(Optional.of(change), Errors.NONE);
        }

        static Election refused(Errors error) {
            return new Election(Optional.empty(), error);
        }
    }

    /**
     * Moves leadership to the preferred replica (the first assigned) when it is live, in sync,
     * not shutting down and not leading already.
     */
    static Election preferred(PartitionAssignment assignment, PartitionState current, Set<Integer> eligible,
            int controllerEpoch) {
        int preferred = assignment.replicas().get(0);
        if (current.leader() == preferred) {
            return Election.refused(Errors.ELECTION_NOT_NEEDED);
        }
        if (!eligible.contains(preferred) || !current.isr().contains(preferred)) {
            return Election.refused(Errors.PREFERRED_LEADER_NOT_AVAILABLE);
        }
        return Election.elect(new StateChange(new PartitionState(preferred, current.leaderEpoch() + 1, current.isr(),
                -1, controllerEpoch, current.recovery()), "preferred replica " + preferred + " takes over from "
                        + current.leader()));
    }

    /**
     * Elects a live replica for a partition without a leader, in sync or not, as an operator
     * asks (ElectLeaders UNCLEAN); a partition with a live leader needs none.
     */
    static Election unclean(PartitionAssignment assignment, PartitionState current, Set<Integer> live,
            int controllerEpoch) {
        if (current.leader() >= 0 && live.contains(current.leader())) {
            return Election.refused(Errors.ELECTION_NOT_NEEDED);
        }
        for (int replica : assignment.replicas()) {
            if (current.isr().contains(replica) && live.contains(replica)) {
                return Election.elect(new StateChange(new PartitionState(replica, current.leaderEpoch() + 1,
                        current.isr().stream().filter(live::contains).toList(), -1, controllerEpoch,
                        current.recovery()), replica + " is a live in-sync replica"));
            }
        }
        for (int replica : assignment.replicas()) {
            if (live.contains(replica)) {
                return Election.elect(new StateChange(new PartitionState(replica, current.leaderEpoch() + 1,
                        List.of(replica), -1, controllerEpoch, LeaderRecoveryState.RECOVERING), "unclean election of "
                                + replica + " as asked; records only the ISR " + current.isr() + " had are lost"));
            }
        }
        return Election.refused(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE);
    }
}
