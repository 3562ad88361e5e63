package io.samsa.api.storage;

/**
 * How an engine's log cleaner runs for all of its compacted logs, under Kafka's broker names.
 * The broker owns these settings and hands them to the bound engine, again whenever they change.
 *
 * @param threads                {@code log.cleaner.threads}: cleanings that may run at once
 * @param ioMaxBytesPerSecond    {@code log.cleaner.io.max.bytes.per.second}: the cleaner's read and
 *                               write rate over all its threads together
 * @since 1.3
 */
public record CleanerConfig(int threads, double ioMaxBytesPerSecond) {

    /** Kafka's defaults: one thread, no throttle. */
    public static final CleanerConfig DEFAULTS = new CleanerConfig(1, Double.MAX_VALUE);

    public CleanerConfig {
        if (threads < 1) {
            throw new IllegalArgumentException("log.cleaner.threads must be at least 1, not " + threads);
        }
        if (!(ioMaxBytesPerSecond > 0)) {
            throw new IllegalArgumentException("log.cleaner.io.max.bytes.per.second must be positive, not "
                    + ioMaxBytesPerSecond);
        }
    }
}
