package io.samsa.bench.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
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

import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.LogSlice;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.StorageEngine;

/**
 * Consumer fetches: one call is {@link PartitionLog#read} of up to {@code fetchBytes} (Kafka's
 * default {@code max.partition.fetch.bytes}) at the next offset, then
 * {@link LogSlice#transferTo} of the whole slice into a {@link Sink}, as the broker writes a
 * fetch response. The log ({@code logMb} of identical batches, in the page cache) is written in
 * the trial's set-up; fetches cycle through it from the start.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
public class ReadBenchmark {

    private static final TopicPartition PARTITION = new TopicPartition("bench", 0);

    @Param({Engines.FILECHANNEL, Engines.MMAP})
    public String engine;

    /** Value bytes per record. */
    @Param({"100", "1024"})
    public int recordSize;

    /** Records per batch in the log. */
    @Param({"1", "100"})
    public int batchRecords;

    /** Where slices go: {@code socket} (loopback TCP, drained) or {@code devnull}; see {@link Sink}. */
    @Param({"socket"})
    public String sink;

    @Param({"1048576"})
    public int fetchBytes;

    /** Size of the log read, in MiB. */
    @Param({"128"})
    public int logMb;

    private Path root;
    private PartitionLog log;
    private Sink target;
    private WritableByteChannel channel;
    private int batchBytes;
    private long nextOffset;
    private long sent;

    @Setup(Level.Trial)
    public void writeLog() throws IOException {
        root = LogDirs.create("read");
        StorageEngine storage = Engines.create(engine);
        log = storage.open(PARTITION, root.resolve("bench-0"), LogConfig.DEFAULTS);
        ByteBuffer batch = Batches.batch(recordSize, batchRecords, System.currentTimeMillis(), 42);
        batchBytes = batch.capacity();
        long target = (long) logMb << 20;
        while (log.sizeInBytes() < target) {
            batch.clear();
            log.append(batch, 0);
        }
        LogSlice first = log.read(0, fetchBytes, log.logEndOffset());
        if (first.sizeInBytes() == 0 || first.sizeInBytes() % batchBytes != 0) {
            throw new IllegalStateException("A fetch of " + fetchBytes + " bytes returned " + first.sizeInBytes()
                    + " bytes, not a whole number of " + batchBytes + "-byte batches");
        }
        this.target = Sink.open(sink);
        channel = this.target.channel();
        nextOffset = 0;
        sent = 0;
    }

    @Benchmark
    public long fetch(Throughput counters) throws IOException {
        long end = log.logEndOffset();
        LogSlice slice = log.read(nextOffset, fetchBytes, end);
        int size = slice.sizeInBytes();
        long position = 0;
        while (position < size) {
            position += slice.transferTo(channel, position, size - position);
        }
        long records = (long) (size / batchBytes) * batchRecords;
        nextOffset += records;
        if (nextOffset >= end) {
            nextOffset = log.logStartOffset();
        }
        sent += size;
        counters.records += records;
        counters.bytes += size;
        return position;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        try {
            if (target instanceof Sink.Loopback) {
                long received = ((Sink.Loopback) target).closeAndCount();
                if (received != sent) {
                    throw new IllegalStateException("The socket sink received " + received + " bytes of the " + sent + " sent");
                }
            } else {
                target.close();
            }
            log.close();
        } finally {
            LogDirs.deleteTree(root);
        }
    }
}
