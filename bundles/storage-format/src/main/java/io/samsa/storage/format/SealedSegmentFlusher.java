package io.samsa.storage.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fsyncs the segments a log seals at a roll on the engine's flusher thread, as Kafka's
 * {@code LogManager} scheduler flushes the old segment after {@code roll}, so that the append
 * which rolled does not wait for the disk. Once a segment and the directory are on disk the
 * recovery point moves to the next segment's base offset ({@link LogCheckpoints#rolled}); until
 * then the recovery point still names an earlier segment and a crash recovers from there, so
 * nothing acknowledged but not yet fsynced is trusted unchecked.
 * <p>
 * Flushes of one log run one after the other in roll order (each is chained to the previous),
 * so the recovery point only moves forward. The log's writer, under its lock, calls
 * {@link #awaitFlushed} before anything that needs every sealed segment on disk or that changes
 * a sealed segment (an explicit flush, a truncation, close); the flusher itself never takes the
 * log's lock, so such a wait cannot deadlock. A failed flush is kept and fails the log's next
 * write ({@link #failure}), which takes the log dir offline as any other disk error does.
 */
final class SealedSegmentFlusher {

    private static final Logger LOG = LoggerFactory.getLogger(SealedSegmentFlusher.class);

    private final TopicPartition partition;
    private final Path dir;
    private final LogCheckpoints checkpoints;
    private final Executor flusher;
    /** The last flush scheduled; replaced by the log's writer only. */
    private CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);
    private volatile IOException failure;

    SealedSegmentFlusher(TopicPartition partition, Path dir, LogCheckpoints checkpoints, Executor flusher) {
        this.partition = partition;
        this.dir = dir;
        this.checkpoints = checkpoints;
        this.flusher = flusher;
    }

    /** The writer sealed {@code sealed}; the segment after it starts at {@code nextBaseOffset}. */
    void sealed(LogSegment sealed, long nextBaseOffset) {
        pending = pending.thenRunAsync(() -> flush(sealed, nextBaseOffset), flusher);
    }

    private void flush(LogSegment sealed, long nextBaseOffset) {
        if (failure != null) {
            return; // the log is failing; a later recovery point would claim what an earlier flush lost
        }
        try {
            sealed.flush();
            CheckpointFiles.flushDir(dir);
            checkpoints.rolled(nextBaseOffset);
        } catch (IOException | RuntimeException e) {
            if (!sealed.isOpen()) {
                // Deleted (retention, compaction) before its flush ran: nothing of it must survive a crash.
                LOG.debug("Segment of {} closed before its flush: {}", partition, e.toString());
                return;
            }
            LOG.error("Flushing a sealed segment of {} in {} failed; the log stops taking writes", partition, dir, e);
            failure = e instanceof IOException io ? io : new IOException(e);
        }
    }

    /** Waits until every segment sealed so far is flushed (or its flush failed). */
    void awaitFlushed() {
        try {
            pending.join();
        } catch (CompletionException e) {
            // flush() catches everything; only a rejected execution could get here
            failure = new IOException("The flush of a sealed segment of " + partition + " did not run", e);
        }
    }

    /** Whether a flush is still under way (for tests). */
    boolean flushing() {
        return !pending.isDone();
    }

    /** The failure of a flush, which the log's writer turns into a storage error; null when none. */
    IOException failure() {
        return failure;
    }
}
