package io.samsa.api.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.OptionalInt;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The log of one partition: an ordered sequence of v2 record batches in segment files.
 * <p>
 * Threading: the broker serialises calls to {@link #append}, {@link #appendWithOffsets},
 * {@link #truncateTo}, {@link #truncateFullyAndStartAt}, {@link #assignEpochStartOffset},
 * {@link #deleteRecordsBefore}, {@link #enforceRetention} and {@link #close} for one log; reads
 * ({@link #read}, {@link #offsetForTimestamp}, the offset accessors) may run concurrently with
 * them and with each other, and must see either the state before or after an append.
 */
@ConsumerType
public interface PartitionLog extends Closeable {

    TopicPartition topicPartition();

    /** The first offset still in the log (advanced by retention and DeleteRecords). */
    long logStartOffset();

    /** The offset the next appended record will get. */
    long logEndOffset();

    /** Total bytes of all segment {@code .log} files. */
    long sizeInBytes();

    /**
     * The end of {@code epoch} in this log, from its leader-epoch checkpoint, with Kafka's
     * semantics: the latest epoch ends at {@link #logEndOffset()}; an earlier one at the start
     * of the next epoch, reported under the largest known epoch at or below {@code epoch}; an
     * epoch beyond the latest, or -1, is {@link EpochEndOffset#UNDEFINED}.
     * <p>
     * The default, for engines that keep no leader epochs, answers {@link EpochEndOffset#UNDEFINED},
     * which makes clients skip their truncation check rather than act on a wrong offset.
     *
     * @since 1.1
     */
    default EpochEndOffset endOffsetForEpoch(int epoch) {
        return EpochEndOffset.UNDEFINED;
    }

    /**
     * Appends record batches as the leader: offsets are assigned from {@link #logEndOffset()} by
     * rewriting each batch's base offset and partition leader epoch in place (neither is covered
     * by the batch CRC); record bytes are not otherwise touched.
     * <p>
     * The caller has validated every batch (magic 2, CRC, sizes) and owns {@code batches} until
     * the call returns; the buffer's position..limit holds one or more complete batches.
     *
     * @param batches     complete v2 record batches, modified in place
     * @param leaderEpoch written into each batch's partition leader epoch field
     * @return the offsets and timestamps assigned
     * @throws IOException on a write error; nothing of this call is then visible to readers
     */
    AppendResult append(ByteBuffer batches, int leaderEpoch) throws IOException;

    /**
     * Appends record batches that already carry their offsets and leader epochs, byte for byte
     * as received (a follower copying its leader); each batch's leader epoch is recorded in the
     * log's epoch checkpoint.
     * <p>
     * The call is all or nothing: before anything is written every batch is checked, and the
     * first that fails refuses the whole call with a {@link FollowerAppendException} naming the
     * partition and the batch's offset:
     * <ul>
     * <li>framing and CRC-32C ({@link FollowerAppendException.Problem#CORRUPT_BATCH});</li>
     * <li>offsets ({@link FollowerAppendException.Problem#OFFSET_MISMATCH}): the first batch
     *     starts at {@link #logEndOffset()} and each later one right after the last offset of
     *     the one before it. A log whose {@code cleanup.policy} compacts also takes a batch that
     *     starts later, since the leader's cleaner may have removed the offsets in between;</li>
     * <li>leader epochs ({@link FollowerAppendException.Problem#EPOCH_DECREASED}): no batch
     *     has an epoch below the log's {@link #latestEpoch()} or below an earlier batch of the
     *     call. Batches with a negative epoch (never stamped by a leader) are exempt.</li>
     * </ul>
     * A follower whose log diverged from the leader's truncates it ({@link #truncateTo}) first.
     *
     * @throws FollowerAppendException when a batch is refused; nothing of the call is appended
     * @throws IOException             on a write error; nothing of this call is then visible to readers
     */
    AppendResult appendWithOffsets(ByteBuffer batches) throws IOException;

    /**
     * The latest leader epoch in the log's epoch checkpoint: that of the last batch with a
     * leader epoch, or a later one started by {@link #assignEpochStartOffset}; empty when there
     * is none. A follower sends it as the last fetched epoch, from which its leader finds where
     * the two logs diverge. The default, for engines that keep no leader epochs, is empty.
     *
     * @since 1.4
     */
    default OptionalInt latestEpoch() {
        return OptionalInt.empty();
    }

    /**
     * Records that leader epoch {@code epoch} starts at {@code offset}, the log end offset,
     * before any batch of it is written: a broker that becomes leader does this at once, so that
     * it can answer where its epochs end (to followers that hold batches of an epoch it never
     * saw) even before its first append (KIP-101, KIP-279). The entry is durable when the call
     * returns: it survives a close and a crash, and stays until a truncation below it
     * ({@link #truncateTo}, {@link #truncateFullyAndStartAt}). Assigning the latest epoch again
     * changes nothing. The default, for engines that keep no leader epochs, does nothing.
     *
     * @throws IllegalArgumentException when {@code epoch} is negative or below the latest epoch,
     *                                  or {@code offset} is not the log end offset
     * @since 1.4
     */
    default void assignEpochStartOffset(int epoch, long offset) throws IOException {
    }

    /**
     * Reads whole batches starting with the batch that contains {@code offset}.
     *
     * @param offset       the fetch offset; {@link #logEndOffset()} gives an empty slice
     * @param maxBytes     an upper bound on the slice's size, except that the first batch is
     *                     returned whole even when it is larger (so a consumer always progresses)
     * @param maxOffset    batches whose base offset is at or beyond this are not returned
     *                     (the high watermark, for consumers)
     * @throws OffsetOutOfRangeException when {@code offset} is before the log start offset or
     *                                   after the log end offset
     */
    LogSlice read(long offset, int maxBytes, long maxOffset) throws IOException;

    /**
     * The first offset whose record timestamp is at or after {@code timestamp} (found through the
     * time index), or {@code null} when no record is that late.
     */
    TimestampOffset offsetForTimestamp(long timestamp) throws IOException;

    /** The offset and timestamp of the record with the largest timestamp, or null when empty. */
    TimestampOffset maxTimestamp() throws IOException;

    /**
     * Removes every batch at or after {@code offset} (a follower diverging from its leader), and
     * the leader epochs that start at or after the new log end. A batch holding {@code offset}
     * goes whole, so the new log end offset may be below {@code offset}. Even when nothing is
     * removed ({@code offset} at or beyond the log end) an epoch that starts at the log end with
     * no batch yet goes: the broker started it as leader and another leader's log now decides
     * (as Kafka's truncateTo).
     */
    void truncateTo(long offset) throws IOException;

    /**
     * Removes every segment and starts the log again, empty, at {@code offset}, which becomes
     * both its start and its end offset: a follower whose log ends below its leader's log start
     * offset (or is otherwise out of the leader's range) starts over there. The leader epochs,
     * indexes and the other checkpoints start over with it. Durable when the call returns; a
     * crash during the call leaves a log that opens either as a prefix of the old one or as the
     * new empty one. The default, for engines that cannot, throws {@link UnsupportedOperationException}.
     *
     * @throws IllegalArgumentException when {@code offset} is negative
     * @since 1.4
     */
    default void truncateFullyAndStartAt(long offset) throws IOException {
        throw new UnsupportedOperationException("The log of " + topicPartition() + " (" + getClass().getName()
                + ") cannot start over at an offset; use a storage engine that implements storage API 1.4");
    }

    /**
     * Advances the log start offset to {@code offset} (the DeleteRecords API); segments wholly
     * below it are deleted.
     *
     * @return the new log start offset
     */
    long deleteRecordsBefore(long offset) throws IOException;

    /**
     * Rolls the active segment when it is older than {@code segment.ms}, and deletes segments
     * past {@code retention.ms} or beyond {@code retention.bytes}.
     *
     * @return the number of segments deleted
     */
    int enforceRetention(long nowMs) throws IOException;

    /**
     * Starts compacting the sealed segments, as {@link #enforceRetention} does, when
     * {@code cleanup.policy} contains {@code compact} and the log is dirty enough; nothing else.
     * The broker calls it every {@code log.cleaner.backoff.ms}, so compaction need not wait for
     * the next retention check. A writer (see the threading above). The default does nothing.
     *
     * @since 1.3
     */
    default void startCleaningIfDue(long nowMs) throws IOException {
    }

    /** Forces written data to disk. */
    void flush() throws IOException;

    /** Applies a new configuration; takes effect for the next append or retention check. */
    void updateConfig(LogConfig config);

    LogConfig config();

    /** Closes the log and deletes its directory with every file in it. */
    void delete() throws IOException;

    /** Flushes and closes the log, writing a clean-shutdown marker. */
    @Override
    void close() throws IOException;
}
