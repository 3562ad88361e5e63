package io.samsa.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.Predicate;

import org.apache.kafka.common.Uuid;

import io.samsa.api.broker.PartitionView;
import io.samsa.api.broker.TopicView;

/**
 * A topic as stored in the coordinator: replica assignment, partition leadership and config
 * overrides.
 *
 * @param version the version of the topic node, for conditional updates
 */
record TopicMetadata(String name, Uuid topicId, int version, SortedMap<Integer, List<Integer>> assignment,
        Map<Integer, PartitionState> states, Map<String, String> configs) {

    /** Kafka's rule: topics whose names start with a double underscore belong to the broker. */
    static boolean isInternal(String topic) {
        return topic.startsWith("__");
    }

    /**
     * Leadership of one partition, as in {@code /brokers/topics/<t>/partitions/<p>/state}.
     * {@link #NONE} stands for a state not written yet.
     */
    record PartitionState(int controllerEpoch, int leader, int leaderEpoch, List<Integer> isr) {
        static final PartitionState NONE = new PartitionState(-1, -1, -1, List.of());
    }

    TopicView toView(Predicate<Integer> offlineHere, int localBrokerId) {
        List<PartitionView> partitions = new ArrayList<>(assignment.size());
        for (Map.Entry<Integer, List<Integer>> e : assignment.entrySet()) {
            PartitionState s = states.getOrDefault(e.getKey(), PartitionState.NONE);
            List<Integer> offline = offlineHere.test(e.getKey()) ? List.of(localBrokerId) : List.of();
            partitions.add(new PartitionView(e.getKey(), s.leader(), Math.max(0, s.leaderEpoch()), e.getValue(),
                    s.isr(), offline));
        }
        return new TopicView(name, topicId, isInternal(name), List.copyOf(partitions), Map.copyOf(configs));
    }
}
