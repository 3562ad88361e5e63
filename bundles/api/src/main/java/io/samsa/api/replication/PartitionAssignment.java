package io.samsa.api.replication;

import java.util.List;

/**
 * Where one partition's replicas live, from {@code /brokers/topics/<t>}.
 *
 * @param replicas every assigned replica, the preferred leader first; during a reassignment the
 *                 target replicas followed by the original ones not in the target
 * @param adding   replicas being added by a reassignment in progress
 * @param removing replicas being removed by a reassignment in progress
 */
public record PartitionAssignment(List<Integer> replicas, List<Integer> adding, List<Integer> removing) {

    public PartitionAssignment {
        replicas = List.copyOf(replicas);
        adding = List.copyOf(adding);
        removing = List.copyOf(removing);
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("A partition needs at least one replica");
        }
        if (replicas.stream().distinct().count() != replicas.size()) {
            throw new IllegalArgumentException("A partition's replicas must be distinct brokers: " + replicas);
        }
    }

    /** An assignment with no reassignment in progress. */
    public static PartitionAssignment of(List<Integer> replicas) {
        return new PartitionAssignment(replicas, List.of(), List.of());
    }

    /** Whether {@code brokerId} holds a replica (assigned, being added or being removed). */
    public boolean contains(int brokerId) {
        return replicas.contains(brokerId);
    }

    public boolean reassigning() {
        return !adding.isEmpty() || !removing.isEmpty();
    }
}
