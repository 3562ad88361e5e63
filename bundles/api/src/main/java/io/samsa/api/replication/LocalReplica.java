package io.samsa.api.replication;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.OptionalInt;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.osgi.annotation.versioning.ConsumerType;

import io.samsa.api.storage.AppendResult;
import io.samsa.api.storage.EpochEndOffset;

/**
 * A partition replica this broker holds: its log, high watermark and idempotent producer state,
 * as the replication engine sees them. The broker implements it; the engine decides what to do
 * with it.
 * <p>
 * The writing methods take the partition's lock, so they serialise with the broker's own appends,
 * retention and storage-engine swaps; a disk failure in one of them takes the partition offline
 * (the broker reports it) and is thrown as an {@link IOException}. Reads take no lock.
 */
@ConsumerType
public interface LocalReplica {

    TopicPartition topicPartition();

    Uuid topicId();

    long logStartOffset();

    long logEndOffset();

    /** The latest leader epoch the log holds (of a batch or of an assigned epoch start), if any. */
    OptionalInt latestEpoch();

    /** Where {@code epoch} ends in this log (OffsetForLeaderEpoch's answer for it). */
    EpochEndOffset endOffsetForEpoch(int epoch);

    /** The high watermark: consumers read below it. */
    long highWatermark();

    /**
     * Moves the high watermark to {@code offset}, clipped to the log end offset, and wakes the
     * fetches parked waiting for it. A leader only ever raises it; a follower sets the leader's,
     * which may be below what it had after its log was truncated.
     */
    void updateHighWatermark(long offset);

    /**
     * Appends batches fetched from the leader as they are, keeping their offsets and leader
     * epochs, and records their idempotent producers as the leader did, so that this replica
     * answers a retried batch as a duplicate if it becomes leader.
     *
     * @throws io.samsa.api.storage.FollowerAppendException when a batch is refused (nothing appended)
     */
    AppendResult appendAsFollower(ByteBuffer batches) throws IOException;

    /** Removes every record at or above {@code offset} and rebuilds the producer state from what is left. */
    void truncateTo(long offset) throws IOException;

    /** Empties the log and starts it again at {@code offset}: a follower that fell below the leader's log start. */
    void truncateFullyAndStartAt(long offset) throws IOException;

    /** Records that {@code epoch} starts at {@code offset}, with no record of it yet: a new leader's first act. */
    void assignEpochStartOffset(int epoch, long offset) throws IOException;

    /** Raises the log start offset to {@code offset} when below it: a follower following the leader's DeleteRecords. */
    void maybeIncrementLogStartOffset(long offset) throws IOException;
}
