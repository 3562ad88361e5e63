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
import io.samsa.api.replication.ClusterMetadataStore;
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
    /** The entity type of broker configs in the cluster metadata ({@code /config/brokers/...}). */
    static final String BROKERS = "brokers";
    /** Kafka's name for the node of the cluster-wide defaults. */
    static final String DEFAULT_NODE = "<default>";

    /**
     * The broker's keys Kafka changes while brokers run (its DynamicBrokerConfig's log and
     * broker-level keys) that Samsa applies, with the topic-level key each is the default of.
     * The {@code .hours} and {@code .minutes} keys are coarser units of the same topic key: which
     * one is in force follows Kafka's rule whatever level each was set at ({@code .ms} over
     * {@code .minutes} over {@code .hours}, {@link BrokerSettings#logDefaults}).
     */
    static final Map<String, String> TOPIC_SYNONYMS = Map.ofEntries(
            Map.entry("log.segment.bytes", LogConfig.SEGMENT_BYTES),
            Map.entry("log.roll.ms", LogConfig.SEGMENT_MS),
            Map.entry("log.roll.hours", LogConfig.SEGMENT_MS),
            Map.entry("log.retention.ms", LogConfig.RETENTION_MS),
            Map.entry("log.retention.minutes", LogConfig.RETENTION_MS),
            Map.entry("log.retention.hours", LogConfig.RETENTION_MS),
            Map.entry("log.retention.bytes", LogConfig.RETENTION_BYTES),
            Map.entry("log.index.interval.bytes", LogConfig.INDEX_INTERVAL_BYTES),
            Map.entry("log.flush.interval.messages", LogConfig.FLUSH_MESSAGES),
            Map.entry("log.flush.interval.ms", LogConfig.FLUSH_MS),
            Map.entry("log.cleaner.delete.retention.ms", LogConfig.DELETE_RETENTION_MS),
            Map.entry("log.cleaner.min.cleanable.ratio", LogConfig.MIN_CLEANABLE_DIRTY_RATIO),
            Map.entry("log.cleaner.min.compaction.lag.ms", LogConfig.MIN_COMPACTION_LAG_MS),
            Map.entry("message.max.bytes", LogConfig.MAX_MESSAGE_BYTES),
            Map.entry(TopicConfigs.MIN_INSYNC_REPLICAS, TopicConfigs.MIN_INSYNC_REPLICAS));

    /** Kafka's dynamic keys owned by the protocol front end: thread pools and connection limits. */
    static final Set<String> FRONT_END_KEYS = Set.of("num.io.threads", "num.network.threads", "max.connections",
            "max.connections.per.ip");

    /**
     * Kafka's dynamic log cleaner keys: the engine's threads and rate ({@link BrokerSettings#cleaner}),
     * and how often the broker has it look for work.
     */
    static final Set<String> CLEANER_KEYS = Set.of("log.cleaner.threads", "log.cleaner.io.max.bytes.per.second",
            "log.cleaner.backoff.ms");

    /**
     * Kafka's per-broker replication throttle rates (bytes/s, default {@link Long#MAX_VALUE}),
     * which Kafka accepts only dynamically (they are no server.properties key), so no metatype
     * owns them: they are validated and stored here, and the replication runtime reads them from
     * the store. {@code replica.alter.log.dirs.io.max.bytes.per.second} is accepted because
     * kafka-reassign-partitions' {@code --verify} deletes it with the other two; Samsa moves no
     * replica between log dirs, so it has no effect.
     */
    static final Set<String> THROTTLE_RATE_KEYS = Set.of("leader.replication.throttled.rate",
            "follower.replication.throttled.rate", "replica.alter.log.dirs.io.max.bytes.per.second");

    /**
     * Keys whose metatype default stands for Kafka's "not set" (its default is null): Kafka lists
     * no default synonym for them.
     */
    private static final Set<String> UNSET_BY_DEFAULT = Set.of("log.retention.ms", "log.retention.minutes",
            "log.roll.ms");

    private static final List<String> RETENTION_TIME = List.of("log.retention.ms", "log.retention.minutes",
            "log.retention.hours");
    private static final List<String> ROLL_TIME = List.of("log.roll.ms", "log.roll.hours");

    private final ClusterMetadataStore store;

    DynamicBrokerConfig(ClusterMetadataStore store) {
        this.store = store;
    }

    static boolean isDynamic(String key) {
        return TOPIC_SYNONYMS.containsKey(key) || FRONT_END_KEYS.contains(key) || CLEANER_KEYS.contains(key)
                || THROTTLE_RATE_KEYS.contains(key);
    }

    /** The config entity of {@code broker}: its id, or {@value #DEFAULT_NODE} for the empty name of the cluster default. */
    static String entity(String broker) {
        return broker.isEmpty() ? DEFAULT_NODE : broker;
    }

    Map<String, String> read(String broker) {
        return store.configs(BROKERS, entity(broker));
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
        store.writeConfigs(BROKERS, entity(broker), next);
        return ApiError.NONE;
    }

    /** Null when {@code value} is valid for {@code key}, else a message naming both. */
    static String validate(String key, String value) {
        if (THROTTLE_RATE_KEYS.contains(key)) {
            try {
                return Long.parseLong(value) >= 0 ? null : invalid(key, value, "must be at least 0");
            } catch (NumberFormatException e) {
                return invalid(key, value, "not an integer (64 bit)");
            }
        }
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
        double number;
        try {
            if (type == int.class) {
                number = Integer.parseInt(value);
            } else if (type == long.class) {
                number = Long.parseLong(value);
            } else {
                number = Double.parseDouble(value);
            }
        } catch (NumberFormatException e) {
            return invalid(key, value, type == int.class ? "not an integer (32 bit)"
                    : type == long.class ? "not an integer (64 bit)" : "not a number");
        }
        if (key.equals("log.cleaner.threads")) {
            return number >= 1 ? null : invalid(key, value, "must be at least 1");
        }
        if (key.equals("log.cleaner.backoff.ms")) {
            return number >= 0 ? null : invalid(key, value, "must be at least 0");
        }
        if (CLEANER_KEYS.contains(key)) {
            return number > 0 ? null : invalid(key, value, "must be positive");
        }
        String topicKey = TOPIC_SYNONYMS.get(key);
        String topicValue = key.endsWith(".hours") ? String.valueOf((long) number * 3_600_000L)
                : key.endsWith(".minutes") ? String.valueOf((long) number * 60_000L) : value;
        if (key.startsWith("log.retention.") && number < 0) {
            // a negative retention time of any unit means unlimited, as in Kafka
            topicValue = "-1";
        }
        String problem = TopicConfigs.validate(Map.of(topicKey, topicValue), LogConfig.DEFAULTS);
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
     * The broker's entries with Kafka's sources and synonyms. A key set at a dynamic level reports
     * that level (its value is already the one in force: the platform applied it). Each entry's
     * synonyms are, as Kafka lists them, the values of the key and of the keys it derives from
     * ({@link #synonymKeys}) level by level, highest first: per-broker, cluster default, static,
     * default; those before the first of the entry's own key are left out. The static level of a
     * key set dynamically is not known here (the broker sees the merged values), so it is not listed.
     *
     * @param broker       the broker id, empty for the cluster-wide default
     * @param brokerConfig the broker's own entries (static or default), empty when it is not this broker
     */
    List<ConfigEntry> describe(String broker, List<ConfigEntry> brokerConfig) {
        Map<String, String> defaults = read("");
        Map<String, String> perBroker = broker.isEmpty() ? Map.of() : read(broker);
        Map<String, ConfigEntry> byName = new LinkedHashMap<>();
        for (ConfigEntry e : brokerConfig) {
            byName.put(e.name(), e);
        }
        Map<String, String> statics = new TreeMap<>();
        brokerConfig.stream()
                .filter(e -> e.source() == ConfigEntry.SOURCE_STATIC_BROKER)
                .filter(e -> !defaults.containsKey(e.name()) && !perBroker.containsKey(e.name()))
                .forEach(e -> statics.put(e.name(), e.value()));
        Set<String> names = new TreeSet<>(defaults.keySet());
        names.addAll(perBroker.keySet());
        if (!broker.isEmpty()) {
            names.addAll(byName.keySet());
        }
        List<ConfigEntry> entries = new ArrayList<>();
        for (String key : names) {
            List<Synonym> synonyms = synonyms(key, perBroker, defaults, statics);
            ConfigEntry below = byName.get(key);
            if (synonyms.isEmpty()) {
                entries.add(entry(key, below == null ? null : below.value(), ConfigEntry.SOURCE_DEFAULT, synonyms));
            } else {
                Synonym top = synonyms.get(0);
                String value = top.source() <= ConfigEntry.SOURCE_DYNAMIC_DEFAULT_BROKER || below == null ? top.value()
                        : below.value();
                entries.add(entry(key, value, top.source(), synonyms));
            }
        }
        return entries;
    }

    /** The keys Kafka lists as synonyms of {@code key}, in its order: the finest unit first. */
    static List<String> synonymKeys(String key) {
        if (RETENTION_TIME.contains(key)) {
            return RETENTION_TIME;
        }
        if (ROLL_TIME.contains(key)) {
            return ROLL_TIME;
        }
        return List.of(key);
    }

    private static List<Synonym> synonyms(String key, Map<String, String> perBroker, Map<String, String> defaults,
            Map<String, String> statics) {
        List<String> keys = synonymKeys(key);
        List<Synonym> synonyms = new ArrayList<>();
        add(synonyms, keys, perBroker, ConfigEntry.SOURCE_DYNAMIC_BROKER);
        add(synonyms, keys, defaults, ConfigEntry.SOURCE_DYNAMIC_DEFAULT_BROKER);
        add(synonyms, keys, statics, ConfigEntry.SOURCE_STATIC_BROKER);
        for (String k : keys) {
            String value = defaultValue(k);
            if (value != null && !UNSET_BY_DEFAULT.contains(k)) {
                synonyms.add(new Synonym(k, value, ConfigEntry.SOURCE_DEFAULT));
            }
        }
        int own = 0;
        while (own < synonyms.size() && !synonyms.get(own).name().equals(key)) {
            own++;
        }
        return List.copyOf(synonyms.subList(own, synonyms.size()));
    }

    private static void add(List<Synonym> synonyms, List<String> keys, Map<String, String> level, byte source) {
        for (String k : keys) {
            String value = level.get(k);
            if (value != null) {
                synonyms.add(new Synonym(k, value, source));
            }
        }
    }

    private static String defaultValue(String key) {
        if (THROTTLE_RATE_KEYS.contains(key)) {
            return String.valueOf(Long.MAX_VALUE);
        }
        Method attribute = attribute(key);
        return attribute == null ? null : String.valueOf(attribute.getDefaultValue());
    }

    private static ConfigEntry entry(String key, String value, byte source, List<Synonym> synonyms) {
        return new ConfigEntry(key, value, !isDynamic(key), source == ConfigEntry.SOURCE_DEFAULT, false, source,
                synonyms);
    }
}
