package io.samsa.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.samsa.api.broker.PartitionView;
import io.samsa.api.broker.TopicView;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.TopicRecord;

/** What the broker makes of a topic of the cluster metadata: its rules and its view for clients. */
final class TopicMetadata {

    private TopicMetadata() {
    }

    /** Kafka's rule: topics whose names start with a double underscore belong to the broker. */
    static boolean isInternal(String topic) {
        return topic.startsWith("__");
    }

    /** The topic as Metadata and DescribeTopics show it; {@code offlineHere} names partitions offline on this broker. */
    static TopicView view(TopicRecord topic, Predicate<Integer> offlineHere, int localBrokerId) {
        List<PartitionView> partitions = new ArrayList<>(topic.partitions().size());
        for (Map.Entry<Integer, PartitionAssignment> e : topic.partitions().entrySet()) {
            PartitionState s = topic.state(e.getKey());
            List<Integer> offline = offlineHere.test(e.getKey()) ? List.of(localBrokerId) : List.of();
            partitions.add(new PartitionView(e.getKey(), s.leader(), Math.max(0, s.leaderEpoch()),
                    e.getValue().replicas(), s.isr(), offline));
        }
        return new TopicView(topic.name(), topic.topicId(), isInternal(topic.name()), List.copyOf(partitions),
                Map.copyOf(topic.configs()));
    }
}
