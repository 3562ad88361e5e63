package io.samsa.broker;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import io.samsa.api.broker.ConfigEntry;
import io.samsa.api.broker.ListenerEndpoints;
import io.samsa.api.storage.CleanerConfig;
import io.samsa.api.storage.LogConfig;

/**
 * The broker configuration in the shape the broker uses it: the endpoint it registers (from the
 * protocol front end's {@link ListenerEndpoints}), log directories and the topic-level log
 * defaults derived from Kafka's broker-level {@code log.*} keys, and the storage engine's cleaner
 * settings ({@code log.cleaner.threads}, {@code log.cleaner.io.max.bytes.per.second}).
 *
 * @param cleanerBackoffMs {@code log.cleaner.backoff.ms}: how often compacted logs are checked for cleaning
 * @param highWatermarkCheckpointIntervalMs {@code replica.high.watermark.checkpoint.interval.ms}
 * @param controlledShutdown {@code controlled.shutdown.*}: how a stopping broker hands its leaderships over
 *
 * @param brokerConfig every configuration key with its value, for DescribeConfigs
 */
record BrokerSettings(int brokerId, List<Path> logDirs, String host, int port, Optional<String> rack,
        int numPartitions, short defaultReplicationFactor, int minInsyncReplicas, boolean deleteTopicEnable,
        boolean autoCreateTopicsEnable, LogConfig logDefaults, long retentionCheckIntervalMs,
        CleanerConfig cleaner, long cleanerBackoffMs, long highWatermarkCheckpointIntervalMs,
        ControlledShutdownSettings controlledShutdown, List<ConfigEntry> brokerConfig) {

    /**
     * @param enable     {@code controlled.shutdown.enable}
     * @param maxRetries {@code controlled.shutdown.max.retries}: how many times the broker asks
     * @param backoffMs  {@code controlled.shutdown.retry.backoff.ms}: how long each attempt waits
     *                   for the leaderships to move
     */
    record ControlledShutdownSettings(boolean enable, int maxRetries, long backoffMs) {
        ControlledShutdownSettings {
            if (maxRetries < 1) {
                throw new IllegalArgumentException("controlled.shutdown.max.retries must be at least 1, not "
                        + maxRetries);
            }
            if (backoffMs < 0) {
                throw new IllegalArgumentException("controlled.shutdown.retry.backoff.ms must be at least 0, not "
                        + backoffMs);
            }
        }
    }

    private static final long HOUR_MS = 3_600_000L;

    static BrokerSettings from(KafkaBroker.Config c, ListenerEndpoints.Endpoint endpoint) {
        List<Path> dirs = new ArrayList<>();
        for (String d : c.log_dirs().split(",")) {
            if (!d.isBlank()) {
                dirs.add(Path.of(d.trim()).toAbsolutePath());
            }
        }
        if (dirs.isEmpty()) {
            throw new IllegalArgumentException("log.dirs is empty");
        }
        if (c.log_cleaner_backoff_ms() < 0) {
            throw new IllegalArgumentException("log.cleaner.backoff.ms must be at least 0, not " + c.log_cleaner_backoff_ms());
        }
        if (c.replica_high_watermark_checkpoint_interval_ms() < 1) {
            throw new IllegalArgumentException("replica.high.watermark.checkpoint.interval.ms must be at least 1, not "
                    + c.replica_high_watermark_checkpoint_interval_ms());
        }
        if (c.min_insync_replicas() < 1) {
            throw new IllegalArgumentException("min.insync.replicas must be at least 1, not " + c.min_insync_replicas());
        }
        String rack = c.broker_rack().trim();
        return new BrokerSettings(c.broker_id(), List.copyOf(dirs), endpoint.host(), endpoint.port(),
                rack.isEmpty() ? Optional.empty() : Optional.of(rack), c.num_partitions(),
                (short) c.default_replication_factor(), c.min_insync_replicas(), c.delete_topic_enable(), c.auto_create_topics_enable(),
                logDefaults(c), c.log_retention_check_interval_ms(), cleaner(c), c.log_cleaner_backoff_ms(),
                c.replica_high_watermark_checkpoint_interval_ms(),
                new ControlledShutdownSettings(c.controlled_shutdown_enable(), c.controlled_shutdown_max_retries(),
                        c.controlled_shutdown_retry_backoff_ms()), describe(c));
    }

    static CleanerConfig cleaner(KafkaBroker.Config c) {
        return new CleanerConfig(c.log_cleaner_threads(), c.log_cleaner_io_max_bytes_per_second());
    }

    /** Kafka's precedence: {@code .ms} over {@code .minutes} over {@code .hours}; negative means unlimited. */
    static LogConfig logDefaults(KafkaBroker.Config c) {
        long retentionMs = c.log_retention_ms() != -1 ? c.log_retention_ms()
                : c.log_retention_minutes() != -1 ? c.log_retention_minutes() * 60_000L
                : c.log_retention_hours() * HOUR_MS;
        long rollMs = c.log_roll_ms() != -1 ? c.log_roll_ms() : c.log_roll_hours() * HOUR_MS;
        LogConfig d = LogConfig.DEFAULTS;
        return new LogConfig(c.log_segment_bytes(), rollMs > 0 ? rollMs : d.segmentMs(),
                retentionMs < 0 ? -1 : retentionMs, c.log_retention_bytes() < 0 ? -1 : c.log_retention_bytes(),
                c.log_index_interval_bytes(), d.segmentIndexBytes(),
                c.log_flush_interval_messages() > 0 ? c.log_flush_interval_messages() : d.flushMessages(),
                c.log_flush_interval_ms() >= 0 ? c.log_flush_interval_ms() : d.flushMs(), d.cleanupPolicy(),
                c.message_max_bytes(), c.log_cleaner_delete_retention_ms(), c.log_cleaner_min_cleanable_ratio(),
                c.log_cleaner_min_compaction_lag_ms());
    }

    /** Every attribute of the configuration as Kafka names it; non-default values are static broker config. */
    private static List<ConfigEntry> describe(KafkaBroker.Config c) {
        List<ConfigEntry> entries = new ArrayList<>();
        for (Method m : KafkaBroker.Config.class.getDeclaredMethods()) {
            if (m.getParameterCount() != 0) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(c);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Cannot read configuration attribute " + m.getName(), e);
            }
            boolean isDefault = Objects.equals(value, m.getDefaultValue());
            entries.add(new ConfigEntry(m.getName().replace('_', '.'), String.valueOf(value), true, isDefault,
                    false, isDefault ? ConfigEntry.SOURCE_DEFAULT : ConfigEntry.SOURCE_STATIC_BROKER));
        }
        entries.sort(Comparator.comparing(ConfigEntry::name));
        return List.copyOf(entries);
    }

    /**
     * Keys that name what this broker is (its id, where its data lives, the address it registers)
     * and so cannot change under a running broker: a change to one of them restarts it. Every
     * other key is applied to the running broker.
     */
    static final Set<String> IDENTITY_KEYS = Set.of("broker.id", "log.dirs", "listeners", "advertised.listeners",
            "broker.rack");

    /**
     * True when {@code other} differs only in the reference targets, which the component
     * framework applies by re-binding without restarting the broker.
     */
    boolean sameExceptTargets(BrokerSettings other) {
        return withoutTargets().equals(other.withoutTargets());
    }

    /**
     * What {@code next} changes, one "key: old -> new" per key in name order, reference targets
     * left out: the log line that says what changed.
     */
    List<String> changesTo(BrokerSettings next) {
        Map<String, String> before = values();
        Map<String, String> after = next.values();
        List<String> changes = new ArrayList<>();
        for (String key : changedKeys(next)) {
            changes.add(key + ": " + before.get(key) + " -> " + after.get(key));
        }
        return changes;
    }

    /** The changed keys that need a broker restart ({@link #IDENTITY_KEYS}), in name order. */
    List<String> identityChangesTo(BrokerSettings next) {
        return changedKeys(next).stream().filter(IDENTITY_KEYS::contains).toList();
    }

    private SortedSet<String> changedKeys(BrokerSettings next) {
        Map<String, String> before = values();
        Map<String, String> after = next.values();
        SortedSet<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        keys.removeIf(key -> key.endsWith(".target") || Objects.equals(before.get(key), after.get(key)));
        return keys;
    }

    private Map<String, String> values() {
        Map<String, String> values = new TreeMap<>();
        brokerConfig.forEach(e -> values.put(e.name(), e.value()));
        return values;
    }

    private BrokerSettings withoutTargets() {
        return new BrokerSettings(brokerId, logDirs, host, port, rack, numPartitions, defaultReplicationFactor,
                minInsyncReplicas, deleteTopicEnable, autoCreateTopicsEnable, logDefaults, retentionCheckIntervalMs,
                cleaner, cleanerBackoffMs, highWatermarkCheckpointIntervalMs, controlledShutdown, brokerConfig.stream().filter(e -> !e.name().endsWith(".target")).toList());
    }
}
