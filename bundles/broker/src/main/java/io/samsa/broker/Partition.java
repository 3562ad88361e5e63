package io.samsa.broker;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.broker.ProduceResult;
import io.samsa.api.storage.AppendResult;
import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.StorageEngine;
import io.samsa.broker.BatchValidator.ValidatedBatches;
import io.samsa.broker.ProducerStateTable.Verdict;

/**
 * A partition replica on this broker: its log, leadership, high watermark and idempotent
 * producer state.
 * <p>
 * Locking: {@link #lock} serialises everything that changes the log (appends, DeleteRecords,
 * retention, re-opening through another storage engine, close), and is the only lock an append
 * takes. The log is opened with it as its writer lock
 * ({@link StorageEngine#open(TopicPartition, Path, LogConfig, ReentrantLock)}), so the storage
 * re-enters it rather than taking one of its own; the producer state table is guarded by it;
 * the high watermark moves by compare-and-set and acks=all waiters sit in a lock-free queue.
 * Reads go to the current log without any lock.
 * <p>
 * A disk error in the log stops the partition at once and is reported to {@link StorageFailures}
 * after the lock is released, which takes the whole log dir offline.
 */
final class Partition {

    private static final Logger LOG = LoggerFactory.getLogger(Partition.class);

    private static final VarHandle HIGH_WATERMARK;

    static {
        try {
            HIGH_WATERMARK = MethodHandles.lookup().findVarHandle(Partition.class, "highWatermark", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final ReentrantLock lock;

    private final TopicPartition topicPartition;
    private final Path dir;
    private final int localBrokerId;
    private final ProducerStateTable producers = new ProducerStateTable();
    private final Map<Integer, Long> followerEnds = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<AckWaiter> ackWaiters = new ConcurrentLinkedQueue<>();
    private final StorageFailures failures;

    private volatile PartitionLog log;
    private volatile StorageEngine engine;
    private volatile LogConfig config;
    private volatile boolean online = true;
    /** Whether {@link #log} still needs closing; guarded by {@link #lock}. */
    private boolean logOpen = true;
    private volatile boolean leader;
    private volatile int leaderEpoch;
    private volatile List<Integer> isr = List.of();
    private volatile long highWatermark;
    /** Bytes appended since the log opened here; parked fetches compare it to decide they can complete. */
    private volatile long appendedBytes;

    /** @param lock the lock {@code log} was opened with as its writer lock */
    Partition(TopicPartition topicPartition, Path dir, int localBrokerId, ReentrantLock lock, PartitionLog log,
            StorageEngine engine, LogConfig config, StorageFailures failures) {
        this.topicPartition = topicPartition;
        this.lock = lock;
        this.failures = failures;
        this.dir = dir;
        this.localBrokerId = localBrokerId;
        this.log = log;
        this.engine = engine;
        this.config = config;
        this.highWatermark = log.logEndOffset();
    }

    /** A produce request's outcome with the offset the high watermark must pass for acks=all. */
    record Appended(ProduceResult result, long requiredHighWatermark) {
    }

    Appended append(ByteBuffer buffer, ValidatedBatches batches, long nowMs) {
        Throwable failure = null;
        lock.lock();
        try {
            return appendLocked(buffer, batches, nowMs);
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
            lock.unlock();
            if (failure != null) {
                failures.failed(this, "append", failure);
            }
        }
    }

    private Appended appendLocked(ByteBuffer buffer, ValidatedBatches batches, long nowMs) throws IOException {
        if (!online) {
            return new Appended(ProduceResult.error(Errors.KAFKA_STORAGE_ERROR,
                    "The log of " + topicPartition + " is offline"), -1);
        }
        if (!leader) {
            return new Appended(ProduceResult.error(Errors.NOT_LEADER_OR_FOLLOWER,
                    "This broker is not the leader of " + topicPartition), -1);
        }
        PartitionLog current = log;
        Verdict verdict = producers.check(buffer, batches);
        if (verdict.duplicate()) {
            return new Appended(new ProduceResult(Errors.NONE, null, verdict.duplicateOffset(), -1,
                    current.logStartOffset()), -1);
        }
        if (verdict.error() != Errors.NONE) {
            return new Appended(ProduceResult.error(verdict.error(), verdict.message()), -1);
        }
        AppendResult appended = current.append(buffer.duplicate(), leaderEpoch);
        producers.record(buffer, batches, nowMs);
        appendedBytes += appended.bytes();
        advanceHighWatermark();
        return new Appended(new ProduceResult(Errors.NONE, null, appended.firstOffset(), -1,
                current.logStartOffset()), appended.lastOffset() + 1);
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

    /**
     * The high watermark is the smallest log end offset among the in-sync replicas; with only
     * the leader in sync it is the log end offset.
     */
    void advanceHighWatermark() {
        if (!online) {
            return;
        }
        long hw = log.logEndOffset();
        for (Integer replica : isr) {
            if (replica != localBrokerId) {
                hw = Math.min(hw, followerEnds.getOrDefault(replica, 0L));
            }
        }
        long current;
        do {
            current = highWatermark;
            if (hw <= current) {
                return;
            }
        } while (!HIGH_WATERMARK.compareAndSet(this, current, hw));
        for (Iterator<AckWaiter> it = ackWaiters.iterator(); it.hasNext();) {
            AckWaiter w = it.next();
            if (w.requiredHighWatermark <= hw) {
                it.remove();
                w.future.complete(w.result);
            }
        }
    }

    /** A follower fetched from {@code fetchOffset}, which proves it has everything before it. */
    void followerFetched(int replicaId, long fetchOffset) {
        followerEnds.merge(replicaId, fetchOffset, Math::max);
        advanceHighWatermark();
    }

    /** Completes with {@code result} once the high watermark reaches {@code required}, or times out. */
    CompletableFuture<ProduceResult> awaitHighWatermark(long required, ProduceResult result, int timeoutMs,
            ScheduledExecutorService timer) {
        CompletableFuture<ProduceResult> future = new CompletableFuture<>();
        AckWaiter waiter = new AckWaiter(required, result, future);
        ackWaiters.add(waiter);
        if (highWatermark >= required && ackWaiters.remove(waiter)) {
            future.complete(result);
            return future;
        }
        ScheduledFuture<?> expiry = timer.schedule(() -> {
            if (ackWaiters.remove(waiter)) {
                future.complete(ProduceResult.error(Errors.REQUEST_TIMED_OUT, "Not all in-sync replicas of "
                        + topicPartition + " acknowledged the write within " + timeoutMs + " ms"));
            }
        }, Math.max(0, timeoutMs), TimeUnit.MILLISECONDS);
        // An acknowledged write must not leave its timeout queued for request.timeout.ms: at
        // thousands of acks=all writes a second that would be a queue of tens of thousands.
        future.whenComplete((done, failure) -> expiry.cancel(false));
        return future;
    }

    /** Applies leadership from the cluster metadata. @return true when it changed */
    boolean updateLeadership(boolean isLeader, int epoch, List<Integer> inSync) {
        boolean changed = isLeader != leader || epoch != leaderEpoch;
        leader = isLeader;
        leaderEpoch = epoch;
        isr = List.copyOf(inSync);
        if (isLeader) {
            advanceHighWatermark();
        }
        return changed;
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
            highWatermark = Math.min(Math.max(highWatermark, log.logStartOffset()), log.logEndOffset());
        } finally {
            lock.unlock();
        }
    }

    /** DeleteRecords: moves the log start offset up to {@code offset} (at most the high watermark). */
    long deleteRecordsBefore(long offset) throws IOException {
        Throwable failure = null;
        lock.lock();
        try {
            requireOnline();
            PartitionLog current = log;
            return offset > current.logStartOffset() ? current.deleteRecordsBefore(offset) : current.logStartOffset();
        } catch (IOException | RuntimeException e) {
            if (fence(e)) {
                failure = e;
            }
            throw e;
        } finally {
            lock.unlock();
            if (failure != null) {
                failures.failed(this, "DeleteRecords", failure);
            }
        }
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

    void close() throws IOException {
        closeLog();
        failAckWaiters(Errors.NOT_LEADER_OR_FOLLOWER, topicPartition + " was closed");
    }

    /**
     * Closes the log, keeping its files, after its log dir went offline. Writes waiting for
     * acks=all are answered KAFKA_STORAGE_ERROR: they are not acknowledged.
     */
    void closeAfterFailure() {
        try {
            closeLog();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Closing the log of {} in offline log dir {} failed: {}", topicPartition, dir.getParent(),
                    LogDirs.describe(e));
        }
        failAckWaiters(Errors.KAFKA_STORAGE_ERROR, "The log dir " + dir.getParent() + " of " + topicPartition
                + " went offline");
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
            logOpen = false;
            log.delete();
        } finally {
            lock.unlock();
        }
        failAckWaiters(Errors.NOT_LEADER_OR_FOLLOWER, topicPartition + " was deleted");
    }

    private void failAckWaiters(Errors error, String message) {
        for (AckWaiter w; (w = ackWaiters.poll()) != null;) {
            w.future.complete(ProduceResult.error(error, message));
        }
    }

    ProducerStateTable producers() {
        return producers;
    }

    TopicPartition topicPartition() {
        return topicPartition;
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
        return leader;
    }

    int leaderEpoch() {
        return leaderEpoch;
    }

    long highWatermark() {
        return highWatermark;
    }

    long appendedBytes() {
        return appendedBytes;
    }

    /** Where a partition reports a disk failure of its log; called without the partition's lock held. */
    interface StorageFailures {
        void failed(Partition partition, String operation, Throwable cause);
    }

    private record AckWaiter(long requiredHighWatermark, ProduceResult result,
            CompletableFuture<ProduceResult> future) {
    }
}
