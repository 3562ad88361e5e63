package io.samsa.api.storage;

import java.util.Map;

/**
 * The log settings of one partition, under Kafka's topic-level names. Built from broker
 * defaults with topic overrides applied by {@link #from(Map, LogConfig)}.
 *
 * @param segmentBytes       {@code segment.bytes}: roll the active segment at this size
 * @param segmentMs          {@code segment.ms}: roll the active segment at this age
 * @param retentionMs        {@code retention.ms}: delete segments older than this; -1 keeps all
 * @param retentionBytes     {@code retention.bytes}: delete old segments beyond this size; -1 keeps all
 * @param indexIntervalBytes {@code index.interval.bytes}: bytes between offset index entries
 * @param segmentIndexBytes  {@code segment.index.bytes}: the maximum size of an index file
 * @param flushMessages      {@code flush.messages}: fsync after this many messages
 * @param flushMs            {@code flush.ms}: fsync when data is this old
 * @param cleanupPolicy      {@code cleanup.policy}: {@code delete}, {@code compact} or both
 * @param maxMessageBytes    {@code max.message.bytes}: the largest record batch accepted
 * @param deleteRetentionMs  {@code delete.retention.ms}: how long compaction keeps tombstones
 * @param minCleanableDirtyRatio {@code min.cleanable.dirty.ratio}: compaction starts when the
 *                           uncompacted share of the sealed segments' bytes exceeds this (since 1.3)
 * @param minCompactionLagMs {@code min.compaction.lag.ms}: records younger than this stay
 *                           uncompacted (since 1.3)
 */
public record LogConfig(int segmentBytes, long segmentMs, long retentionMs, long retentionBytes,
        int indexIntervalBytes, int segmentIndexBytes, long flushMessages, long flushMs,
        String cleanupPolicy, int maxMessageBytes, long deleteRetentionMs, double minCleanableDirtyRatio,
        long minCompactionLagMs) {

    /** Kafka's default {@code min.cleanable.dirty.ratio}. @since 1.3 */
    public static final double DEFAULT_MIN_CLEANABLE_DIRTY_RATIO = 0.5;

    /** Kafka's defaults. */
    public static final LogConfig DEFAULTS = new LogConfig(1024 * 1024 * 1024, 7L * 24 * 3600 * 1000,
            7L * 24 * 3600 * 1000, -1L, 4096, 10 * 1024 * 1024, Long.MAX_VALUE, Long.MAX_VALUE, "delete",
            1024 * 1024 + 12, 24L * 3600 * 1000, DEFAULT_MIN_CLEANABLE_DIRTY_RATIO, 0L);

    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_MS = "segment.ms";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
    public static final String FLUSH_MESSAGES = "flush.messages";
    public static final String FLUSH_MS = "flush.ms";
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    /** @since 1.3 */
    public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
    /** @since 1.3 */
    public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";

    /** The configuration of API 1.2, before the compaction settings: those take Kafka's defaults. */
    public LogConfig(int segmentBytes, long segmentMs, long retentionMs, long retentionBytes, int indexIntervalBytes,
            int segmentIndexBytes, long flushMessages, long flushMs, String cleanupPolicy, int maxMessageBytes,
            long deleteRetentionMs) {
        this(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, segmentIndexBytes,
                flushMessages, flushMs, cleanupPolicy, maxMessageBytes, deleteRetentionMs,
                DEFAULT_MIN_CLEANABLE_DIRTY_RATIO, 0L);
    }

    public boolean compact() {
        return cleanupPolicy.contains("compact");
    }

    public boolean delete() {
        return cleanupPolicy.contains("delete");
    }

    /**
     * Applies topic-level overrides (Kafka's names, string values) to {@code base}.
     *
     * @throws IllegalArgumentException naming the key when a value is not a valid number or
     *                                  policy
     */
    public static LogConfig from(Map<String, String> overrides, LogConfig base) {
        return new LogConfig(
                (int) number(overrides, SEGMENT_BYTES, base.segmentBytes, 14, Integer.MAX_VALUE),
                number(overrides, SEGMENT_MS, base.segmentMs, 1, Long.MAX_VALUE),
                number(overrides, RETENTION_MS, base.retentionMs, -1, Long.MAX_VALUE),
                number(overrides, RETENTION_BYTES, base.retentionBytes, -1, Long.MAX_VALUE),
                (int) number(overrides, INDEX_INTERVAL_BYTES, base.indexIntervalBytes, 0, Integer.MAX_VALUE),
                (int) number(overrides, SEGMENT_INDEX_BYTES, base.segmentIndexBytes, 8, Integer.MAX_VALUE),
                number(overrides, FLUSH_MESSAGES, base.flushMessages, 1, Long.MAX_VALUE),
                number(overrides, FLUSH_MS, base.flushMs, 0, Long.MAX_VALUE),
                policy(overrides.getOrDefault(CLEANUP_POLICY, base.cleanupPolicy)),
                (int) number(overrides, MAX_MESSAGE_BYTES, base.maxMessageBytes, 0, Integer.MAX_VALUE),
                number(overrides, DELETE_RETENTION_MS, base.deleteRetentionMs, 0, Long.MAX_VALUE),
                ratio(overrides, MIN_CLEANABLE_DIRTY_RATIO, base.minCleanableDirtyRatio),
                number(overrides, MIN_COMPACTION_LAG_MS, base.minCompactionLagMs, 0, Long.MAX_VALUE));
    }

    private static double ratio(Map<String, String> m, String key, double fallback) {
        String v = m.get(key);
        if (v == null) {
            return fallback;
        }
        double d;
        try {
            d = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid value " + v + " for configuration " + key + ": not a number");
        }
        if (!(d >= 0 && d <= 1)) {
            throw new IllegalArgumentException("Invalid value " + v + " for configuration " + key
                    + ": must be between 0 and 1");
        }
        return d;
    }

    private static long number(Map<String, String> m, String key, long fallback, long min, long max) {
        String v = m.get(key);
        if (v == null) {
            return fallback;
        }
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid value " + v + " for configuration " + key + ": not a number");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("Invalid value " + v + " for configuration " + key
                    + ": must be between " + min + " and " + max);
        }
        return n;
    }

    private static String policy(String v) {
        String p = v.replace(" ", "");
        switch (p) {
            case "delete":
            case "compact":
            case "compact,delete":
            case "delete,compact":
                return p;
            default:
                throw new IllegalArgumentException("Invalid value " + v
                        + " for configuration cleanup.policy: must be delete, compact or compact,delete");
        }
    }
}
