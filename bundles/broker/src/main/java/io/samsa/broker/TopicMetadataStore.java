package io.samsa.broker;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.kafka.common.Uuid;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import io.samsa.api.coordination.Coordinator;
import io.samsa.api.coordination.Coordinator.Versioned;
import io.samsa.broker.TopicMetadata.PartitionState;

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
        JsonObject json = ZNodeDocuments.parseObject(node.get().value());
        Uuid topicId = json.get("topic_id") instanceof JsonString id ? Uuid.fromString(id.getString()) : Uuid.ZERO_UUID;
        SortedMap<Integer, List<Integer>> assignment = new TreeMap<>();
        if (json.get("partitions") instanceof JsonObject parts) {
            parts.forEach((p, replicas) -> assignment.put(Integer.parseInt(p), ZNodeDocuments.intList(replicas)));
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
                && ZNodeDocuments.parseObject(node.get().value()).get("config") instanceof JsonObject m) {
            m.forEach((k, v) -> configs.put(k, v instanceof JsonString s ? s.getString() : v.toString()));
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
        JsonObjectBuilder config = ZNodeDocuments.JSON.createObjectBuilder();
        new TreeMap<>(configs).forEach(config::add);
        put(path, ZNodeDocuments.bytes(ZNodeDocuments.JSON.createObjectBuilder().add("version", 1)
                .add("config", config).build()));
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
        JsonObjectBuilder partitions = ZNodeDocuments.JSON.createObjectBuilder();
        topic.assignment().forEach((p, replicas) -> partitions.add(String.valueOf(p), ZNodeDocuments.array(replicas)));
        return ZNodeDocuments.bytes(ZNodeDocuments.JSON.createObjectBuilder().add("version", 3)
                .add("topic_id", topic.topicId().toString()).add("partitions", partitions)
                .add("adding_replicas", JsonValue.EMPTY_JSON_OBJECT).add("removing_replicas", JsonValue.EMPTY_JSON_OBJECT)
                .build());
    }

    static byte[] stateJson(PartitionState s) {
        return ZNodeDocuments.bytes(ZNodeDocuments.JSON.createObjectBuilder().add("controller_epoch", s.controllerEpoch())
                .add("leader", s.leader()).add("version", 1).add("leader_epoch", s.leaderEpoch())
                .add("isr", ZNodeDocuments.array(s.isr())).build());
    }

    static PartitionState parseState(byte[] value) {
        if (value == null || value.length == 0) {
            return PartitionState.NONE;
        }
        JsonObject json = ZNodeDocuments.parseObject(value);
        return new PartitionState((int) ZNodeDocuments.longValue(json, "controller_epoch", -1),
                (int) ZNodeDocuments.longValue(json, "leader", -1), (int) ZNodeDocuments.longValue(json, "leader_epoch", 0),
                ZNodeDocuments.intList(json.get("isr")));
    }
}
