package io.samsa.replication;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

import io.samsa.api.replication.LocalReplica;
import io.samsa.api.storage.AppendResult;
import io.samsa.api.storage.EpochEndOffset;
import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.RecordBatchLayout;
import io.samsa.storage.filechannel.FileChannelStorageEngine;

/**
 * A {@link LocalReplica} over a real log (the filechannel engine in a temp dir), with the high
 * watermark kept here, as the broker's Partition keeps it. Records every high watermark it was
 * given, and can be made to fail as a broken disk does.
 */
final class LogReplica implements LocalReplica {
    private final TopicPartition tp;
    private final Uuid topicId;
    final PartitionLog log;
    private volatile long highWatermark;
    final List<Long> highWatermarks = new ArrayList<>();
    volatile boolean diskBroken;

    LogReplica(TopicPartition tp, Uuid topicId, Path dir) throws IOException {
        this.tp = tp;
        this.topicId = topicId;
        this.log = new FileChannelStorageEngine().open(tp, dir.resolve(tp.topic() + "-" + tp.partition()),
                LogConfig.from(Map.of(), LogConfig.DEFAULTS));
    }

    /** Appends {@code count} records as the leader in {@code epoch}; returns the log end after it. */
    long appendAsLeader(int count, int epoch) throws IOException {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(1_700_000_000_000L, ("k" + i).getBytes(), ("v" + i).getBytes());
        }
        log.append(MemoryRecords.withRecords(Compression.NONE, records).buffer(), epoch);
        return log.logEndOffset();
    }

    /** A batch as a leader sends it: {@code count} records from {@code base} stamped with {@code epoch}. */
    static ByteBuffer leaderBatch(long base, int count, int epoch) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(1_700_000_000_000L, ("k" + i).getBytes(), ("v" + (base + i)).getBytes());
        }
        ByteBuffer b = MemoryRecords.withRecords(Compression.NONE, records).buffer();
        b.putLong(RecordBatchLayout.BASE_OFFSET, base);
        b.putInt(RecordBatchLayout.PARTITION_LEADER_EPOCH, epoch);
        return b;
    }

    private void check() throws IOException {
        if (diskBroken) {
            throw new IOException("disk of " + tp + " failed");
        }
    }

    @Override
    public TopicPartition topicPartition() {
        return tp;
    }

    @Override
    public Uuid topicId() {
        return topicId;
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
    public OptionalInt latestEpoch() {
        return log.latestEpoch();
    }

    @Override
    public EpochEndOffset endOffsetForEpoch(int epoch) {
        return log.endOffsetForEpoch(epoch);
    }

    @Override
    public long highWatermark() {
        return highWatermark;
    }

    @Override
    public synchronized void updateHighWatermark(long offset) {
        highWatermark = Math.min(offset, log.logEndOffset());
        highWatermarks.add(highWatermark);
    }

    @Override
    public AppendResult appendAsFollower(ByteBuffer batches) throws IOException {
        check();
        return log.appendWithOffsets(batches);
    }

    @Override
    public void truncateTo(long offset) throws IOException {
        check();
        log.truncateTo(offset);
        highWatermark = Math.min(highWatermark, log.logEndOffset());
    }

    @Override
    public void truncateFullyAndStartAt(long offset) throws IOException {
        check();
        log.truncateFullyAndStartAt(offset);
        highWatermark = offset;
    }

    @Override
    public void assignEpochStartOffset(int epoch, long offset) throws IOException {
        check();
        log.assignEpochStartOffset(epoch, offset);
    }

    @Override
    public void maybeIncrementLogStartOffset(long offset) throws IOException {
        check();
        if (offset > log.logStartOffset()) {
            log.deleteRecordsBefore(offset);
        }
    }

    void close() throws IOException {
        log.close();
    }
}
