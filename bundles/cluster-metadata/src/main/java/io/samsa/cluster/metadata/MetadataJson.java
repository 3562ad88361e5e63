package io.samsa.cluster.metadata;

import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.kafka.common.Uuid;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.ProducerIdBlock;

/**
 * The znode documents of Kafka's ZooKeeper layout that the cluster metadata holds, in and out of
 * JSON. Written compact, members in a fixed order, byte for byte as Samsa has always written them
 * and in the shapes Kafka 2.x/3.x write; reading accepts any JSON object and looks only at the
 * members it needs, so nodes written by Kafka (with members Samsa does not know) read too.
 * <p>
 * A document that cannot be read is an {@link IllegalArgumentException} saying what is wrong with
 * it; the store, which knows the node's path, names it.
 */
final class MetadataJson {
    /** Looked up once (through SPI Fly in OSGi): each {@code jakarta.json.Json} call would search again. */
    private static final JsonProvider JSON = JsonProvider.provider();

    private MetadataJson() {
    }

    /** A topic's assignment, with its topic id, as {@code /brokers/topics/<t>} holds it. */
    record TopicNode(Uuid topicId, SortedMap<Integer, PartitionAssignment> partitions) {
    }

    /**
     * {@code /brokers/topics/<t>}, version 3 (KIP-455 reassignment lists, KIP-516 topic id).
     * Like Kafka, {@code adding_replicas}/{@code removing_replicas} list only the partitions with
     * a reassignment in progress.
     */
    static byte[] topic(Uuid topicId, SortedMap<Integer, PartitionAssignment> partitions) {
        JsonObjectBuilder replicas = JSON.createObjectBuilder();
        JsonObjectBuilder adding = JSON.createObjectBuilder();
        JsonObjectBuilder removing = JSON.createObjectBuilder();
        partitions.forEach((p, a) -> {
            String key = String.valueOf(p);
            replicas.add(key, array(a.replicas()));
            if (!a.adding().isEmpty()) {
                adding.add(key, array(a.adding()));
            }
            if (!a.removing().isEmpty()) {
                removing.add(key, array(a.removing()));
            }
        });
        return bytes(JSON.createObjectBuilder().add("version", 3).add("topic_id", topicId.toString())
                .add("partitions", replicas).add("adding_replicas", adding).add("removing_replicas", removing)
                .build());
    }

    /** Reads any version of a topic node; without {@code topic_id} (versions 1-2) the id is {@link Uuid#ZERO_UUID}. */
    static TopicNode parseTopic(byte[] value) {
        JsonObject json = parseObject(value);
        Uuid topicId = Uuid.ZERO_UUID;
        if (json.get("topic_id") instanceof JsonString id) {
            try {
                topicId = Uuid.fromString(id.getString());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("\"topic_id\" is not a topic id: " + id, e);
            }
        }
        Map<Integer, List<Integer>> adding = partitionLists(json, "adding_replicas");
        Map<Integer, List<Integer>> removing = partitionLists(json, "removing_replicas");
        SortedMap<Integer, PartitionAssignment> partitions = new TreeMap<>();
        partitionLists(json, "partitions").forEach((p, replicas) -> {
            try {
                partitions.put(p, new PartitionAssignment(replicas, adding.getOrDefault(p, List.of()),
                        removing.getOrDefault(p, List.of())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("partition " + p + ": " + e.getMessage(), e);
            }
        });
        return new TopicNode(topicId, partitions);
    }

    /**
     * {@code /brokers/topics/<t>/partitions/<p>/state}, version 1. {@code leader_recovery_state}
     * only when the leader is still recovering, as Kafka 3.x writes it: absent means recovered.
     * The partition epoch is the node's version, not part of the document.
     */
    static byte[] state(PartitionState s) {
        JsonObjectBuilder json = JSON.createObjectBuilder().add("controller_epoch", s.controllerEpoch())
                .add("leader", s.leader()).add("version", 1).add("leader_epoch", s.leaderEpoch())
                .add("isr", array(s.isr()));
        if (s.recovery() != LeaderRecoveryState.RECOVERED) {
            json.add("leader_recovery_state", s.recovery().code());
        }
        return bytes(json.build());
    }

    /** A state node's document, at the node's {@code version} (its partition epoch). */
    static PartitionState parseState(byte[] value, int version) {
        JsonObject json = parseObject(value);
        LeaderRecoveryState recovery;
        try {
            recovery = LeaderRecoveryState.of((int) longValue(json, "leader_recovery_state", 0));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"leader_recovery_state\": " + e.getMessage(), e);
        }
        return new PartitionState((int) requiredLong(json, "leader"), (int) requiredLong(json, "leader_epoch"),
                intList(json.get("isr"), "isr"), version, (int) longValue(json, "controller_epoch", -1), recovery);
    }

    /** {@code /config/<entityType>/<name>}: {@code {"version":1,"config":{...}}}, keys sorted. */
    static byte[] config(Map<String, String> configs) {
        JsonObjectBuilder config = JSON.createObjectBuilder();
        new TreeMap<>(configs).forEach(config::add);
        return bytes(JSON.createObjectBuilder().add("version", 1).add("config", config).build());
    }

    /** The {@code config} member of a config node; values that are not strings are read as their JSON text. */
    static Map<String, String> parseConfig(byte[] value) {
        Map<String, String> configs = new TreeMap<>();
        JsonValue config = parseObject(value).get("config");
        if (config instanceof JsonObject m) {
            m.forEach((k, v) -> configs.put(k, v instanceof JsonString s ? s.getString() : v.toString()));
        } else if (config != null && config != JsonValue.NULL) {
            throw new IllegalArgumentException("\"config\" is " + config.getValueType() + ", not an object");
        }
        return configs;
    }

    /**
     * The broker id in {@code /controller}, as the ZooKeeper coordinator's election writes it
     * ({@code {"version":1,"brokerid":N,"timestamp":"<ms>"}}); a string holding the number reads too.
     */
    static int parseControllerId(byte[] value) {
        JsonObject json = parseObject(value);
        if (json.get("brokerid") == null) {
            throw new IllegalArgumentException("no \"brokerid\"");
        }
        return (int) requiredLong(json, "brokerid");
    }

    /** {@code /latest_producer_id_block}: Kafka writes the ids as strings. */
    static byte[] producerIdBlock(ProducerIdBlock block) {
        return bytes(JSON.createObjectBuilder().add("version", 1).add("broker", block.brokerId())
                .add("block_start", String.valueOf(block.firstId())).add("block_end", String.valueOf(block.lastId()))
                .build());
    }

    /** The last id of the block in {@code /latest_producer_id_block}. */
    static long parseProducerIdBlockEnd(byte[] value) {
        return requiredLong(parseObject(value), "block_end");
    }

    /** A JSON object; anything else is an IllegalArgumentException quoting what was found. */
    static JsonObject parseObject(byte[] utf8) {
        // decoded first, so that a syntax error's offset counts characters of the text it quotes
        String text = new String(utf8, StandardCharsets.UTF_8);
        try (jakarta.json.JsonReader reader = JSON.createReader(new StringReader(text))) {
            return reader.readObject();
        } catch (JsonException | IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage() + " in " + text, e);
        }
    }

    private static byte[] bytes(JsonStructure document) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (jakarta.json.JsonWriter writer = JSON.createWriter(out)) {
            writer.write(document);
        }
        return out.toByteArray();
    }

    private static long requiredLong(JsonObject json, String name) {
        if (json.get(name) == null) {
            throw new IllegalArgumentException("no \"" + name + "\" in " + json);
        }
        return longValue(json, name, 0);
    }

    /**
     * A member read as a long: a number, or a string holding one (Kafka writes some counters as
     * strings); {@code fallback} when absent or null.
     */
    private static long longValue(JsonObject object, String name, long fallback) {
        JsonValue value = object.get(name);
        if (value instanceof JsonNumber n) {
            if (!n.isIntegral()) {
                throw new IllegalArgumentException("\"" + name + "\" is not an integer: " + n);
            }
            return n.longValue();
        }
        if (value instanceof JsonString s) {
            try {
                return Long.parseLong(s.getString().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + name + "\" is not a number: " + s, e);
            }
        }
        if (value == null || value == JsonValue.NULL) {
            return fallback;
        }
        throw new IllegalArgumentException("\"" + name + "\" is " + value.getValueType() + ", not a number");
    }

    /** A member mapping partition numbers to broker lists; empty when absent. */
    private static Map<Integer, List<Integer>> partitionLists(JsonObject json, String name) {
        JsonValue value = json.get(name);
        Map<Integer, List<Integer>> lists = new TreeMap<>();
        if (value == null || value == JsonValue.NULL) {
            return lists;
        }
        if (!(value instanceof JsonObject members)) {
            throw new IllegalArgumentException("\"" + name + "\" is " + value.getValueType() + ", not an object");
        }
        members.forEach((key, list) -> {
            int partition;
            try {
                partition = Integer.parseInt(key);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + name + "\" has a key that is not a partition number: \""
                        + key + "\"", e);
            }
            if (partition < 0) {
                throw new IllegalArgumentException("\"" + name + "\" has a negative partition " + partition);
            }
            lists.put(partition, intList(list, name + "." + key));
        });
        return lists;
    }

    /** An array of integers, such as a replica list; empty when absent or null. */
    private static List<Integer> intList(JsonValue value, String name) {
        if (value == null || value == JsonValue.NULL) {
            return List.of();
        }
        if (!(value instanceof JsonArray items)) {
            throw new IllegalArgumentException("\"" + name + "\" is " + value.getValueType() + ", not an array");
        }
        List<Integer> ints = new ArrayList<>(items.size());
        for (JsonValue item : items) {
            if (!(item instanceof JsonNumber n) || !n.isIntegral()) {
                throw new IllegalArgumentException("\"" + name + "\" holds " + item + ", not a broker id");
            }
            ints.add(n.intValue());
        }
        return List.copyOf(ints);
    }

    private static JsonArray array(List<Integer> ints) {
        JsonArrayBuilder array = JSON.createArrayBuilder();
        ints.forEach(array::add);
        return array.build();
    }
}
