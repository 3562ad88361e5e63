package io.samsa.broker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.samsa.api.broker.ConfigEntry;
import io.samsa.api.storage.LogConfig;

/**
 * The topic-level configuration keys the broker accepts: those of {@link LogConfig}, which the
 * storage engine applies, {@code min.insync.replicas}, which the replication engine applies, and a
 * few more that clients commonly set (Kafka Streams, admin tools), which are validated and stored
 * but do not change how this broker behaves yet.
 */
final class TopicConfigs {

    static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    static final String LEADER_THROTTLED_REPLICAS = "leader.replication.throttled.replicas";
    static final String FOLLOWER_THROTTLED_REPLICAS = "follower.replication.throttled.replicas";

    /** Passive keys with their Kafka defaults. */
    private static final Map<String, String> PASSIVE = new LinkedHashMap<>();

    static {
        PASSIVE.put("compression.type", "producer");
        PASSIVE.put("message.timestamp.type", "CreateTime");
        PASSIVE.put(MIN_INSYNC_REPLICAS, "1");
        PASSIVE.put("unclean.leader.election.enable", "false");
        PASSIVE.put("max.compaction.lag.ms", String.valueOf(Long.MAX_VALUE));
        PASSIVE.put("file.delete.delay.ms", "60000");
        PASSIVE.put("preallocate", "false");
        PASSIVE.put("segment.jitter.ms", "0");
        PASSIVE.put("message.timestamp.before.max.ms", String.valueOf(Long.MAX_VALUE));
        PASSIVE.put("message.timestamp.after.max.ms", "3600000");
        // Kafka's replication throttles: '*' or partition:brokerId entries, empty for none
        PASSIVE.put(LEADER_THROTTLED_REPLICAS, "");
        PASSIVE.put(FOLLOWER_THROTTLED_REPLICAS, "");
    }

    private static final List<String> LOG_KEYS = List.of(LogConfig.CLEANUP_POLICY, LogConfig.DELETE_RETENTION_MS,
            LogConfig.FLUSH_MESSAGES, LogConfig.FLUSH_MS, LogConfig.INDEX_INTERVAL_BYTES,
            LogConfig.MAX_MESSAGE_BYTES, LogConfig.RETENTION_BYTES, LogConfig.RETENTION_MS, LogConfig.SEGMENT_BYTES,
            LogConfig.SEGMENT_INDEX_BYTES, LogConfig.SEGMENT_MS, LogConfig.MIN_CLEANABLE_DIRTY_RATIO,
            LogConfig.MIN_COMPACTION_LAG_MS);

    private static final Set<String> COMPRESSION_TYPES = Set.of("producer", "uncompressed", "gzip", "snappy", "lz4",
            "zstd");

    private TopicConfigs() {
    }

    /** @return null when valid, else a message naming the offending key */
    static String validate(Map<String, String> overrides, LogConfig brokerDefaults) {
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            if (!LOG_KEYS.contains(key) && !PASSIVE.containsKey(key)) {
                return "Unknown topic config name: " + key;
            }
            if (value == null) {
                return "Null value not supported for topic config " + key;
            }
            String problem = PASSIVE.containsKey(key) ? validatePassive(key, value.trim()) : null;
            if (problem != null) {
                return problem;
            }
        }
        try {
            LogConfig.from(overrides, brokerDefaults);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static String validatePassive(String key, String value) {
        switch (key) {
            case "compression.type":
                return COMPRESSION_TYPES.contains(value) ? null
                        : invalid(key, value, "must be one of " + COMPRESSION_TYPES);
            case "message.timestamp.type":
                if (value.equals("LogAppendTime")) {
                    return invalid(key, value, "LogAppendTime is not supported by this broker");
                }
                return value.equals("CreateTime") ? null : invalid(key, value, "must be CreateTime");
            case LEADER_THROTTLED_REPLICAS:
            case FOLLOWER_THROTTLED_REPLICAS:
                return validThrottledReplicas(value) ? null : invalid(key, value,
                        "must be '*' or a list of replicas as partitionId:brokerId,partitionId:brokerId,...");
            case "unclean.leader.election.enable":
            case "preallocate":
                return value.equals("true") || value.equals("false") ? null : invalid(key, value, "not a boolean");
            default:
                try {
                    long n = Long.parseLong(value);
                    long min = key.equals(MIN_INSYNC_REPLICAS) ? 1 : 0;
                    return n >= min ? null : invalid(key, value, "must be at least " + min);
                } catch (NumberFormatException e) {
                    return invalid(key, value, "not a number");
                }
        }
    }

    /** Kafka's rule: empty, the literal {@code *}, or comma-separated {@code partition:broker} numbers. */
    static boolean validThrottledReplicas(String value) {
        String v = value.trim();
        if (v.isEmpty() || v.equals("*")) {
            return true;
        }
        for (String entry : v.split(",", -1)) {
            if (!entry.trim().matches("[0-9]+:[0-9]+")) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a throttled-replicas value names {@code brokerId}'s replica of {@code partition}
     * ({@code *} names every replica); an invalid value names none.
     */
    static boolean throttles(String value, int partition, int brokerId) {
        if (value == null || !validThrottledReplicas(value)) {
            return false;
        }
        String v = value.trim();
        if (v.equals("*")) {
            return true;
        }
        if (v.isEmpty()) {
            return false;
        }
        for (String entry : v.split(",")) {
            String[] parts = entry.trim().split(":");
            if (parts[0].equals(String.valueOf(partition)) && parts[1].equals(String.valueOf(brokerId))) {
                return true;
            }
        }
        return false;
    }

    private static String invalid(String key, String value, String why) {
        return "Invalid value " + value + " for configuration " + key + ": " + why;
    }

    /**
     * Every topic key with its effective value: overrides as topic config, the rest from the
     * broker's defaults (static broker config where the broker changes Kafka's default).
     */
    static List<ConfigEntry> describe(Map<String, String> overrides, LogConfig brokerDefaults, int minInsyncReplicas) {
        LogConfig effective = LogConfig.from(overrides, brokerDefaults);
        List<ConfigEntry> entries = new ArrayList<>();
        for (String key : LOG_KEYS) {
            String kafkaDefault = value(LogConfig.DEFAULTS, key);
            String brokerValue = value(brokerDefaults, key);
            entries.add(entry(key, value(effective, key), overrides.containsKey(key),
                    !brokerValue.equals(kafkaDefault)));
        }
        for (Map.Entry<String, String> e : PASSIVE.entrySet()) {
            String override = overrides.get(e.getKey());
            String brokerValue = e.getKey().equals(MIN_INSYNC_REPLICAS) ? String.valueOf(minInsyncReplicas) : e.getValue();
            entries.add(entry(e.getKey(), override != null ? override : brokerValue, override != null,
                    !brokerValue.equals(e.getValue())));
        }
        entries.sort((a, b) -> a.name().compareTo(b.name()));
        return entries;
    }

    private static ConfigEntry entry(String key, String value, boolean topicOverride, boolean fromBroker) {
        byte source = topicOverride ? ConfigEntry.SOURCE_TOPIC
                : fromBroker ? ConfigEntry.SOURCE_STATIC_BROKER : ConfigEntry.SOURCE_DEFAULT;
        return new ConfigEntry(key, value, false, source == ConfigEntry.SOURCE_DEFAULT, false, source);
    }

    static String value(LogConfig c, String key) {
        return switch (key) {
            case LogConfig.SEGMENT_BYTES -> String.valueOf(c.segmentBytes());
            case LogConfig.SEGMENT_MS -> String.valueOf(c.segmentMs());
            case LogConfig.RETENTION_MS -> String.valueOf(c.retentionMs());
            case LogConfig.RETENTION_BYTES -> String.valueOf(c.retentionBytes());
            case LogConfig.INDEX_INTERVAL_BYTES -> String.valueOf(c.indexIntervalBytes());
            case LogConfig.SEGMENT_INDEX_BYTES -> String.valueOf(c.segmentIndexBytes());
            case LogConfig.FLUSH_MESSAGES -> String.valueOf(c.flushMessages());
            case LogConfig.FLUSH_MS -> String.valueOf(c.flushMs());
            case LogConfig.CLEANUP_POLICY -> c.cleanupPolicy();
            case LogConfig.MAX_MESSAGE_BYTES -> String.valueOf(c.maxMessageBytes());
            case LogConfig.DELETE_RETENTION_MS -> String.valueOf(c.deleteRetentionMs());
            case LogConfig.MIN_CLEANABLE_DIRTY_RATIO -> String.valueOf(c.minCleanableDirtyRatio());
            case LogConfig.MIN_COMPACTION_LAG_MS -> String.valueOf(c.minCompactionLagMs());
            default -> throw new IllegalArgumentException(key);
        };
    }

    /**
     * A topic's {@code min.insync.replicas}: its override, else the broker's default (also when
     * the stored override is not a valid count).
     */
    static int minInsyncReplicas(Map<String, String> overrides, int brokerDefault) {
        String value = overrides.get(MIN_INSYNC_REPLICAS);
        if (value != null) {
            try {
                int n = Integer.parseInt(value.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // validated when written; a value stored by another tool falls back like the log keys do
            }
        }
        return brokerDefault;
    }

    /** The log configuration of a topic; stored overrides that no longer validate fall back to broker defaults. */
    static LogConfig effective(Map<String, String> overrides, LogConfig brokerDefaults) {
        try {
            return LogConfig.from(overrides, brokerDefaults);
        } catch (IllegalArgumentException e) {
            return brokerDefaults;
        }
    }
}
