package io.samsa.broker;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.kafka.common.Uuid;

import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Coordinator.Versioned;
import io.samsa.broker.TopicMetadata.PartitionState;
import io.samsa.json.Json;

/**
 * Topic metadata in the coordinator, laid out as Kafka 2.x lays it out in ZooKeeper:
 * {@code /brokers/topics/<t>} (assignment and topic id), {@code .../partitions/<p>/state}
 * (leadership) and {@code /config/topics/<t>} (overrides), all JSON.
 */
final class TopicMetadataStore {

    static final String TOPICS = "/brokers/topics";
    static final String TOPIC_CONFIGS = "/config/topics";

    private static final int CAS_ATTEMPTS = 10;

    private final Coordinator coordinator;

    TopicMetadataStore(Coordinator coordinator) {
        this.coordinator = coordinator;
    }

    static String topicPath(String topic) {
        return TOPICS + "/" + topic;
    }

    static String statePath(String topic, int partition) {
        return topicPath(topic) + "/partitions/" + partition + "/state";
    }

    static String configPath(String topic) {
        return TOPIC_CONFIGS + "/" + topic;
    }

    List<String> topicNames() {
        return coordinator.children(TOPICS);
    }

    /** The topic, or empty when absent or not completely written yet (its node has no value). */
    Optional<TopicMetadata> read(String topic) {
        Optional<Versioned> node = coordinator.read(topicPath(topic));
        if (node.isEmpty() || node.get().value() == null || node.get().value().length == 0) {
            return Optional.empty();
        }
        Map<String, Object> json = Json.parseObject(node.get().value());
        Object id = json.get("topic_id");
        Uuid topicId = id instanceof String s ? Uuid.fromString(s) : Uuid.ZERO_UUID;
        SortedMap<Integer, List<Integer>> assignment = new TreeMap<>();
        if (json.get("partitions") instanceof Map<?, ?> parts) {
            for (Map.Entry<?, ?> e : parts.entrySet()) {
                assignment.put(Integer.parseInt(String.valueOf(e.getKey())), Json.intList(e.getValue()));
            }
        }
        Map<Integer, PartitionState> states = new TreeMap<>();
        for (Integer p : assignment.keySet()) {
            coordinator.read(statePath(topic, p)).ifPresent(v -> states.put(p, parseState(v.value())));
        }
        return Optional.of(new TopicMetadata(topic, topicId, node.get().version(), assignment, states,
                readConfig(topic)));
    }

    Map<String, String> readConfig(String topic) {
        return readConfigNode(configPath(topic));
    }

    /** The {@code config} map of a Kafka config node ({@code {"version":1,"config":{...}}}); empty when absent. */
    Map<String, String> readConfigNode(String path) {
        Optional<Versioned> node = coordinator.read(path);
        Map<String, String> configs = new TreeMap<>();
        if (node.isPresent() && node.get().value() != null && node.get().value().length > 0
                && Json.parseObject(node.get().value()).get("config") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> configs.put(String.valueOf(k), String.valueOf(v)));
        }
        return configs;
    }

    /**
     * Creates a topic. The topic node is written first, conditionally, so that of two brokers
     * creating the same name one wins; it is re-written at the end so that watchers read the
     * topic again once its config and partition states are there.
     *
     * @return false when the topic exists
     */
    boolean create(TopicMetadata topic) {
        byte[] node = topicJson(topic);
        int version = coordinator.compareAndSet(topicPath(topic.name()), node, Coordinator.ABSENT);
        if (version < 0) {
            return false;
        }
        writeConfig(topic.name(), topic.configs());
        topic.states().forEach((p, s) -> put(statePath(topic.name(), p), stateJson(s)));
        coordinator.compareAndSet(topicPath(topic.name()), node, version);
        return true;
    }

    /**
     * Adds partitions: their states first, then the grown assignment, conditional on the
     * topic node's version.
     *
     * @return false when the topic changed since {@code current} was read
     */
    boolean addPartitions(TopicMetadata current, SortedMap<Integer, List<Integer>> assignment,
            Map<Integer, PartitionState> newStates) {
        newStates.forEach((p, s) -> put(statePath(current.name(), p), stateJson(s)));
        TopicMetadata grown = new TopicMetadata(current.name(), current.topicId(), current.version(), assignment,
                current.states(), current.configs());
        return coordinator.compareAndSet(topicPath(current.name()), topicJson(grown), current.version()) >= 0;
    }

    void writeConfig(String topic, Map<String, String> configs) {
        writeConfigNode(configPath(topic), configs);
    }

    void writeConfigNode(String path, Map<String, String> configs) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", 1);
        json.put("config", new TreeMap<>(configs));
        put(path, Json.bytes(json));
    }

    /** @return false when the topic did not exist */
    boolean delete(String topic) {
        boolean existed = coordinator.delete(topicPath(topic), Coordinator.ANY_VERSION);
        coordinator.delete(configPath(topic), Coordinator.ANY_VERSION);
        return existed;
    }

    /** Writes {@code value} whatever version is there. */
    private void put(String path, byte[] value) {
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            int expected = coordinator.read(path).map(Versioned::version).orElse(Coordinator.ABSENT);
            if (coordinator.compareAndSet(path, value, expected) >= 0) {
                return;
            }
        }
        throw new IllegalStateException("Could not write " + path + ": it kept changing concurrently");
    }

    static byte[] topicJson(TopicMetadata topic) {
        Map<String, Object> partitions = new LinkedHashMap<>();
        topic.assignment().forEach((p, replicas) -> partitions.put(String.valueOf(p), replicas));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", 3);
        json.put("topic_id", topic.topicId().toString());
        json.put("partitions", partitions);
        json.put("adding_replicas", Map.of());
        json.put("removing_replicas", Map.of());
        return Json.bytes(json);
    }

    static byte[] stateJson(PartitionState s) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("controller_epoch", s.controllerEpoch());
        json.put("leader", s.leader());
        json.put("version", 1);
        json.put("leader_epoch", s.leaderEpoch());
        json.put("isr", s.isr());
        return Json.bytes(json);
    }

    static PartitionState parseState(byte[] value) {
        if (value == null || value.length == 0) {
            return PartitionState.NONE;
        }
        Map<String, Object> json = Json.parseObject(value);
        return new PartitionState((int) Json.longValue(json, "controller_epoch", -1),
                (int) Json.longValue(json, "leader", -1), (int) Json.longValue(json, "leader_epoch", 0),
                Json.intList(json.get("isr")));
    }
}
