package io.samsa.storage.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.storage.AppendResult;
import io.samsa.api.storage.EpochEndOffset;
import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.LogSlice;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.RecordBatchLayout;
import io.samsa.api.storage.TimestampOffset;

/**
 * A partition log in Kafka's on-disk format: segments, indexes, recovery, retention. How bytes
 * reach the segment files is the engine's {@link FileAccess}; everything else is here, so every
 * engine writes the same files.
 * <p>
 * Locking: writers (append, truncation, retention, close) hold the writer lock, which the
 * cleaner ({@link LogCompactor}) takes only to swap compacted segments in. An engine opened by
 * the broker is given the partition's own lock as that lock
 * ({@link SegmentedStorageEngine#open(TopicPartition, Path, LogConfig, ReentrantLock)}), so an
 * append takes one lock, the partition's, and taking it again here costs a hold count; nothing
 * below (segments, indexes, checkpoints) locks on the append path. Readers take no lock:
 * segments live in a concurrent map, and each append publishes the segment's size and then the
 * log end offset through volatile fields only after the bytes are written.
 * <p>
 * A roll seals the old segment and hands its fsync to the engine's flusher thread
 * ({@link SealedSegmentFlusher}); the recovery point moves past it once that fsync is done.
 */
public final class SegmentedPartitionLog implements PartitionLog {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentedPartitionLog.class);

    private final TopicPartition topicPartition;
    private final Path dir;
    private final FileAccess access;
    private final LongSupplier clock;
    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    private final RetiredSegments retired = new RetiredSegments();
    private final ReentrantLock lock;
    private final LogCompactor compactor;
    private final LogCheckpoints checkpoints;
    private final SealedSegmentFlusher sealedFlusher;
    private volatile LogSegment active;
    private volatile LogConfig config;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile boolean closed;
    private long unflushedMessages;
    private long lastFlushMs;

    private SegmentedPartitionLog(TopicPartition topicPartition, Path dir, FileAccess access, LogConfig config,
            LongSupplier clock, LogLoader.Loaded loaded, LogRuntime runtime) {
        this.topicPartition = topicPartition;
        this.lock = runtime.writerLock();
        this.dir = dir;
        this.access = access;
        this.config = config;
        this.clock = clock;
        for (LogSegment segment : loaded.segments()) {
            segments.put(segment.baseOffset(), segment);
        }
        this.active = segments.lastEntry().getValue();
        this.logEndOffset = active.nextOffset();
        this.logStartOffset = loaded.logStartOffset();
        this.checkpoints = loaded.checkpoints();
        this.lastFlushMs = clock.getAsLong();
        this.compactor = new LogCompactor(topicPartition, dir, access, lock, segments, retired, () -> active,
                runtime.cleaner(), runtime.throttle());
        this.sealedFlusher = new SealedSegmentFlusher(topicPartition, dir, checkpoints, runtime.flusher());
    }

    /**
     * Where a log's background work runs and which lock its writers take.
     *
     * @param cleaner    runs compactions (the engine's cleaner thread)
     * @param flusher    fsyncs segments sealed at a roll (the engine's flusher thread); {@code Runnable::run}
     *                   flushes on the appending thread, as tests that read files at once want
     * @param writerLock the lock writers hold: the partition's, so that an append takes one lock
     * @param throttle   the engine's cleaner I/O rate, shared by all its logs
     */
    public record LogRuntime(Executor cleaner, Executor flusher, ReentrantLock writerLock, CleanerThrottle throttle) {
        public LogRuntime(Executor cleaner, Executor flusher, ReentrantLock writerLock) {
            this(cleaner, flusher, writerLock, CleanerThrottle.unlimited());
        }

        /** Everything on the calling thread, with a lock of the log's own. */
        public static LogRuntime inline() {
            return new LogRuntime(Runnable::run, Runnable::run, new ReentrantLock());
        }
    }

    /**
     * Opens (creating, recovering) the log in {@code dir}, as {@link io.samsa.api.storage.StorageEngine#open}
     * describes, with the engine's file access; compaction runs inside {@link #enforceRetention}.
     */
    public static SegmentedPartitionLog open(TopicPartition partition, Path dir, LogConfig config, LongSupplier clock,
            FileAccess access) throws IOException {
        return open(partition, dir, config, clock, access, LogRuntime.inline());
    }

    /**
     * Opens the log as {@link #open(TopicPartition, Path, LogConfig, LongSupplier, FileAccess)},
     * running its compactions on {@code cleaner} (the engine's cleaner thread).
     */
    public static SegmentedPartitionLog open(TopicPartition partition, Path dir, LogConfig config, LongSupplier clock,
            FileAccess access, Executor cleaner) throws IOException {
        return open(partition, dir, config, clock, access, new LogRuntime(cleaner, Runnable::run, new ReentrantLock()));
    }

    /**
     * Opens the log as {@link #open(TopicPartition, Path, LogConfig, LongSupplier, FileAccess)},
     * with its background work on {@code runtime} and its writers under their lock.
     */
    public static SegmentedPartitionLog open(TopicPartition partition, Path dir, LogConfig config, LongSupplier clock,
            FileAccess access, LogRuntime runtime) throws IOException {
        LogLoader.Loaded loaded = LogLoader.load(access, dir, partition, config, clock.getAsLong());
        SegmentedPartitionLog log = new SegmentedPartitionLog(partition, dir, access, config, clock, loaded, runtime);
        LOG.debug("Opened {} in {}: offsets {} to {}, {} segments", partition, dir, log.logStartOffset,
                log.logEndOffset, log.segments.size());
        return log;
    }

    @Override
    public TopicPartition topicPartition() {
        return topicPartition;
    }

    @Override
    public long logStartOffset() {
        return logStartOffset;
    }

    @Override
    public long logEndOffset() {
        return logEndOffset;
    }

    @Override
    public long sizeInBytes() {
        long total = 0;
        for (LogSegment segment : segments.values()) {
            total += segment.size();
        }
        return total;
    }

    @Override
    public EpochEndOffset endOffsetForEpoch(int epoch) {
        // Appends change the epoch cache under the lock; this rare look-up waits for one to end.
        lock.lock();
        try {
            return checkpoints.endOffsetFor(epoch, logEndOffset);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public OptionalInt latestEpoch() {
        lock.lock(); // as endOffsetForEpoch
        try {
            return checkpoints.latestEpoch();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void assignEpochStartOffset(int epoch, long offset) throws IOException {
        lock.lock();
        try {
            ensureOpen();
            OptionalInt latest = checkpoints.latestEpoch();
            if (epoch < 0 || (latest.isPresent() && epoch < latest.getAsInt())) {
                throw new IllegalArgumentException("Cannot start leader epoch " + epoch + " in partition "
                        + topicPartition + ": " + (epoch < 0 ? "epochs are not negative"
                                : "the log already holds the later epoch " + latest.getAsInt()));
            }
            if (offset != logEndOffset) {
                throw new IllegalArgumentException("Cannot start leader epoch " + epoch + " of partition "
                        + topicPartition + " at offset " + offset + ": a new epoch starts at the log end offset, "
                        + logEndOffset);
            }
            if (latest.isEmpty() || epoch > latest.getAsInt()) {
                checkpoints.epochStarted(epoch, offset);
                LOG.info("Leader epoch {} of {} starts at offset {}", epoch, topicPartition, offset);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public LogConfig config() {
        return config;
    }

    @Override
    public void updateConfig(LogConfig newConfig) {
        config = newConfig;
    }

    @Override
    public AppendResult append(ByteBuffer batches, int leaderEpoch) throws IOException {
        return append(batches, true, leaderEpoch);
    }

    @Override
    public AppendResult appendWithOffsets(ByteBuffer batches) throws IOException {
        return append(batches, false, 0);
    }

    private AppendResult append(ByteBuffer batches, boolean assignOffsets, int leaderEpoch) throws IOException {
        lock.lock();
        try {
            return appendLocked(batches, assignOffsets, leaderEpoch);
        } finally {
            lock.unlock();
        }
    }

    private AppendResult appendLocked(ByteBuffer batches, boolean assignOffsets, int leaderEpoch) throws IOException {
        ensureOpen();
        ByteBuffer buf = batches.order() == ByteOrder.BIG_ENDIAN ? batches : batches.duplicate().order(ByteOrder.BIG_ENDIAN);
        int start = batches.position();
        int end = batches.limit();
        LogConfig cfg = config;
        long first = logEndOffset;
        if (start == end) {
            return new AppendResult(first, first - 1, TimeIndex.NO_TIMESTAMP, -1, 0);
        }
        if (assignOffsets) {
            StoredBatches.checkLeaderAppend(buf, start, end, cfg, topicPartition);
        } else {
            StoredBatches.checkFollowerAppend(buf, start, end, logEndOffset, checkpoints.latestEpoch().orElse(-1), cfg,
                    topicPartition);
        }
        long next = first;
        long maxTimestamp = TimeIndex.NO_TIMESTAMP;
        int maxTimestampBatch = -1;
        for (int p = start; p < end; p += RecordBatchLayout.sizeInBytes(buf, p)) {
            if (assignOffsets) {
                buf.putLong(p + RecordBatchLayout.BASE_OFFSET, next);
                buf.putInt(p + RecordBatchLayout.PARTITION_LEADER_EPOCH, leaderEpoch);
            }
            checkpoints.batch(RecordBatchLayout.partitionLeaderEpoch(buf, p), RecordBatchLayout.baseOffset(buf, p));
            long batchMax = RecordBatchLayout.maxTimestamp(buf, p);
            if (batchMax > maxTimestamp) {
                maxTimestamp = batchMax;
                maxTimestampBatch = p;
            }
            next = RecordBatchLayout.lastOffset(buf, p) + 1;
        }
        long last = next - 1;
        long now = clock.getAsLong();
        LogSegment segment = maybeRoll(end - start, maxTimestamp, last, cfg, now);
        checkpoints.beforeWrite();
        segment.append(buf, start, end, last, cfg.indexIntervalBytes());
        logEndOffset = next;
        unflushedMessages += next - first;
        if (unflushedMessages >= cfg.flushMessages() || now - lastFlushMs >= cfg.flushMs()) {
            flush();
        }
        long offsetOfMax = maxTimestampBatch < 0 ? -1 : StoredBatches.offsetOfTimestamp(buf, maxTimestampBatch, maxTimestamp);
        return new AppendResult(first, last, maxTimestamp, offsetOfMax, end - start);
    }

    private LogSegment maybeRoll(int bytes, long newestTimestamp, long lastOffset, LogConfig cfg, long now)
            throws IOException {
        LogSegment segment = active;
        if (segment.size() > 0 && ((long) segment.size() + bytes > cfg.segmentBytes()
                || segment.timeWaitedForRoll(now, newestTimestamp) > cfg.segmentMs()
                || segment.indexesFull()
                || lastOffset - segment.baseOffset() > Integer.MAX_VALUE)) {
            segment = roll(now);
        }
        return segment;
    }

    /**
     * Seals the active segment (trimmed indexes) and starts a new one at the log end offset; the
     * sealed segment's fsync, the directory's and the recovery point follow on the flusher.
     */
    private LogSegment roll(long now) throws IOException {
        LogSegment old = active;
        old.seal();
        LogSegment segment = LogSegment.create(access, dir, logEndOffset, config, now);
        segments.put(segment.baseOffset(), segment);
        active = segment;
        sealedFlusher.sealed(old, segment.baseOffset());
        unflushedMessages = 0;
        lastFlushMs = now;
        LOG.debug("Rolled {} to a new segment at offset {}", topicPartition, segment.baseOffset());
        return segment;
    }

    @Override
    public LogSlice read(long offset, int maxBytes, long maxOffset) throws IOException {
        long end = logEndOffset;
        long start = logStartOffset;
        if (offset == end) {
            return LogSlice.EMPTY;
        }
        if (offset < start || offset > end) {
            throw outOfRange(offset, start, end);
        }
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(offset);
        if (entry == null) {
            throw outOfRange(offset, logStartOffset, logEndOffset);
        }
        while (entry != null) {
            LogSlice slice = entry.getValue().read(offset, maxBytes, maxOffset);
            if (slice != null) {
                return slice;
            }
            entry = segments.higherEntry(entry.getKey());
        }
        return LogSlice.EMPTY;
    }

    private OffsetOutOfRangeException outOfRange(long offset, long start, long end) {
        return new OffsetOutOfRangeException("Offset " + offset + " is out of range for partition " + topicPartition
                + ": the log holds offsets " + start + " (log start offset) to " + end + " (log end offset)");
    }

    @Override
    public TimestampOffset offsetForTimestamp(long timestamp) throws IOException {
        long start = logStartOffset;
        for (LogSegment segment : segments.values()) {
            if (segment.maxTimestampSoFar() >= timestamp) {
                TimestampOffset found = segment.findOffsetByTimestamp(timestamp, start);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    @Override
    public TimestampOffset maxTimestamp() throws IOException {
        LogSegment newest = null;
        for (LogSegment segment : segments.values()) {
            if (segment.maxTimestampSoFar() >= 0
                    && (newest == null || segment.maxTimestampSoFar() > newest.maxTimestampSoFar())) {
                newest = segment;
            }
        }
        return newest == null ? null : newest.recordWithMaxTimestamp();
    }

    @Override
    public void truncateTo(long offset) throws IOException {
        lock.lock();
        try {
            truncateLocked(offset);
        } finally {
            lock.unlock();
        }
    }

    private void truncateLocked(long offset) throws IOException {
        ensureOpen();
        sealedFlusher.awaitFlushed(); // a truncation may reactivate a sealed segment: none may be flushing
        if (offset < 0) {
            throw new IllegalArgumentException("Cannot truncate partition " + topicPartition + " to negative offset " + offset);
        }
        if (offset >= logEndOffset) {
            checkpoints.truncated(logEndOffset, false); // an epoch started here as leader yields to the new leader's
            return;
        }
        long now = clock.getAsLong();
        LogConfig cfg = config;
        logEndOffset = offset; // readers stop at the new end before any byte goes
        boolean emptied = segments.firstKey() > offset;
        if (emptied) {
            List<LogSegment> old = new ArrayList<>(segments.values());
            LogSegment fresh = LogSegment.create(access, dir, offset, cfg, now);
            segments.put(offset, fresh);
            active = fresh;
            old.forEach(s -> segments.remove(s.baseOffset(), s));
            retired.add(old, now);
        } else {
            List<LogSegment> later = new ArrayList<>(segments.tailMap(offset, false).values());
            LogSegment segment = segments.floorEntry(offset).getValue();
            segment.truncateTo(offset);
            if (segment != active) {
                segment.reactivate();
                active = segment;
            }
            later.forEach(s -> segments.remove(s.baseOffset(), s));
            retired.add(later, now);
            logEndOffset = segment.nextOffset();
        }
        checkpoints.truncated(logEndOffset, emptied);
        if (logStartOffset > logEndOffset || segments.firstKey() > logStartOffset) {
            setLogStartOffset(Math.max(Math.min(logStartOffset, logEndOffset), segments.firstKey()));
        }
        compactor.truncated(active.baseOffset());
        LOG.info("Truncated {} to offset {}", topicPartition, logEndOffset);
    }

    /**
     * The order makes a crash safe at every step: the old segments are unlinked newest first
     * (what is left is a prefix of the old log), then the checkpoints name the new start (with no
     * segment left the loader creates one there), then the new segment is created.
     */
    @Override
    public void truncateFullyAndStartAt(long offset) throws IOException {
        lock.lock();
        try {
            ensureOpen();
            if (offset < 0) {
                throw new IllegalArgumentException("Cannot start the log of partition " + topicPartition
                        + " over at negative offset " + offset);
            }
            sealedFlusher.awaitFlushed(); // no flush of a segment about to go may run, nor move the recovery point
            long now = clock.getAsLong();
            long oldStart = logStartOffset;
            long oldEnd = logEndOffset;
            logStartOffset = oldEnd; // readers see an empty log until the new one is in place
            List<LogSegment> old = new ArrayList<>(segments.descendingMap().values());
            retired.add(old, now);
            CheckpointFiles.flushDir(dir);
            checkpoints.startedOver(offset);
            LogSegment fresh = LogSegment.create(access, dir, offset, config, now);
            segments.clear();
            segments.put(offset, fresh);
            active = fresh;
            // Publishing in this order, a reader between the two writes finds no batch either way.
            if (offset > oldEnd) {
                logEndOffset = offset;
                logStartOffset = offset;
            } else {
                logStartOffset = offset;
                logEndOffset = offset;
            }
            unflushedMessages = 0;
            lastFlushMs = now;
            compactor.truncated(offset);
            LOG.info("Started the log of {} over at offset {}: removed {} segment(s) holding offsets {} to {}",
                    topicPartition, offset, old.size(), oldStart, oldEnd);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long deleteRecordsBefore(long offset) throws IOException {
        lock.lock();
        try {
            ensureOpen();
            long end = logEndOffset;
            if (offset > end) {
                throw new OffsetOutOfRangeException("Cannot advance the log start offset of partition " + topicPartition
                        + " to " + offset + ": the log end offset is " + end);
            }
            if (offset > logStartOffset) {
                setLogStartOffset(offset);
                deleteSegments(Retention.belowLogStartOffset(segments, logStartOffset), clock.getAsLong());
            }
            return logStartOffset;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Also starts compacting the sealed segments in the background when {@code cleanup.policy}
     * contains {@code compact} (see {@link LogCompactor}), after the deletion rules for
     * {@code compact,delete}.
     */
    @Override
    public int enforceRetention(long nowMs) throws IOException {
        lock.lock();
        try {
            ensureOpen();
            retired.closeDue(nowMs);
            LogConfig cfg = config;
            if (active.size() > 0 && active.timeWaitedForRoll(nowMs, nowMs) > cfg.segmentMs()) {
                roll(nowMs);
            }
            int deleted = deleteSegments(Retention.belowLogStartOffset(segments, logStartOffset), nowMs);
            if (cfg.delete() && cfg.retentionMs() >= 0) {
                deleted += deleteSegments(Retention.expired(segments.values(), nowMs, cfg.retentionMs()), nowMs);
            }
            if (cfg.delete() && cfg.retentionBytes() >= 0) {
                deleted += deleteSegments(Retention.beyondRetentionBytes(segments.values(), sizeInBytes(),
                        cfg.retentionBytes()), nowMs);
            }
            compactor.maybeStart(cfg, nowMs);
            return deleted;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void startCleaningIfDue(long nowMs) throws IOException {
        lock.lock();
        try {
            ensureOpen();
            compactor.maybeStart(config, nowMs);
        } finally {
            lock.unlock();
        }
    }

    /** Waits until no compaction of this log runs; false when {@code timeoutMs} passed first. */
    boolean awaitCleaning(long timeoutMs) {
        return compactor.awaitIdle(timeoutMs);
    }

    /** Deletes a prefix of the segments, rolling first when it includes the active one. */
    private int deleteSegments(List<LogSegment> doomed, long nowMs) throws IOException {
        if (doomed.isEmpty()) {
            return 0;
        }
        if (doomed.contains(active)) {
            roll(nowMs);
        }
        for (LogSegment segment : doomed) {
            segments.remove(segment.baseOffset(), segment);
        }
        long first = segments.firstKey();
        if (first > logStartOffset) {
            setLogStartOffset(first);
        }
        retired.add(doomed, nowMs);
        LOG.info("Deleted {} segment(s) of {}; log start offset is now {}", doomed.size(), topicPartition, logStartOffset);
        return doomed.size();
    }

    private void setLogStartOffset(long offset) throws IOException {
        logStartOffset = offset;
        checkpoints.logStartOffset(offset);
    }

    @Override
    public void flush() throws IOException {
        lock.lock();
        try {
            long end = logEndOffset;
            sealedFlusher.awaitFlushed(); // the recovery point below claims the sealed segments too
            throwIfFlushFailed();
            active.flush();
            checkpoints.flushed(end);
            unflushedMessages = 0;
            lastFlushMs = clock.getAsLong();
        } finally {
            lock.unlock();
        }
    }

    /** The offset below which the log is known to be on disk (in memory; see {@link LogCheckpoints}). */
    long recoveryPoint() {
        return checkpoints.recoveryPoint();
    }

    @Override
    public void delete() throws IOException {
        compactor.stop();
        lock.lock();
        try {
            closed = true;
            sealedFlusher.awaitFlushed();
            for (LogSegment segment : segments.values()) {
                segment.close();
            }
            retired.closeAll();
            segments.clear();
        } finally {
            lock.unlock();
        }
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
        LOG.info("Deleted the log of {} in {}", topicPartition, dir);
    }

    @Override
    public void close() throws IOException {
        compactor.stop(); // outside the lock: a cleaning about to swap needs it to see the stop
        lock.lock();
        try {
            closeLocked();
        } finally {
            lock.unlock();
        }
    }

    private void closeLocked() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        sealedFlusher.awaitFlushed();
        IOException failure = sealedFlusher.failure();
        try {
            active.onBecomeInactive();
        } catch (IOException e) {
            failure = failure == null ? e : failure;
        }
        for (LogSegment segment : segments.values()) {
            try {
                segment.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        retired.closeAll();
        if (failure != null) {
            throw failure; // no clean-shutdown marker: the next open recovers
        }
        checkpoints.closed(logEndOffset);
    }

    private void ensureOpen() {
        if (closed) {
            throw new KafkaStorageException("The log of partition " + topicPartition + " in " + dir + " is closed");
        }
        throwIfFlushFailed();
        if (compactor.failed()) {
            throw new KafkaStorageException("The log of partition " + topicPartition + " in " + dir
                    + " failed to swap in a compacted segment and must be reopened");
        }
    }

    private void throwIfFlushFailed() {
        IOException failure = sealedFlusher.failure();
        if (failure != null) {
            throw new KafkaStorageException("The log of partition " + topicPartition + " in " + dir
                    + " failed to flush a sealed segment: " + failure.getMessage(), failure);
        }
    }

    /** Waits until the segments sealed so far are fsynced (for tests). */
    void awaitSealedFlushed() {
        sealedFlusher.awaitFlushed();
    }

    @Override
    public String toString() {
        return "SegmentedPartitionLog(" + topicPartition + ", " + dir + ", " + logStartOffset + ".." + logEndOffset + ")";
    }
}
