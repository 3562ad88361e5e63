package io.samsa.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;

/**
 * Partition reassignment as Kafka's controller does it, in pure decisions: the topic node records
 * the move ({@code replicas} = target then the original replicas not in it, {@code adding},
 * {@code removing}), the adding replicas copy the log and join the ISR as any follower does, and
 * once the whole target is in sync the leadership moves into the target if it must, the ISR
 * drops the removed replicas, and the assignment becomes the target. The topic node is the
 * durable intent: a controller elected in the middle picks the move up from it.
 */
final class Reassignments {

    private Reassignments() {
    }

    /** The replicas the partition had before the reassignment in progress; all of them when none is. */
    static List<Integer> original(PartitionAssignment a) {
        List<Integer> original = new ArrayList<>(a.replicas());
        original.removeAll(a.adding());
        return List.copyOf(original);
    }

    /** Where the reassignment in progress goes; the replicas themselves when none is. */
    static List<Integer> target(PartitionAssignment a) {
        List<Integer> target = new ArrayList<>(a.replicas());
        target.removeAll(a.removing());
        return List.copyOf(target);
    }

    /**
     * Why {@code target} cannot be a partition's replicas, or {@link ApiError#NONE}.
     *
     * @param registered the brokers registered now
     * @param currentSize the size of the partition's replica list before any move
     */
    static ApiError validate(List<Integer> target, Set<Integer> registered, int currentSize,
            boolean allowReplicationFactorChange) {
        if (target.isEmpty()) {
            return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT, "The target replica list is empty");
        }
        if (target.stream().distinct().count() != target.size()) {
            return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT, "The target replicas " + target
                    + " name a broker twice");
        }
        for (int broker : target) {
            if (!registered.contains(broker)) {
                return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT, "The target replicas " + target
                        + " include broker " + broker + ", which is not registered");
            }
        }
        if (!allowReplicationFactorChange && target.size() != currentSize) {
            return new ApiError(Errors.INVALID_REPLICATION_FACTOR, "The target replicas " + target + " change the"
                    + " replication factor from " + currentSize + " to " + target.size()
                    + ", which the request does not allow");
        }
        return ApiError.NONE;
    }

    /**
     * The assignment that starts moving to {@code target}: from the original replicas, so that a
     * new target replaces one in progress. A target equal to the original replicas ends the move.
     */
    static PartitionAssignment begin(PartitionAssignment current, List<Integer> target) {
        List<Integer> original = original(current);
        if (original.equals(target)) {
            return PartitionAssignment.of(target);
        }
        List<Integer> replicas = new ArrayList<>(target);
        List<Integer> removing = new ArrayList<>();
        for (int r : original) {
            if (!target.contains(r)) {
                replicas.add(r);
                removing.add(r);
            }
        }
        List<Integer> adding = target.stream().filter(r -> !original.contains(r)).toList();
        return new PartitionAssignment(replicas, adding, removing);
    }

    /**
     * The assignment with its reassignment cancelled: the original replicas, in the order the move
     * listed them (as Kafka restores them).
     */
    static PartitionAssignment cancel(PartitionAssignment current) {
        return PartitionAssignment.of(original(current));
    }

    /**
     * Whether the move can be written as done: the whole target is in sync, leads and is all the
     * ISR holds.
     */
    static boolean finished(PartitionAssignment a, PartitionState s) {
        List<Integer> target = target(a);
        return a.reassigning() && s.exists() && target.contains(s.leader()) && s.isr().containsAll(target)
                && target.containsAll(s.isr());
    }

    /**
     * The state that fits the partition into {@code replicas}: leadership on one of them (the
     * first live in-sync one, at the next leader epoch, when the leader is not among them) and
     * only them in the ISR. Empty when the state fits already, or when nobody in
     * {@code replicas} can take over yet (then the move waits).
     *
     * @param replicas the target of a reassignment whose target is all in sync, or the replicas
     *        a cancelled reassignment returned to
     */
    static Optional<StateChange> fitTo(List<Integer> replicas, PartitionState s, Set<Integer> eligible,
            int controllerEpoch) {
        if (!s.exists() || s.leader() < 0) {
            return Optional.empty(); // a leaderless partition is the election's to settle first
        }
        List<Integer> isr = s.isr().stream().filter(replicas::contains).toList();
        if (replicas.contains(s.leader())) {
            if (isr.size() == s.isr().size()) {
                return Optional.empty();
            }
            return Optional.of(new StateChange(new PartitionState(s.leader(), s.leaderEpoch(), isr, -1, controllerEpoch,
                    s.recovery()), "replicas " + without(s.isr(), replicas) + " leave the ISR with the reassignment"));
        }
        for (int r : replicas) {
            if (isr.contains(r) && eligible.contains(r)) {
                return Optional.of(new StateChange(new PartitionState(r, s.leaderEpoch() + 1, isr, -1, controllerEpoch,
                        s.recovery()), "leader " + s.leader() + " is not among the replicas " + replicas
                                + " of the reassignment; " + r + " is their first live in-sync replica"));
            }
        }
        return Optional.empty();
    }

    private static List<Integer> without(List<Integer> all, List<Integer> kept) {
        return all.stream().filter(r -> !kept.contains(r)).toList();
    }
}
