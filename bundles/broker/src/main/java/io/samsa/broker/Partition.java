package io.samsa.broker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.ProduceResult;
import io.samsa.api.replication.LeaderReplica;
import io.samsa.api.replication.LocalReplica;
import io.samsa.api.storage.AppendResult;
import io.samsa.api.storage.EpochEndOffset;
import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.RecordBatchLayout;
import io.samsa.api.storage.StorageEngine;
import io.samsa.broker.BatchValidator.ValidatedBatches;
import io.samsa.broker.ProducerStateTable.Verdict;

/**
 * A partition replica on this broker: its log, high watermark and idempotent producer state, and
 * the leadership the replication runtime gave it, if any. The runtime decides who leads, which
 * replicas are in sync and where the high watermark is; this class keeps the log consistent with
 * what it is told ({@link LocalReplica}).
 * <p>
 * Locking: {@link #lock} serialises everything that changes the log (leader and follower appends,
 * truncation, DeleteRecords, retention, re-opening through another storage engine, close) and the
 * high watermark, and is the only lock an append takes. The log is opened with it as its writer
 * lock ({@link StorageEngine#open(TopicPartition, Path, LogConfig, ReentrantLock)}), so the
 * storage re-enters it rather than taking one of its own; the producer state table is guarded by
 * it. Reads go to the current log without any lock.
 * <p>
 * Parked fetches are told about new data and a moved high watermark once the lock is released,
 * never under it: completing a fetch sends its response.
 * <p>
 * A disk error in the log stops the partition at once and is reported to {@link StorageFailures}
 * after the lock is released, which takes the whole log dir offline.
 */
final class Partition implements LocalReplica {

    private static final Logger LOG = LoggerFactory.getLogger(Partition.class);

    final ReentrantLock lock;

    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final Path dir;
    private final ProducerStateTable producers = new ProducerStateTable();
    private final StorageFailures failures;
    private final Consumer<TopicPartition> readableChanged;
    /** Set under the lock when parked fetches must be told, once the outermost hold is released. */
    private final AtomicBoolean wakeDue = new AtomicBoolean();

    private volatile PartitionLog log;
    private volatile StorageEngine engine;
    private volatile LogConfig config;
    private volatile boolean online = true;
    /** Whether {@link #log} still needs closing; guarded by {@link #lock}. */
    private boolean logOpen = true;
    /** What the replication runtime returned for the last applied state; null when not leader. */
    private volatile LeaderReplica leadership;
    /** The leader epoch of the last applied state, for epoch checks while following. */
    private volatile int appliedLeaderEpoch = -1;
    /** Written under the lock; read without. */
    private volatile long highWatermark;
    /** Bytes appended since the log opened here; parked fetches compare it to decide they can complete. */
    private volatile long appendedBytes;

    /**
     * @param lock                  the lock {@code log} was opened with as its writer lock
     * @param initialHighWatermark  the checkpointed high watermark (0 when none); clipped to the log
     * @param readableChanged       told, outside the lock, that data was appended or the high
     *                              watermark moved
     */
    Partition(TopicPartition topicPartition, Uuid topicId, Path dir, ReentrantLock lock, PartitionLog log,
            StorageEngine engine, LogConfig config, long initialHighWatermark, StorageFailures failures,
            Consumer<TopicPartition> readableChanged) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.lock = lock;
        this.failures = failures;
        this.readableChanged = readableChanged;
        this.dir = dir;
        this.log = log;
        this.engine = engine;
        this.config = config;
        this.highWatermark = clip(initialHighWatermark, log);
    }

    private static long clip(long highWatermark, PartitionLog log) {
        return Math.min(Math.max(highWatermark, log.logStartOffset()), log.logEndOffset());
    }

    /** A produce request's outcome with the offset the high watermark must pass for acks=all. */
    record Appended(ProduceResult result, long requiredHighWatermark) {
    }

    /**
     * Appends a produce request's batches as leader of {@code leader}'s epoch and tells the
     * leadership the new log end offset, under the lock.
     */
    Appended append(ByteBuffer buffer, ValidatedBatches batches, long nowMs, LeaderReplica leader) {
        Throwable failure = null;
        lock.lock();
        try {
            return appendLocked(buffer, batches, nowMs, leader);
        } catch (IOException | RuntimeException e) {
            if (fence(e)) {
                failure = e;
                // Never acknowledged: the producer retries, and nothing of this batch is readable.
                return new Appended(ProduceResult.error(Errors.KAFKA_STORAGE_ERROR, "Write to " + topicPartition
                        + " in " + dir.getParent() + " failed: " + LogDirs.describe(e)), -1);
            }
            Errors error = Errors.forException(e);
            if (error == Errors.UNKNOWN_SERVER_ERROR) {
                LOG.error("Append to {} failed", topicPartition, e);
            }
            return new Appended(ProduceResult.error(error, e.getMessage()), -1);
        } finally {
            unlock(failure, "append");
        }
    }

    private Appended appendLocked(ByteBuffer buffer, ValidatedBatches batches, long nowMs, LeaderReplica leader)
            throws IOException {
        if (!online) {
            return new Appended(ProduceResult.error(Errors.KAFKA_STORAGE_ERROR,
                    "The log of " + topicPartition + " is offline"), -1);
        }
        // Leadership changes under this lock, so the leadership checked here is the one appended under.
        if (leadership != leader || !leader.active()) {
            return new Appended(ProduceResult.error(Errors.NOT_LEADER_OR_FOLLOWER,
                    "This broker is not the leader of " + topicPartition), -1);
        }
        PartitionLog current = log;
        Verdict verdict = producers.check(buffer, batches);
        if (verdict.duplicate()) {
            // Acknowledged like the original: for acks=all once the original is committed.
            return new Appended(new ProduceResult(Errors.NONE, null, verdict.duplicateOffset(), -1,
                    current.logStartOffset()), verdict.duplicateOffset() + 1);
        }
        if (verdict.error() != Errors.NONE) {
            return new Appended(ProduceResult.error(verdict.error(), verdict.message()), -1);
        }
        AppendResult appended = current.append(buffer.duplicate(), leader.leaderEpoch());
        producers.record(buffer, batches, nowMs);
        appendedBytes += appended.bytes();
        wakeDue.set(true);
        try {
            leader.appended(current.logEndOffset());
        } catch (RuntimeException e) {
            // The records are in the log: answering an error would have the producer write them twice.
            LOG.error("The leadership of {} failed to take the append up to {}", topicPartition,
                    current.logEndOffset(), e);
        }
        return new Appended(new ProduceResult(Errors.NONE, null, appended.firstOffset(), -1,
                current.logStartOffset()), appended.lastOffset() + 1);
    }

    /**
     * Releases the lock; then reports a disk failure met under it, and tells parked fetches about
     * new data once no hold of the lock is left on this thread.
     */
    private void unlock(Throwable failure, String operation) {
        lock.unlock();
        if (failure != null) {
            failures.failed(this, operation, failure);
        }
        if (!lock.isHeldByCurrentThread() && wakeDue.getAndSet(false)) {
            readableChanged.accept(topicPartition);
        }
    }

    /**
     * Under the lock: true when {@code e}, thrown by the live log, is a disk failure. The
     * partition then stops serving before anything else reaches the log.
     */
    private boolean fence(Throwable e) {
        if (!online || !LogDirs.isStorageFailure(e)) {
            return false;
        }
        online = false;
        return true;
    }

    /**
     * A read of {@code used} (without the lock) failed. A disk failure of the live log is
     * reported; a log closed or replaced under the reader (storage engine swap, deletion) is not.
     *
     * @return the error to answer
     */
    Errors readFailed(PartitionLog used, String operation, Throwable e) {
        if (LogDirs.isStorageFailure(e) && used == log && online) {
            failures.failed(this, operation, e);
        }
        return Errors.KAFKA_STORAGE_ERROR;
    }

    // LocalReplica

    @Override
    public TopicPartition topicPartition() {
        return topicPartition;
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

    /**
     * Takes the partition's lock (re-entered when the caller holds it, as in
     * {@link LeaderReplica#appended}): so a caller must not hold a lock of its own that an append
     * under the partition's lock may wait for, or the two deadlock. Parked fetches are woken on
     * the calling thread once it holds the lock no more.
     */
    @Override
    public void updateHighWatermark(long offset) {
        lock.lock();
        try {
            if (!online) {
                return;
            }
            long next = clip(offset, log);
            if (next != highWatermark) {
                highWatermark = next;
                wakeDue.set(true);
            }
        } finally {
            unlock(null, "high watermark update");
        }
    }

    @Override
    public AppendResult appendAsFollower(ByteBuffer batches) throws IOException {
        return write("follower append", current -> {
            ByteBuffer headers = batches.duplicate();
            AppendResult appended = current.appendWithOffsets(batches.duplicate());
            recordFollowerProducers(headers);
            appendedBytes += appended.bytes();
            wakeDue.set(true);
            return appended;
        });
    }

    /**
     * The producer state the leader recorded for these batches, so that a retried batch is a
     * duplicate here too after a failover. A batch's own timestamp stands for its append time, so
     * that leader and followers expire a producer at about the same moment.
     */
    private void recordFollowerProducers(ByteBuffer b) {
        int pos = b.position();
        int limit = b.limit();
        while (pos + RecordBatchLayout.HEADER_SIZE <= limit) {
            int size = RecordBatchLayout.sizeInBytes(b, pos);
            if (size < RecordBatchLayout.HEADER_SIZE) {
                break; // framing was checked by the append; never loop on a broken length
            }
            long producerId = RecordBatchLayout.producerId(b, pos);
            if (producerId >= 0 && !RecordBatchLayout.isControl(b, pos)) {
                producers.add(producerId, RecordBatchLayout.producerEpoch(b, pos),
                        RecordBatchLayout.baseSequence(b, pos), RecordBatchLayout.lastSequence(b, pos),
                        RecordBatchLayout.baseOffset(b, pos), RecordBatchLayout.maxTimestamp(b, pos));
            }
            pos += size;
        }
    }

    @Override
    public void truncateTo(long offset) throws IOException {
        write("truncation", current -> {
            current.truncateTo(offset);
            afterTruncation(current);
            return null;
        });
    }

    @Override
    public void truncateFullyAndStartAt(long offset) throws IOException {
        write("truncation", current -> {
            current.truncateFullyAndStartAt(offset);
            afterTruncation(current);
            return null;
        });
    }

    /** The producer state of removed batches must go with them: rebuilt from what is left. */
    private void afterTruncation(PartitionLog current) throws IOException {
        highWatermark = clip(highWatermark, current);
        producers.clear();
        ProducerStateLoader.load(current, producers, System.currentTimeMillis());
    }

    @Override
    public void assignEpochStartOffset(int epoch, long offset) throws IOException {
        write("epoch start", current -> {
            current.assignEpochStartOffset(epoch, offset);
            return null;
        });
    }

    @Override
    public void maybeIncrementLogStartOffset(long offset) throws IOException {
        write("log start offset increment", current -> {
            if (offset > current.logStartOffset()) {
                current.deleteRecordsBefore(offset);
                highWatermark = clip(highWatermark, current);
            }
            return null;
        });
    }

    /**
     * Runs a change of the log under the lock; a disk failure fences the partition, is reported
     * once the lock is released, and is thrown.
     */
    private <T> T write(String operation, LogChange<T> action) throws IOException {
        Throwable failure = null;
        lock.lock();
        try {
            requireOnline();
            return action.run(log);
        } catch (IOException | RuntimeException e) {
            if (fence(e)) {
                failure = e;
            }
            throw e;
        } finally {
            unlock(failure, operation);
        }
    }

    // Leadership

    /**
     * Applies what the replication runtime made of the partition's stored state.
     *
     * @param leaderEpoch the state's leader epoch
     * @return true when the leadership or the epoch changed
     */
    boolean applyLeadership(Optional<LeaderReplica> next, int leaderEpoch) {
        lock.lock();
        try {
            LeaderReplica before = leadership;
            int epochBefore = leaderEpoch();
            leadership = next.orElse(null);
            appliedLeaderEpoch = leaderEpoch;
            return before != leadership || epochBefore != leaderEpoch();
        } finally {
            lock.unlock();
        }
    }

    /** The leadership to produce under, or null when this broker does not lead the partition. */
    LeaderReplica leadership() {
        LeaderReplica l = leadership;
        return l != null && l.active() ? l : null;
    }

    void updateConfig(LogConfig newConfig) {
        lock.lock();
        try {
            config = newConfig;
            if (online) {
                log.updateConfig(newConfig);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes the log opened through the current engine and opens it through {@code next}; appends wait meanwhile. */
    void reopen(StorageEngine next) throws IOException {
        lock.lock();
        try {
            closeLog(); // the lock is reentrant: closing and opening are one step for appenders
            log = next.open(topicPartition, dir, config, lock);
            logOpen = true;
            engine = next;
            online = true;
            highWatermark = clip(highWatermark, log);
        } finally {
            lock.unlock();
        }
    }

    /** DeleteRecords: moves the log start offset up to {@code offset} (at most the high watermark). */
    long deleteRecordsBefore(long offset) throws IOException {
        return write("DeleteRecords", current -> offset > current.logStartOffset()
                ? current.deleteRecordsBefore(offset) : current.logStartOffset());
    }

    /**
     * Rolls and deletes segments by age and size. A disk failure is reported (and the log dir
     * taken offline) rather than thrown.
     *
     * @return segments deleted
     */
    int enforceRetention(long nowMs) throws IOException {
        return maintain("retention (segment roll or delete)", () -> log.enforceRetention(nowMs), 0);
    }

    /** Starts a compaction of a compacted log that is dirty enough; the log cleaner's check. */
    void startCleaningIfDue(long nowMs) throws IOException {
        maintain("compaction", () -> {
            log.startCleaningIfDue(nowMs);
            return null;
        }, null);
    }

    /** A time-based fsync ({@code flush.ms}); appends do the message-count one themselves. */
    void flush() throws IOException {
        maintain("flush", () -> {
            log.flush();
            return null;
        }, null);
    }

    /**
     * Runs a maintenance action on the log under the partition lock; a disk failure takes the
     * log dir offline (reported once the lock is released) and yields {@code onFailure}.
     */
    private <T> T maintain(String operation, LogAction<T> action, T onFailure) throws IOException {
        Throwable failure = null;
        lock.lock();
        try {
            return online ? action.run() : onFailure;
        } catch (IOException | RuntimeException e) {
            if (!fence(e)) {
                throw e;
            }
            failure = e;
            return onFailure;
        } finally {
            lock.unlock();
            if (failure != null) {
                failures.failed(this, operation, failure);
            }
        }
    }

    @FunctionalInterface
    private interface LogAction<T> {
        T run() throws IOException;
    }

    @FunctionalInterface
    private interface LogChange<T> {
        T run(PartitionLog log) throws IOException;
    }

    private void requireOnline() throws IOException {
        if (!online) {
            throw new IOException("The log of " + topicPartition + " is offline");
        }
    }

    int expireProducers(long cutoffMs) {
        lock.lock();
        try {
            return producers.expire(cutoffMs);
        } finally {
            lock.unlock();
        }
    }

    /** The replication runtime has been told to stop with this partition first (its waiting writes end there). */
    void close() throws IOException {
        leadership = null;
        closeLog();
    }

    /** Closes the log, keeping its files, after its log dir went offline. */
    void closeAfterFailure() {
        leadership = null;
        try {
            closeLog();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Closing the log of {} in offline log dir {} failed: {}", topicPartition, dir.getParent(),
                    LogDirs.describe(e));
        }
    }

    private void closeLog() throws IOException {
        lock.lock();
        try {
            online = false;
            if (logOpen) {
                logOpen = false;
                log.close();
            }
        } finally {
            lock.unlock();
        }
    }

    void delete() throws IOException {
        lock.lock();
        try {
            online = false;
            leadership = null;
            logOpen = false;
            log.delete();
        } finally {
            lock.unlock();
        }
    }

    ProducerStateTable producers() {
        return producers;
    }

    Path dir() {
        return dir;
    }

    PartitionLog log() {
        return log;
    }

    StorageEngine engine() {
        return engine;
    }

    LogConfig config() {
        return config;
    }

    boolean online() {
        return online;
    }

    boolean leader() {
        return leadership() != null;
    }

    /** The leader's epoch while leading, else that of the last applied state. */
    int leaderEpoch() {
        LeaderReplica l = leadership;
        return l != null ? l.leaderEpoch() : appliedLeaderEpoch;
    }

    long appendedBytes() {
        return appendedBytes;
    }

    /** Where a partition reports a disk failure of its log; called without the partition's lock held. */
    interface StorageFailures {
        void failed(Partition partition, String operation, Throwable cause);
    }

}
