package io.samsa.protocol.kafka.fetch;

import org.apache.kafka.common.Uuid;

/**
 * Names a partition in a fetch session: by topic id in sessions of Fetch v13+ (the name left
 * null), by topic name before (the id left zero), as the request does.
 */
record PartitionKey(Uuid topicId, String topic, int partition) {

    static PartitionKey byId(Uuid topicId, int partition) {
        return new PartitionKey(topicId, null, partition);
    }

    static PartitionKey byName(String topic, int partition) {
        return new PartitionKey(Uuid.ZERO_UUID, topic, partition);
    }
}
