package io.samsa.controller;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.kafka.common.TopicPartition;

import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.TopicRecord;

/**
 * The cluster as the controller last read it: topics with their assignments and configs, every
 * partition's state at the partition epoch it was read at, and the live brokers with their
 * registration epochs. It may lag the store; every write compares the partition epoch kept here,
 * so a stale entry costs a re-read, never a wrong write. Used on the controller's event thread
 * only.
 */
final class ControllerContext {
    private final SortedMap<String, TopicRecord> topics = new TreeMap<>();
    private final Map<TopicPartition, PartitionState> states = new HashMap<>();
    private Map<Integer, Long> liveBrokers = Map.of();

    void clear() {
        topics.clear();
        states.clear();
        liveBrokers = Map.of();
    }

    /** Replaces what is known of the topic, its partitions' states included. */
    void putTopic(TopicRecord topic) {
        removeTopic(topic.name());
        topics.put(topic.name(), topic);
        topic.states().forEach((partition, state) -> states.put(new TopicPartition(topic.name(), partition), state));
    }

    void removeTopic(String name) {
        TopicRecord gone = topics.remove(name);
        if (gone != null) {
            gone.partitions().keySet().forEach(p -> states.remove(new TopicPartition(name, p)));
        }
    }

    Optional<TopicRecord> topic(String name) {
        return Optional.ofNullable(topics.get(name));
    }

    Optional<PartitionAssignment> assignment(TopicPartition tp) {
        TopicRecord topic = topics.get(tp.topic());
        return topic == null ? Optional.empty() : Optional.ofNullable(topic.partitions().get(tp.partition()));
    }

    /** The partition's state, {@link PartitionState#NONE} when none is written. */
    PartitionState state(TopicPartition tp) {
        return states.getOrDefault(tp, PartitionState.NONE);
    }

    /** Records the partition's state as read or written; {@link PartitionState#NONE} forgets it. */
    void putState(TopicPartition tp, PartitionState state) {
        if (state.exists()) {
            states.put(tp, state);
        } else {
            states.remove(tp);
        }
    }

    /** Every partition of the topic, by partition number. */
    List<TopicPartition> partitions(String topic) {
        TopicRecord record = topics.get(topic);
        List<TopicPartition> out = new ArrayList<>();
        if (record != null) {
            record.partitions().keySet().forEach(p -> out.add(new TopicPartition(topic, p)));
        }
        return out;
    }

    /** Every partition, by topic name then partition number, so decisions are made in a repeatable order. */
    List<TopicPartition> partitions() {
        List<TopicPartition> out = new ArrayList<>();
        topics.keySet().forEach(t -> out.addAll(partitions(t)));
        return out;
    }

    Collection<String> topicNames() {
        return topics.keySet();
    }

    /** The live brokers' registration epochs, by broker id. */
    Map<Integer, Long> liveBrokers() {
        return liveBrokers;
    }

    void liveBrokers(Map<Integer, Long> live) {
        liveBrokers = Map.copyOf(live);
    }
}
