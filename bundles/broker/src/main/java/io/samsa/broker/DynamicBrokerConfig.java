package io.samsa.broker;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

import io.samsa.api.broker.ConfigEntry;
import io.samsa.api.broker.ConfigEntry.Synonym;
import io.samsa.api.storage.LogConfig;

/**
 * Kafka's dynamic broker configuration, stored where Kafka 2.x's ZooKeeper mode keeps it:
 * {@code /config/brokers/<id>} for one broker and {@code /config/brokers/<default>} for every
 * broker, each {@code {"version":1,"config":{...}}}. Precedence, lowest first: the metatype
 * default, server.properties, the cluster-wide default, the per-broker value. The platform
 * watches these nodes and applies them through Config Admin to the component owning each key,
 * whose {@code @Modified} takes it live; this class validates, writes and describes them.
 */
final class DynamicBrokerConfig {
    static final String BROKER_CONFIGS = "/config/brokers";
    /** Kafka's name for the node of the cluster-wide defaults. */
    static final String DEFAULT_NODE = "<default>";

    /**
     * The broker's keys Kafka changes while brokers run (its DynamicBrokerConfig's log and
     * broker-level keys) that Samsa applies, with the topic-level key each is the default of.
     */
    static final Map<String, String> TOPIC_SYNONYMS = Map.of(
            "log.segment.bytes", LogConfig.SEGMENT_BYTES,
            "log.roll.ms", LogConfig.SEGMENT_MS,
            "log.retention.ms", LogConfig.RETENTION_MS,
            "log.retention.bytes", LogConfig.RETENTION_BYTES,
            "log.index.interval.bytes", LogConfig.INDEX_INTERVAL_BYTES,
            "log.flush.interval.messages", LogConfig.FLUSH_MESSAGES,
            "log.flush.interval.ms", LogConfig.FLUSH_MS,
            "message.max.bytes", LogConfig.MAX_MESSAGE_BYTES,
            TopicConfigs.MIN_INSYNC_REPLICAS, TopicConfigs.MIN_INSYNC_REPLICAS);

    /** Kafka's dynamic keys owned by the protocol front end: thread pools and connection limits. */
    static final Set<String> FRONT_END_KEYS = Set.of("num.io.threads", "num.network.threads", "max.connections",
            "max.connections.per.ip");

    private final TopicMetadataStore store;

    DynamicBrokerConfig(TopicMetadataStore store) {
        this.store = store;
    }

    static boolean isDynamic(String key) {
        return TOPIC_SYNONYMS.containsKey(key) || FRONT_END_KEYS.contains(key);
    }

    static String path(String broker) {
        return BROKER_CONFIGS + "/" + (broker.isEmpty() ? DEFAULT_NODE : broker);
    }

    Map<String, String> read(String broker) {
        return store.readConfigNode(path(broker));
    }

    /**
     * Validates and (unless {@code validateOnly}) stores a change of one level. Every key is
     * checked before anything is written, so a request is applied whole or not at all.
     */
    ApiError alter(String broker, Map<String, String> changes, boolean incremental, boolean validateOnly) {
        if (!broker.isEmpty() && !broker.chars().allMatch(Character::isDigit)) {
            return new ApiError(Errors.INVALID_REQUEST, "Broker id must be an integer, not '" + broker + "'");
        }
        Set<String> notDynamic = new TreeSet<>();
        for (String key : changes.keySet()) {
            if (!isDynamic(key)) {
                notDynamic.add(key);
            }
        }
        if (!notDynamic.isEmpty()) {
            return new ApiError(Errors.INVALID_REQUEST, "Cannot update these configs dynamically: " + notDynamic);
        }
        for (Map.Entry<String, String> change : changes.entrySet()) {
            String problem = change.getValue() == null ? null : validate(change.getKey(), change.getValue().trim());
            if (problem != null) {
                return new ApiError(Errors.INVALID_CONFIG, problem);
            }
        }
        if (validateOnly) {
            return ApiError.NONE;
        }
        Map<String, String> next = incremental ? new TreeMap<>(read(broker)) : new TreeMap<>();
        changes.forEach((key, value) -> {
            if (value == null) {
                next.remove(key);
            } else {
                next.put(key, value.trim());
            }
        });
        store.writeConfigNode(path(broker), next);
        return ApiError.NONE;
    }

    /** Null when {@code value} is valid for {@code key}, else a message naming both. */
    static String validate(String key, String value) {
        if (FRONT_END_KEYS.contains(key)) {
            try {
                int n = Integer.parseInt(value);
                int min = key.startsWith("num.") ? 1 : 0;
                return n >= min ? null : invalid(key, value, "must be at least " + min);
            } catch (NumberFormatException e) {
                return invalid(key, value, "not an integer");
            }
        }
        Class<?> type = typeOf(key);
        try {
            if (type == int.class) {
                Integer.parseInt(value);
            } else if (type == long.class) {
                Long.parseLong(value);
            }
        } catch (NumberFormatException e) {
            return invalid(key, value, type == int.class ? "not an integer (32 bit)" : "not an integer (64 bit)");
        }
        String topicKey = TOPIC_SYNONYMS.get(key);
        String problem = TopicConfigs.validate(Map.of(topicKey, value), LogConfig.DEFAULTS);
        return problem == null ? null : invalid(key, value, problem);
    }

    private static Class<?> typeOf(String key) {
        Method attribute = attribute(key);
        return attribute == null ? String.class : attribute.getReturnType();
    }

    /** The broker's configuration attribute named {@code key}, null when the broker has none. */
    private static Method attribute(String key) {
        for (Method m : KafkaBroker.Config.class.getDeclaredMethods()) {
            if (m.getName().replace('_', '.').equals(key)) {
                return m;
            }
        }
        return null;
    }

    private static String invalid(String key, String value, String why) {
        return "Invalid value " + value + " for configuration " + key + ": " + why;
    }

    /**
     * The broker's entries with Kafka's sources: a key set at a dynamic level reports that level
     * (its value is already the one in force: the platform applied it), with the levels below it
     * as synonyms.
     */
    List<ConfigEntry> describe(String broker, List<ConfigEntry> brokerConfig) {
        Map<String, String> defaults = read("");
        if (broker.isEmpty()) {
            List<ConfigEntry> entries = new ArrayList<>();
            defaults.forEach((key, value) -> entries.add(entry(key, value, ConfigEntry.SOURCE_DYNAMIC_DEFAULT_BROKER,
                    List.of(new Synonym(key, value, ConfigEntry.SOURCE_DYNAMIC_DEFAULT_BROKER)))));
            return entries;
        }
        Map<String, String> perBroker = read(broker);
        Map<String, ConfigEntry> byName = new LinkedHashMap<>();
        for (ConfigEntry e : brokerConfig) {
            byName.put(e.name(), e);
        }
        Set<String> dynamicKeys = new TreeSet<>(defaults.keySet());
        dynamicKeys.addAll(perBroker.keySet());
        for (String key : dynamicKeys) {
            List<Synonym> synonyms = new ArrayList<>();
            if (perBroker.containsKey(key)) {
                synonyms.add(new Synonym(key, perBroker.get(key), ConfigEntry.SOURCE_DYNAMIC_BROKER));
            }
            if (defaults.containsKey(key)) {
                synonyms.add(new Synonym(key, defaults.get(key), ConfigEntry.SOURCE_DYNAMIC_DEFAULT_BROKER));
            }
            ConfigEntry below = byName.get(key);
            if (below != null && below.source() == ConfigEntry.SOURCE_DEFAULT) {
                synonyms.add(new Synonym(key, defaultValue(key), ConfigEntry.SOURCE_DEFAULT));
            }
            Synonym top = synonyms.get(0);
            byName.put(key, entry(key, top.value(), top.source(), synonyms));
        }
        return new ArrayList<>(byName.values());
    }

    private static String defaultValue(String key) {
        Method attribute = attribute(key);
        return attribute == null ? null : String.valueOf(attribute.getDefaultValue());
    }

    private static ConfigEntry entry(String key, String value, byte source, List<Synonym> synonyms) {
        return new ConfigEntry(key, value, false, false, false, source, synonyms);
    }
}
