package io.samsa.protocol.kafka.fetch;

import java.util.LinkedHashMap;

/**
 * An incremental fetch session (KIP-227): the partitions a client fetches, so that it need only
 * send what changed and hear only what is new. Guarded by its own monitor.
 */
final class FetchSession {

    final int id;
    /** Sessions of follower brokers may evict those of consumers. */
    final boolean privileged;
    final boolean usesTopicIds;
    final long createdMs;
    long lastUsedMs;
    /** The epoch the next incremental request must carry. */
    int epoch;
    /** In fetch order; partitions that returned records move to the end, so others get their turn. */
    final LinkedHashMap<PartitionKey, CachedPartition> partitions;

    FetchSession(int id, boolean privileged, boolean usesTopicIds, long nowMs, int epoch,
            LinkedHashMap<PartitionKey, CachedPartition> partitions) {
        this.id = id;
        this.privileged = privileged;
        this.usesTopicIds = usesTopicIds;
        this.createdMs = nowMs;
        this.lastUsedMs = nowMs;
        this.epoch = epoch;
        this.partitions = partitions;
    }

    synchronized int size() {
        return partitions.size();
    }

    @Override
    public String toString() {
        return "FetchSession(id=" + id + ", epoch=" + epoch + ", partitions=" + partitions.size() + ")";
    }
}
