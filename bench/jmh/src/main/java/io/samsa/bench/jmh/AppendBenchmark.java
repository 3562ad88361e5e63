package io.samsa.bench.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.TopicPartition;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.samsa.api.storage.AppendResult;
import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.StorageEngine;

/**
 * Leader appends of one producer batch per call through {@link PartitionLog#append}, as the
 * broker does for a produce request: offsets and leader epoch rewritten in place, bytes written
 * to the active segment, indexes maintained. Kafka's default log settings (1 GiB segments, no
 * fsync per append); each iteration starts on an empty log, and retention keeps a long
 * iteration's log under {@code retention.bytes} so the disk does not fill.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
public class AppendBenchmark {

    private static final TopicPartition PARTITION = new TopicPartition("bench", 0);

    @Param({Engines.FILECHANNEL, Engines.MMAP})
    public String engine;

    /** Value bytes per record. */
    @Param({"100", "1024"})
    public int recordSize;

    /** Records per batch (one batch per append). */
    @Param({"1", "100"})
    public int batchRecords;

    /** {@code retention.bytes} of the log, checked after every {@code segment.bytes} appended. */
    @Param({"1073741824"})
    public long retentionBytes;

    private Path root;
    private StorageEngine storage;
    private LogConfig config;
    private ByteBuffer batch;
    private PartitionLog log;
    private int iteration;
    private long sinceRetentionCheck;

    @Setup(Level.Trial)
    public void createEngine() throws IOException {
        root = LogDirs.create("append");
        storage = Engines.create(engine);
        config = LogConfig.from(Map.of(LogConfig.RETENTION_BYTES, Long.toString(retentionBytes)), LogConfig.DEFAULTS);
        batch = Batches.batch(recordSize, batchRecords, System.currentTimeMillis(), 42);
    }

    @Setup(Level.Iteration)
    public void openLog() throws IOException {
        log = storage.open(PARTITION, root.resolve("bench-0." + iteration++), config);
        sinceRetentionCheck = 0;
    }

    @Benchmark
    public AppendResult append(Throughput counters) throws IOException {
        batch.clear();
        AppendResult result = log.append(batch, 0);
        counters.records += result.lastOffset() - result.firstOffset() + 1;
        counters.bytes += result.bytes();
        sinceRetentionCheck += result.bytes();
        if (sinceRetentionCheck >= config.segmentBytes()) {
            sinceRetentionCheck = 0;
            log.enforceRetention(System.currentTimeMillis());
        }
        return result;
    }

    @TearDown(Level.Iteration)
    public void deleteLog() throws IOException {
        long expected = log.logEndOffset();
        if (expected <= 0 || log.read(log.logStartOffset(), Integer.MAX_VALUE, expected).sizeInBytes() <= 0) {
            throw new IllegalStateException("The " + engine + " log holds nothing after an iteration of appends");
        }
        log.delete();
        log = null;
    }

    @TearDown(Level.Trial)
    public void removeDir() throws IOException {
        LogDirs.deleteTree(root);
    }
}
