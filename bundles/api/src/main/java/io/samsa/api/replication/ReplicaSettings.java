package io.samsa.api.replication;

/**
 * The topic-level settings that govern one partition's replication, resolved by the broker
 * (topic override, else broker default).
 *
 * @param minInsyncReplicas {@code min.insync.replicas}
 */
public record ReplicaSettings(int minInsyncReplicas) {

    public ReplicaSettings {
        if (minInsyncReplicas < 1) {
            throw new IllegalArgumentException("min.insync.replicas must be at least 1, not " + minInsyncReplicas);
        }
    }
}
