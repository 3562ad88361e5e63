package io.samsa.broker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.apache.kafka.common.TopicPartition;

import io.samsa.api.storage.AppendResult;
import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.LogSlice;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.StorageEngine;
import io.samsa.api.storage.TimestampOffset;

/**
 * A real storage engine with a switchable fault: while armed, the chosen operations on logs
 * in one log dir throw the chosen exception before reaching the disk, as a failing disk would.
 */
final class FaultInjectingEngine implements StorageEngine {

    enum Op { OPEN, APPEND, READ, TIMESTAMP_LOOKUP, RETENTION, DELETE_RECORDS }

    private final StorageEngine real;
    private volatile Path failingDir;
    private volatile Set<Op> failingOps = Set.of();
    private volatile Supplier<? extends Exception> fault;
    final AtomicInteger injected = new AtomicInteger();

    FaultInjectingEngine(StorageEngine real) {
        this.real = real;
    }

    /** From now on, {@code ops} on logs in {@code logDir} throw what {@code fault} makes. */
    void fail(Path logDir, Supplier<? extends Exception> fault, Op first, Op... more) {
        this.fault = fault;
        this.failingOps = EnumSet.of(first, more);
        this.failingDir = logDir;
    }

    /** The disk works again. */
    void heal() {
        failingDir = null;
    }

    @Override
    public String name() {
        return real.name();
    }

    @Override
    public PartitionLog open(TopicPartition partition, Path dir, LogConfig config) throws IOException {
        maybeFail(dir, Op.OPEN);
        return new Log(real.open(partition, dir, config), dir);
    }

    private void maybeFail(Path partitionDir, Op op) throws IOException {
        Path failing = failingDir;
        if (failing == null || !failingOps.contains(op) || !failing.equals(partitionDir.getParent())) {
            return;
        }
        injected.incrementAndGet();
        Exception e = fault.get();
        if (e instanceof IOException io) {
            throw io;
        }
        throw (RuntimeException) e;
    }

    /** Delegates to the real log after checking for a fault. */
    private final class Log implements PartitionLog {
        private final PartitionLog log;
        private final Path dir;

        Log(PartitionLog log, Path dir) {
            this.log = log;
            this.dir = dir;
        }

        @Override
        public TopicPartition topicPartition() {
            return log.topicPartition();
        }

        @Override
        public long logStartOffset() {
            return log.logStartOffset();
        }

        @Override
        public long logEndOffset() {
            return log.logEndOffset();
        }

        @Override
        public long sizeInBytes() {
            return log.sizeInBytes();
        }

        @Override
        public io.samsa.api.storage.EpochEndOffset endOffsetForEpoch(int epoch) {
            return log.endOffsetForEpoch(epoch);
        }

        @Override
        public AppendResult append(ByteBuffer batches, int leaderEpoch) throws IOException {
            maybeFail(dir, Op.APPEND);
            return log.append(batches, leaderEpoch);
        }

        @Override
        public AppendResult appendWithOffsets(ByteBuffer batches) throws IOException {
            maybeFail(dir, Op.APPEND);
            return log.appendWithOffsets(batches);
        }

        @Override
        public LogSlice read(long offset, int maxBytes, long maxOffset) throws IOException {
            maybeFail(dir, Op.READ);
            return log.read(offset, maxBytes, maxOffset);
        }

        @Override
        public TimestampOffset offsetForTimestamp(long timestamp) throws IOException {
            maybeFail(dir, Op.TIMESTAMP_LOOKUP);
            return log.offsetForTimestamp(timestamp);
        }

        @Override
        public TimestampOffset maxTimestamp() throws IOException {
            maybeFail(dir, Op.TIMESTAMP_LOOKUP);
            return log.maxTimestamp();
        }

        @Override
        public void truncateTo(long offset) throws IOException {
            maybeFail(dir, Op.APPEND);
            log.truncateTo(offset);
        }

        @Override
        public long deleteRecordsBefore(long offset) throws IOException {
            maybeFail(dir, Op.DELETE_RECORDS);
            return log.deleteRecordsBefore(offset);
        }

        @Override
        public int enforceRetention(long nowMs) throws IOException {
            maybeFail(dir, Op.RETENTION);
            return log.enforceRetention(nowMs);
        }

        @Override
        public void flush() throws IOException {
            maybeFail(dir, Op.APPEND);
            log.flush();
        }

        @Override
        public void updateConfig(LogConfig config) {
            log.updateConfig(config);
        }

        @Override
        public LogConfig config() {
            return log.config();
        }

        @Override
        public void delete() throws IOException {
            log.delete();
        }

        @Override
        public void close() throws IOException {
            log.close();
        }
    }
}
