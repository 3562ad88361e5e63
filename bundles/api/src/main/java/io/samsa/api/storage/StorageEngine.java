package io.samsa.api.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.common.TopicPartition;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A storage engine: opens partition logs in Kafka's on-disk format.
 * <p>
 * Registered as an OSGi service with the property {@code storage.engine=<name>} so that the
 * broker's {@code storage.target} filter can pick one, e.g. {@code (storage.engine=mmap)}.
 * Engines are stateless apart from the logs they have opened; the broker closes every log it
 * opened through an engine before that engine goes away.
 */
@ConsumerType
public interface StorageEngine {

    /** Service property naming the engine; the value equals {@link #name()}. */
    String ENGINE_PROPERTY = "storage.engine";

    /** Short name of the engine, e.g. {@code filechannel} or {@code mmap}. */
    String name();

    /**
     * Opens the log of one partition, creating the directory when it does not exist.
     * <p>
     * Opening recovers the log when it was not shut down cleanly: a torn batch at the tail is
     * truncated (length and CRC check) and missing or corrupt index files are rebuilt.
     *
     * @param partition the partition whose log this is
     * @param dir       the partition directory, {@code <log.dir>/<topic>-<partition>}
     * @param config    the effective log configuration (topic overrides on broker defaults)
     * @throws IOException when the directory cannot be read or created; the broker then takes
     *                     the log dir offline and answers {@code KAFKA_STORAGE_ERROR}
     */
    PartitionLog open(TopicPartition partition, Path dir, LogConfig config) throws IOException;

    /**
     * Opens the log as {@link #open(TopicPartition, Path, LogConfig)} does, its writers (append,
     * truncation, retention, close; see {@link PartitionLog}'s threading) serialised by
     * {@code writerLock}, which the broker holds around every such call: the partition's own lock.
     * An engine that locks its writers uses this lock instead of one of its own, so an append takes
     * one lock; its background work (a cleaner, a flusher) takes it only to publish results.
     * The default ignores the lock.
     *
     * @since 1.2
     */
    default PartitionLog open(TopicPartition partition, Path dir, LogConfig config, ReentrantLock writerLock)
            throws IOException {
        return open(partition, dir, config);
    }

    /**
     * Applies the cleaner settings to the engine's compactions, those running and those to come.
     * The default, for engines that do not compact, ignores them.
     *
     * @since 1.3
     */
    default void configureCleaner(CleanerConfig config) {
    }
}
