package io.samsa.storage.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalInt;

import org.apache.kafka.common.TopicPartition;

import io.samsa.api.storage.EpochEndOffset;

/**
 * The checkpoints a log keeps beside its segments as it changes (see {@link CheckpointFiles}):
 * the log start offset, the leader epochs ({@link LeaderEpochCache}) and the recovery point,
 * and the clean-shutdown marker last of all. Used by the log's single writer.
 * <p>
 * The recovery point is the offset below which every batch is known to be on disk: everything
 * below it was fsynced. It advances in memory on every fsync (roll, {@code flush.messages},
 * {@code flush.ms}, close), but the file is rewritten only when it moves to another segment
 * (a roll), when a truncation takes it back, and at close: recovery validates whole segments
 * from the one holding the recovery point, so a file naming an earlier offset of that same
 * segment recovers exactly as much, and a flush per few messages costs no extra fsyncs.
 * The file never names an offset beyond what was fsynced, so a crash at any moment leaves
 * a recovery point that is safe to trust.
 * <p>
 * Threads: the log's single writer calls everything; {@link #rolled} comes from the flusher
 * thread ({@link SealedSegmentFlusher}) once a sealed segment is on disk, so the recovery point
 * (and only it) is guarded by this object's monitor.
 */
final class LogCheckpoints {

    private final Path dir;
    private final TopicPartition partition;
    private final LeaderEpochCache epochs;
    private long recoveryPoint;
    private long checkpointedRecoveryPoint;

    /** @param recoveryPoint what the loader found flushed and wrote to the recovery point file */
    LogCheckpoints(Path dir, TopicPartition partition, LeaderEpochCache epochs, long recoveryPoint) {
        this.dir = dir;
        this.partition = partition;
        this.epochs = epochs;
        this.recoveryPoint = recoveryPoint;
        this.checkpointedRecoveryPoint = recoveryPoint;
    }

    EpochEndOffset endOffsetFor(int epoch, long logEndOffset) {
        return epochs.endOffsetFor(epoch, logEndOffset);
    }

    OptionalInt latestEpoch() {
        return epochs.latestEpoch();
    }

    /** A new leader's {@code epoch} starts at the log end {@code offset}, before any batch of it: written at once. */
    void epochStarted(int epoch, long offset) throws IOException {
        epochs.assign(epoch, offset);
        epochs.flush();
    }

    /** An appended batch of {@code epoch} starts at {@code baseOffset}; noted in memory until {@link #beforeWrite}. */
    void batch(int epoch, long baseOffset) {
        epochs.assign(epoch, baseOffset);
    }

    /**
     * Called before an append's bytes are written: a new epoch reaches its checkpoint file
     * first, so the file never lacks an epoch whose batches are on disk.
     */
    void beforeWrite() throws IOException {
        epochs.flush();
    }

    /** The segments before the one starting at {@code baseOffset} are fsynced (on the flusher thread). */
    synchronized void rolled(long baseOffset) throws IOException {
        if (baseOffset > recoveryPoint) {
            recoveryPoint = baseOffset;
        }
        if (baseOffset > checkpointedRecoveryPoint) {
            writeRecoveryPoint(baseOffset);
        }
    }

    /** Everything below {@code offset} was fsynced. */
    synchronized void flushed(long offset) {
        recoveryPoint = offset;
    }

    /**
     * The log was cut to end at {@code endOffset} ({@code emptied}: every segment went). The
     * recovery point comes back to the new end before any later append can write past it.
     */
    void truncated(long endOffset, boolean emptied) throws IOException {
        if (emptied) {
            epochs.clear(); // as Kafka's truncateFullyAndStartAt
        } else {
            epochs.truncateFromEnd(endOffset);
        }
        epochs.flush();
        synchronized (this) {
            recoveryPoint = Math.min(recoveryPoint, endOffset);
            if (checkpointedRecoveryPoint > endOffset) {
                writeRecoveryPoint(endOffset);
            }
        }
    }

    /**
     * Every segment is gone and the log starts again, empty, at {@code offset}: no epochs, and
     * start offset and recovery point there. Written before the new segment is created, so a
     * crash in between opens the same empty log.
     */
    void startedOver(long offset) throws IOException {
        epochs.clear();
        epochs.flush();
        CheckpointFiles.writeLogStartOffset(dir, offset);
        synchronized (this) {
            recoveryPoint = offset;
            writeRecoveryPoint(offset);
        }
    }

    /** DeleteRecords, retention or a truncation moved the log start offset. */
    void logStartOffset(long offset) throws IOException {
        CheckpointFiles.writeLogStartOffset(dir, offset);
        epochs.truncateFromStart(offset);
        epochs.flush();
    }

    /** The segments are fsynced and closed, the log ending at {@code endOffset}: the last checkpoints, then the marker. */
    void closed(long endOffset) throws IOException {
        epochs.flush();
        synchronized (this) {
            recoveryPoint = endOffset;
            if (checkpointedRecoveryPoint != endOffset) {
                writeRecoveryPoint(endOffset);
            }
        }
        CheckpointFiles.writeCleanShutdown(dir);
    }

    synchronized long recoveryPoint() {
        return recoveryPoint;
    }

    private void writeRecoveryPoint(long offset) throws IOException {
        CheckpointFiles.writeRecoveryPoint(dir, partition, offset);
        checkpointedRecoveryPoint = offset;
    }
}
