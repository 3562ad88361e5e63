package io.samsa.storage.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.common.TopicPartition;

import io.samsa.api.storage.CleanerConfig;
import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.StorageEngine;

/**
 * A storage engine keeping Kafka's segment files through its own {@link FileAccess}: the engine
 * bundles' DS components extend it and add only their name, file access and configuration.
 * <p>
 * Its logs compact on cleaner threads ({@code log.cleaner.threads}, one by default, as in Kafka),
 * so compaction never runs on the broker's retention thread, which holds the partition's lock,
 * and at the shared {@code log.cleaner.io.max.bytes.per.second} rate ({@link #configureCleaner}).
 * A thread exists only while there is cleaning to do: it ends after
 * {@link #CLEANER_IDLE_MS} without work, so an engine needs no deactivation to stop it, and every
 * log waits for its own cleaning to stop when it is closed.
 * <p>
 * Segments sealed at a roll are fsynced on one flusher thread of the same kind, so no append
 * waits for the disk at a roll; each log's flushes run in roll order on it, and a log waits for
 * them when it is flushed, truncated or closed ({@link SealedSegmentFlusher}).
 */
public abstract class SegmentedStorageEngine implements StorageEngine {

    static final long CLEANER_IDLE_MS = 10_000;

    private final String name;
    private final FileAccess files;
    private final ThreadPoolExecutor cleaner;
    private final ThreadPoolExecutor flusher;
    private final CleanerThrottle throttle = CleanerThrottle.unlimited();

    protected SegmentedStorageEngine(String name, FileAccess files) {
        this.name = name;
        this.files = files;
        this.cleaner = singleThread("samsa-log-cleaner-" + name);
        this.flusher = singleThread("samsa-log-flusher-" + name);
    }

    private static ThreadPoolExecutor singleThread(String threadName) {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, CLEANER_IDLE_MS, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread t = new Thread(task, threadName);
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    @Override
    public final String name() {
        return name;
    }

    /** The engine's file access, for tests that open logs with their own cleaner executor. */
    final FileAccess files() {
        return files;
    }

    /**
     * Changes the cleaner threads and rate for the cleanings to come; a cleaning under way keeps
     * its thread and follows the new rate from its next chunk.
     */
    @Override
    public final synchronized void configureCleaner(CleanerConfig config) {
        int threads = config.threads();
        // the pool refuses a core size above the maximum at every step, so grow the maximum first
        if (threads > cleaner.getMaximumPoolSize()) {
            cleaner.setMaximumPoolSize(threads);
            cleaner.setCorePoolSize(threads);
        } else {
            cleaner.setCorePoolSize(threads);
            cleaner.setMaximumPoolSize(threads);
        }
        throttle.setRate(config.ioMaxBytesPerSecond());
    }

    /** The cleaner settings in force, for tests. */
    final CleanerConfig cleanerConfig() {
        return new CleanerConfig(cleaner.getMaximumPoolSize(), throttle.rate());
    }

    @Override
    public final PartitionLog open(TopicPartition partition, Path dir, LogConfig config) throws IOException {
        return open(partition, dir, config, new ReentrantLock());
    }

    @Override
    public final PartitionLog open(TopicPartition partition, Path dir, LogConfig config, ReentrantLock writerLock)
            throws IOException {
        return SegmentedPartitionLog.open(partition, dir, config, System::currentTimeMillis, files,
                new SegmentedPartitionLog.LogRuntime(cleaner, flusher, writerLock, throttle));
    }
}
