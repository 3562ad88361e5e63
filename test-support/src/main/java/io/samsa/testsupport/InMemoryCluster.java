package io.samsa.testsupport;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

import io.samsa.api.broker.ClusterView;
import io.samsa.api.broker.ConfigEntry;
import io.samsa.api.broker.PartitionView;
import io.samsa.api.broker.TopicAdmin;
import io.samsa.api.broker.TopicView;
import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.storage.LogConfig;

/**
 * A one-broker cluster whose topics live in a map: ClusterView and TopicAdmin for tests. Creating
 * a topic creates its logs in the {@link InMemoryPartitions} given; tests can move a topic's
 * leadership away from this broker and back, and see which topics were created.
 */
public final class InMemoryCluster implements ClusterView, TopicAdmin {

    public static final int BROKER_ID = 0;

    /** A topic created through {@link #createTopic}, as it was asked for. */
    public record Creation(String name, int partitions, short replicationFactor, Map<String, String> configs) {
    }

    private final Map<String, TopicView> topics = new ConcurrentSkipListMap<>();
    private final InMemoryPartitions partitions;
    /** The port the fake broker registers with; 0 until a test sets the real one (port -1 is no endpoint). */
    private volatile int port = 0;
    private volatile boolean autoCreate = true;
    private final List<Creation> creations = new CopyOnWriteArrayList<>();

    public InMemoryCluster(InMemoryPartitions partitions) {
        this.partitions = partitions;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public void setAutoCreate(boolean autoCreate) {
        this.autoCreate = autoCreate;
    }

    @Override
    public String clusterId() {
        return "samsa-test-cluster";
    }

    @Override
    public int localBrokerId() {
        return BROKER_ID;
    }

    @Override
    public int controllerId() {
        return BROKER_ID;
    }

    @Override
    public List<BrokerRegistration> brokers() {
        return List.of(new BrokerRegistration(BROKER_ID, "127.0.0.1", port, Optional.empty(), 1));
    }

    @Override
    public Collection<TopicView> topics() {
        return List.copyOf(topics.values());
    }

    @Override
    public Optional<TopicView> topic(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(topics.get(name));
    }

    /** The topics created through {@link #createTopic} (not {@link #addTopic}), in order. */
    public List<Creation> creations() {
        return List.copyOf(creations);
    }

    /** A topic that exists from the start, led here at epoch 0, with its logs. */
    public synchronized void addTopic(String name, int partitionCount, Map<String, String> configs) {
        topics.put(name, new TopicView(name, Uuid.randomUuid(), Topic.isInternal(name),
                partitionViews(0, partitionCount, BROKER_ID, 0), Map.copyOf(configs)));
        for (int p = 0; p < partitionCount; p++) {
            partitions.createLog(new TopicPartition(name, p));
        }
    }

    /** Moves the leadership of every partition of {@code name}, as a controller would; the logs stay. */
    public synchronized void setLeader(String name, int leader, int leaderEpoch) {
        TopicView topic = topics.get(name);
        if (topic == null) {
            throw new IllegalArgumentException("No topic " + name + " to move the leadership of");
        }
        topics.put(name, new TopicView(name, topic.topicId(), topic.internal(),
                partitionViews(0, topic.partitions().size(), leader, leaderEpoch), topic.configs()));
    }

    @Override
    public Optional<TopicView> topic(Uuid topicId) {
        return topics.values().stream().filter(t -> t.topicId().equals(topicId)).findFirst();
    }

    @Override
    public synchronized ApiError createTopic(String name, int numPartitions, short replicationFactor,
            Map<Integer, List<Integer>> assignments, Map<String, String> configs, boolean validateOnly) {
        try {
            Topic.validate(name);
        } catch (InvalidTopicException e) {
            return new ApiError(Errors.INVALID_TOPIC_EXCEPTION, e.getMessage());
        }
        if (topics.containsKey(name)) {
            return new ApiError(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
        }
        int count = !assignments.isEmpty() ? assignments.size() : numPartitions == -1 ? 1 : numPartitions;
        if (count <= 0) {
            return new ApiError(Errors.INVALID_PARTITIONS, "Number of partitions must be larger than 0.");
        }
        if (replicationFactor != -1 && replicationFactor != 1) {
            return new ApiError(Errors.INVALID_REPLICATION_FACTOR, "Replication factor: " + replicationFactor
                    + " larger than available brokers: 1.");
        }
        try {
            LogConfig.from(configs, LogConfig.DEFAULTS);
        } catch (IllegalArgumentException e) {
            return new ApiError(Errors.INVALID_CONFIG, e.getMessage());
        }
        if (!validateOnly) {
            addTopic(name, count, configs);
            creations.add(new Creation(name, count, replicationFactor, Map.copyOf(configs)));
        }
        return ApiError.NONE;
    }

    private static List<PartitionView> partitionViews(int from, int to, int leader, int leaderEpoch) {
        List<PartitionView> views = new ArrayList<>();
        for (int p = from; p < to; p++) {
            views.add(new PartitionView(p, leader, leaderEpoch, List.of(BROKER_ID), List.of(BROKER_ID), List.of()));
        }
        return views;
    }

    @Override
    public ApiError autoCreateTopic(String name) {
        if (!autoCreate) {
            return new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, null);
        }
        ApiError error = createTopic(name, -1, (short) -1, Map.of(), Map.of(), false);
        return error.is(Errors.TOPIC_ALREADY_EXISTS) ? ApiError.NONE : error;
    }

    @Override
    public synchronized ApiError deleteTopic(String name) {
        if (topics.remove(name) == null) {
            return new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic " + name + " does not exist");
        }
        partitions.dropLogs(name);
        return ApiError.NONE;
    }

    @Override
    public synchronized ApiError createPartitions(String name, int totalCount, List<List<Integer>> newAssignments,
            boolean validateOnly) {
        TopicView topic = topics.get(name);
        if (topic == null) {
            return new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic " + name + " does not exist");
        }
        int current = topic.partitions().size();
        if (totalCount <= current) {
            return new ApiError(Errors.INVALID_PARTITIONS, "Topic currently has " + current
                    + " partitions, which is higher than the requested " + totalCount + ".");
        }
        if (!validateOnly) {
            List<PartitionView> views = new ArrayList<>(topic.partitions());
            views.addAll(partitionViews(current, totalCount, BROKER_ID, 0));
            topics.put(name, new TopicView(name, topic.topicId(), topic.internal(), views, topic.configs()));
            for (int p = current; p < totalCount; p++) {
                partitions.createLog(new TopicPartition(name, p));
            }
        }
        return ApiError.NONE;
    }

    @Override
    public List<ConfigEntry> describeTopicConfig(String name) {
        TopicView topic = topics.get(name);
        if (topic == null) {
            return null;
        }
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put(LogConfig.CLEANUP_POLICY, "delete");
        defaults.put(LogConfig.RETENTION_MS, "604800000");
        defaults.put(LogConfig.SEGMENT_BYTES, "1073741824");
        defaults.put(LogConfig.MAX_MESSAGE_BYTES, "1048588");
        List<ConfigEntry> entries = new ArrayList<>();
        defaults.forEach((key, value) -> {
            String override = topic.configs().get(key);
            entries.add(override != null
                    ? new ConfigEntry(key, override, false, false, false, ConfigEntry.SOURCE_TOPIC)
                    : new ConfigEntry(key, value, false, true, false, ConfigEntry.SOURCE_DEFAULT));
        });
        topic.configs().forEach((key, value) -> {
            if (!defaults.containsKey(key)) {
                entries.add(new ConfigEntry(key, value, false, false, false, ConfigEntry.SOURCE_TOPIC));
            }
        });
        return entries;
    }

    @Override
    public List<ConfigEntry> describeBrokerConfig() {
        return List.of(
                new ConfigEntry("broker.id", "0", true, false, false, ConfigEntry.SOURCE_STATIC_BROKER),
                new ConfigEntry("num.partitions", "1", true, true, false, ConfigEntry.SOURCE_DEFAULT),
                new ConfigEntry("default.replication.factor", "1", true, true, false, ConfigEntry.SOURCE_DEFAULT),
                new ConfigEntry("ssl.key.password", "secret", true, false, true, ConfigEntry.SOURCE_STATIC_BROKER));
    }

    @Override
    public synchronized ApiError alterTopicConfig(String name, Map<String, String> changes, boolean incremental,
            boolean validateOnly) {
        TopicView topic = topics.get(name);
        if (topic == null) {
            return new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic " + name + " does not exist");
        }
        Map<String, String> configs = new LinkedHashMap<>(incremental ? topic.configs() : Map.of());
        changes.forEach((key, value) -> {
            if (value == null) {
                configs.remove(key);
            } else {
                configs.put(key, value);
            }
        });
        try {
            LogConfig.from(configs, LogConfig.DEFAULTS);
        } catch (IllegalArgumentException e) {
            return new ApiError(Errors.INVALID_CONFIG, e.getMessage());
        }
        if (!validateOnly) {
            topics.put(name, new TopicView(name, topic.topicId(), topic.internal(), topic.partitions(),
                    Map.copyOf(configs)));
        }
        return ApiError.NONE;
    }
}
