package io.samsa.api.replication;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.kafka.common.Uuid;

/**
 * A topic as the cluster metadata holds it.
 *
 * @param version    the version of the topic's node, for conditional changes of the assignment
 * @param partitions the assignment of every partition, by partition number
 * @param states     the state of every partition whose state has been written; a partition
 *                   without one is being created (the controller writes it)
 * @param configs    the topic's config overrides
 */
public record TopicRecord(String name, Uuid topicId, int version, SortedMap<Integer, PartitionAssignment> partitions,
        Map<Integer, PartitionState> states, Map<String, String> configs) {

    public TopicRecord {
        partitions = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(partitions));
        states = Map.copyOf(states);
        configs = Map.copyOf(configs);
    }

    /** The partition's state, {@link PartitionState#NONE} when not written yet. */
    public PartitionState state(int partition) {
        return states.getOrDefault(partition, PartitionState.NONE);
    }
}
