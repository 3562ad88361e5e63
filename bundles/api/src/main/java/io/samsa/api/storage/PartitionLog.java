package io.samsa.api.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The log of one partition: an ordered sequence of v2 record batches in segment files.
 * <p>
 * Threading: the broker serialises calls to {@link #append}, {@link #truncateTo},
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
     * Appends record batches that already carry their offsets (a follower copying its leader).
     * The first batch's base offset must equal {@link #logEndOffset()}.
     */
    AppendResult appendWithOffsets(ByteBuffer batches) throws IOException;

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

    /** Removes every batch at or after {@code offset} (a follower diverging from its leader). */
    void truncateTo(long offset) throws IOException;

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
