package io.samsa.storage.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.samsa.api.storage.LogConfig;
import io.samsa.storage.format.CompactionPass.Source;

/**
 * Kafka's log cleaner for one partition log ({@code cleanup.policy} containing {@code compact}):
 * when to clean, the cleaner checkpoint, and the swap.
 * <p>
 * A retention check, or the broker's cleaner check every {@code log.cleaner.backoff.ms}, starts a
 * cleaning ({@link CompactionPass}) when the cleanable segments' dirty
 * ratio (bytes of segments at or after the cleaned offset over all their bytes) exceeds
 * {@code min.cleanable.dirty.ratio}, or when a kept tombstone's delete horizon has passed. The
 * cleanable segments are the sealed ones up to the first holding a record younger than
 * {@code min.compaction.lag.ms}, as Kafka bounds them: a consumer gets that long to see every
 * record before compaction may remove it. Cleanings read and write at the engine's
 * {@link CleanerThrottle} rate. It runs on the
 * engine's cleaner thread, as Kafka's does, never on the caller's. Only the swap of a compacted
 * segment ({@link #install}) takes the log's lock; it is abandoned when a truncation, retention
 * or DeleteRecords changed the segments meanwhile. Replaced segments are retired like deleted
 * ones, so slices already handed out stay readable. The active segment is never cleaned.
 * <p>
 * Not done as Kafka does it: there is no transaction index, so aborted transactional records
 * are not removed, transactional records never supersede older ones, and transaction markers
 * are always kept (the broker refuses transactional produce anyway); {@code max.compaction.lag.ms}
 * is not applied.
 */
final class LogCompactor {

    static final long STOP_WAIT_MS = 30_000;

    private static final Logger LOG = LoggerFactory.getLogger(LogCompactor.class);

    /**
     * A cleaning handed to the executor. Whoever claims it first runs it or, when the log is
     * closing, drops it: a close need not wait for a queued cleaning behind other logs' ones.
     */
    private static final class Cleaning {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final AtomicBoolean claimed = new AtomicBoolean();

        static Cleaning finished() {
            Cleaning c = new Cleaning();
            c.claimed.set(true);
            c.done.complete(null);
            return c;
        }
    }

    private final TopicPartition partition;
    private final Path dir;
    private final FileAccess access;
    private final ReentrantLock lock;
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final RetiredSegments retired;
    private final Supplier<LogSegment> active;
    private final Executor executor;
    private final CleanerThrottle throttle;
    /** Offsets below this are compacted (under the lock). */
    private long cleanedOffset;
    /** When the earliest kept tombstone may go (under the lock). */
    private long tombstonesDueMs;
    /** Truncations so far (under the lock): a cleaning that saw any of its input cut is void. */
    private long truncations;
    private volatile Cleaning running = Cleaning.finished();
    private volatile boolean stopped;
    private volatile boolean failed;

    /**
     * @param lock     the log's writer lock: taken here only to plan and to swap
     * @param executor runs cleanings; the engine's cleaner threads
     * @param throttle the engine's cleaner I/O rate
     */
    LogCompactor(TopicPartition partition, Path dir, FileAccess access, ReentrantLock lock,
            ConcurrentSkipListMap<Long, LogSegment> segments, RetiredSegments retired, Supplier<LogSegment> active,
            Executor executor, CleanerThrottle throttle) {
        this.partition = partition;
        this.dir = dir;
        this.access = access;
        this.lock = lock;
        this.segments = segments;
        this.retired = retired;
        this.active = active;
        this.executor = executor;
        this.throttle = throttle;
        long[] checkpoint = CheckpointFiles.readCleanerCheckpoint(dir);
        // recovery may have cut the log below the checkpoint; the active segment is never clean
        this.cleanedOffset = checkpoint == null ? 0 : Math.min(checkpoint[0], active.get().baseOffset());
        this.tombstonesDueMs = checkpoint == null ? Long.MAX_VALUE : checkpoint[1];
    }

    /** True when a swap failed half-way: only reopening the log (which completes it) is safe. */
    boolean failed() {
        return failed;
    }

    /** Under the log's lock: starts a cleaning if the log is compacted, dirty enough, and none runs. */
    void maybeStart(LogConfig cfg, long nowMs) {
        if (!cfg.compact() || stopped || failed || !running.done.isDone()) {
            return;
        }
        List<Source> sources = new ArrayList<>();
        long dirty = 0;
        long total = 0;
        long youngestCleanableMs = nowMs - cfg.minCompactionLagMs();
        for (LogSegment s : segments.headMap(active.get().baseOffset()).values()) {
            // a segment without record timestamps (-1) has nothing to tell the lag by
            if (cfg.minCompactionLagMs() > 0 && s.maxTimestampSoFar() > youngestCleanableMs) {
                break;
            }
            sources.add(new Source(s, s.size(), s.nextOffset()));
            total += s.size();
            dirty += s.baseOffset() >= cleanedOffset ? s.size() : 0;
        }
        if (total == 0 || !(dirty > total * cfg.minCleanableDirtyRatio() || nowMs >= tombstonesDueMs)) {
            return;
        }
        CompactionPass pass = new CompactionPass(this, access, dir, sources,
                Math.max(cleanedOffset, sources.get(0).segment().baseOffset()), cfg, nowMs, truncations, throttle);
        Cleaning cleaning = new Cleaning();
        running = cleaning;
        try {
            executor.execute(() -> clean(pass, cleaning));
        } catch (RejectedExecutionException e) {
            cleaning.done.complete(null);
            LOG.warn("Cannot start compacting {}: the cleaner is shut down", partition);
        }
    }

    /** Under the log's lock, after a truncation: offsets from the new active segment on are dirty again. */
    void truncated(long activeBaseOffset) throws IOException {
        truncations++;
        if (cleanedOffset > activeBaseOffset) {
            cleanedOffset = activeBaseOffset;
            CheckpointFiles.writeCleanerCheckpoint(dir, cleanedOffset, tombstonesDueMs);
        }
    }

    /** Stops a cleaning under way and waits (bounded) for it; the caller must not hold the log's lock. */
    void stop() {
        stopped = true;
        Cleaning cleaning = running;
        if (cleaning.claimed.compareAndSet(false, true)) {
            cleaning.done.complete(null);
            return;
        }
        if (!awaitIdle(STOP_WAIT_MS)) {
            LOG.warn("The cleaning of {} did not stop within {} ms", partition, STOP_WAIT_MS);
        }
    }

    /** Waits until no cleaning runs; false when {@code timeoutMs} passed first. */
    boolean awaitIdle(long timeoutMs) {
        try {
            running.done.get(timeoutMs, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void clean(CompactionPass pass, Cleaning cleaning) {
        if (!cleaning.claimed.compareAndSet(false, true)) {
            return;
        }
        long startNs = System.nanoTime();
        try {
            pass.run();
            finish(pass.dirtyEnd(), pass.tombstonesDueMs());
            LOG.info("Compacted {} up to offset {}: {}, in {} ms", partition, pass.dirtyEnd(), pass.summary(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
        } catch (CancellationException e) {
            LOG.debug("Compaction of {} abandoned: {}", partition, e.getMessage());
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            if (failed) {
                LOG.error("Compaction of {} failed; the log takes no more writes until it is reopened", partition, e);
            } else {
                LOG.warn("Compaction of {} failed; the next retention check tries again", partition, e);
            }
        } finally {
            cleaning.done.complete(null);
        }
    }

    /**
     * Under the log's lock: replaces the group's segments by the cleaned one, unless one of them
     * changed since the plan, or the log was truncated (its offset map may name records that are
     * gone): then false, and nothing happened.
     */
    boolean install(List<Source> group, long base, LogConfig config, long nowMs, long truncationsAtPlan)
            throws IOException {
        lock.lock();
        try {
            checkStopped();
            if (truncations != truncationsAtPlan) {
                return false;
            }
            LogSegment current = active.get();
            for (Source src : group) {
                LogSegment s = src.segment();
                if (segments.get(s.baseOffset()) != s || s == current || s.size() != src.size()) {
                    return false;
                }
            }
            SegmentSwap.promote(dir, base);
            try {
                List<LogSegment> old = new ArrayList<>(group.size());
                for (Source src : group) {
                    src.segment().deleteFiles();
                    old.add(src.segment());
                }
                SegmentSwap.complete(dir, base);
                LogSegment fresh = LogSegment.open(access, dir, base, config, false, nowMs);
                if (fresh.load(config.indexIntervalBytes())) {
                    fresh.onBecomeInactive();
                }
                // the new segment covers the old ones' offsets before they leave the map, so a
                // concurrent reader finds one or the other
                segments.put(base, fresh);
                old.forEach(s -> segments.remove(s.baseOffset(), s));
                retired.addUnlinked(old, nowMs);
                return true;
            } catch (IOException | RuntimeException e) {
                failed = true;
                throw new IOException("Swapping in compacted segment " + base + " of " + partition
                        + " failed half-way; reopening the log completes the swap", e);
            }
        } finally {
            lock.unlock();
        }
    }

    private void finish(long dirtyEnd, long due) throws IOException {
        lock.lock();
        try {
            checkStopped();
            cleanedOffset = Math.min(dirtyEnd, active.get().baseOffset());
            tombstonesDueMs = due;
            CheckpointFiles.writeCleanerCheckpoint(dir, cleanedOffset, tombstonesDueMs);
        } finally {
            lock.unlock();
        }
    }

    /** @throws CancellationException when the log is closing */
    void checkStopped() {
        if (stopped) {
            throw new CancellationException("the log is closing");
        }
    }
}
