package io.samsa.group;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.ConfigEntry;
import io.samsa.api.broker.PartitionView;
import io.samsa.api.broker.TopicAdmin;
import io.samsa.api.broker.TopicView;
import io.samsa.api.coordination.BrokerRegistration;

/** A one-broker cluster view (broker 0) that is also its TopicAdmin. */
final class TestCluster implements ClusterView, TopicAdmin {
    final Map<String, TopicView> topics = new ConcurrentHashMap<>();
    final List<String> created = new ArrayList<>();
    volatile short lastReplicationFactor;
    volatile Map<String, String> lastConfigs;

    void addTopic(String name, int partitions, int leader, int leaderEpoch, Map<String, String> configs) {
        List<PartitionView> views = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            views.add(new PartitionView(p, leader, leaderEpoch, List.of(0), List.of(0), List.of()));
        }
        topics.put(name, new TopicView(name, Uuid.randomUuid(), name.startsWith("__"), views, configs));
    }

    /** Moves the leadership of every partition of {@code name}. */
    void setLeader(String name, int leader, int leaderEpoch) {
        TopicView t = topics.get(name);
        addTopic(name, t.partitions().size(), leader, leaderEpoch, t.configs());
    }

    @Override
    public String clusterId() {
        return "test-cluster";
    }

    @Override
    public int localBrokerId() {
        return 0;
    }

    @Override
    public int controllerId() {
        return 0;
    }

    @Override
    public List<BrokerRegistration> brokers() {
        return List.of(new BrokerRegistration(0, "127.0.0.1", 9092, Optional.empty(), 1));
    }

    @Override
    public Collection<TopicView> topics() {
        return topics.values();
    }

    @Override
    public Optional<TopicView> topic(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(topics.get(name));
    }

    @Override
    public Optional<TopicView> topic(Uuid topicId) {
        return topics.values().stream().filter(t -> t.topicId().equals(topicId)).findFirst();
    }

    @Override
    public synchronized ApiError createTopic(String name, int numPartitions, short replicationFactor,
            Map<Integer, List<Integer>> assignments, Map<String, String> configs, boolean validateOnly) {
        if (topics.containsKey(name)) {
            return new ApiError(Errors.TOPIC_ALREADY_EXISTS, null);
        }
        created.add(name);
        lastReplicationFactor = replicationFactor;
        lastConfigs = configs;
        addTopic(name, numPartitions, 0, 0, configs);
        return ApiError.NONE;
    }

    @Override
    public ApiError autoCreateTopic(String name) {
        return createTopic(name, 1, (short) 1, Map.of(), Map.of(), false);
    }

    @Override
    public ApiError deleteTopic(String name) {
        topics.remove(name);
        return ApiError.NONE;
    }

    @Override
    public ApiError createPartitions(String name, int totalCount, List<List<Integer>> newAssignments,
            boolean validateOnly) {
        return new ApiError(Errors.INVALID_REQUEST, "not supported in tests");
    }

    @Override
    public List<ConfigEntry> describeTopicConfig(String topic) {
        return null;
    }

    @Override
    public List<ConfigEntry> describeBrokerConfig() {
        return List.of();
    }

    @Override
    public ApiError alterTopicConfig(String topic, Map<String, String> changes, boolean incremental,
            boolean validateOnly) {
        return new ApiError(Errors.INVALID_REQUEST, "not supported in tests");
    }
}
