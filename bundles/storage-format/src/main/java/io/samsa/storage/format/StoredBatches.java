package io.samsa.storage.format;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;

import io.samsa.api.storage.FollowerAppendException;
import io.samsa.api.storage.FollowerAppendException.Problem;
import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.RecordBatchLayout;

/**
 * The storage layer's own checks and look-ups on v2 batches in a buffer (the layout is
 * {@link RecordBatchLayout}'s): what an append must be before anything is written,
 * and the timestamps and offsets the indexes record. Only header fields are ever touched,
 * except for a follower batch's CRC and to find the record of a timestamp; record bytes are opaque.
 */
final class StoredBatches {

    private StoredBatches() {
    }

    /**
     * The total size of the batch starting at {@code pos}, after checking that its header is
     * sane and that it ends by {@code limit}.
     *
     * @throws CorruptRecordException naming the problem when it is not a whole v2 batch
     */
    static int checkedSize(ByteBuffer buf, int pos, int limit) {
        String problem = RecordBatchLayout.framingProblem(buf, pos, limit);
        if (problem != null) {
            throw new CorruptRecordException("Record batch at byte " + pos + " is " + (problem.startsWith("truncated")
                    ? "" : "invalid: ") + problem);
        }
        return RecordBatchLayout.sizeInBytes(buf, pos);
    }

    /**
     * Checks every batch of a leader's append before anything is modified, so a bad one leaves
     * buffer and log untouched: framing, {@code max.message.bytes}, and the whole append within
     * {@code segment.bytes}. The broker checked CRCs and records already.
     */
    static void checkLeaderAppend(ByteBuffer buf, int start, int end, LogConfig cfg, TopicPartition topicPartition) {
        for (int p = start; p < end; ) {
            int size = checkedSize(buf, p, end);
            if (size > cfg.maxMessageBytes()) {
                throw new RecordTooLargeException("Record batch of " + size + " bytes for partition " + topicPartition
                        + " exceeds max.message.bytes " + cfg.maxMessageBytes());
            }
            p += size;
        }
        checkSegmentFits(start, end, cfg, topicPartition);
    }

    /**
     * Checks every batch of a follower's append before anything is modified, as
     * {@link io.samsa.api.storage.PartitionLog#appendWithOffsets} promises: framing and CRC,
     * offsets that continue the log and each other (with gaps only in a compacted log), and leader
     * epochs that never go below {@code latestEpoch} (-1 when the log has none) or an earlier
     * batch's. The leader's {@code max.message.bytes} was checked where the batch was produced.
     *
     * @throws FollowerAppendException for the first batch that fails
     */
    static void checkFollowerAppend(ByteBuffer buf, int start, int end, long logEndOffset, int latestEpoch,
            LogConfig cfg, TopicPartition topicPartition) {
        long expected = logEndOffset;
        int epochSoFar = latestEpoch;
        CRC32C crc = new CRC32C();
        for (int p = start; p < end; ) {
            String framing = RecordBatchLayout.framingProblem(buf, p, end);
            if (framing != null) {
                throw refused(topicPartition, expected, Problem.CORRUPT_BATCH, "the batch expected at offset " + expected
                        + " (byte " + (p - start) + " of the append) is " + framing);
            }
            int size = RecordBatchLayout.sizeInBytes(buf, p);
            long base = RecordBatchLayout.baseOffset(buf, p);
            String crcProblem = crcProblem(buf, p, size, crc);
            if (crcProblem != null) {
                throw refused(topicPartition, base, Problem.CORRUPT_BATCH, "the batch at offset " + base + " fails its "
                        + crcProblem + "; its bytes are not what the leader wrote, fetch them again");
            }
            if (base < expected || (base > expected && !cfg.compact())) {
                throw refused(topicPartition, base, Problem.OFFSET_MISMATCH, (p == start
                        ? "the first batch starts at offset " + base + ", not at the log end offset " + expected
                        : "the batch at offset " + base + " does not follow the batch before it, which ends at offset "
                                + (expected - 1))
                        + (base > expected ? " (a gap is taken only in a log whose cleanup.policy compacts)" : ""));
            }
            int epoch = RecordBatchLayout.partitionLeaderEpoch(buf, p);
            if (epoch >= 0 && epoch < epochSoFar) {
                throw refused(topicPartition, base, Problem.EPOCH_DECREASED, "the batch at offset " + base
                        + " has leader epoch " + epoch + ", below epoch " + epochSoFar + (p == start
                                ? " which the log already holds; truncate to where the logs diverge first"
                                : " of an earlier batch of the append"));
            }
            epochSoFar = Math.max(epochSoFar, epoch);
            expected = RecordBatchLayout.lastOffset(buf, p) + 1;
            p += size;
        }
        checkSegmentFits(start, end, cfg, topicPartition);
    }

    private static void checkSegmentFits(int start, int end, LogConfig cfg, TopicPartition topicPartition) {
        if (end - start > cfg.segmentBytes()) {
            throw new RecordBatchTooLargeException("Append of " + (end - start) + " bytes to partition " + topicPartition
                    + " exceeds segment.bytes " + cfg.segmentBytes());
        }
    }

    /** Null when the CRC-32C over attributes to the end matches the stored one, else what differs. */
    private static String crcProblem(ByteBuffer buf, int pos, int size, CRC32C crc) {
        crc.reset();
        crc.update(buf.duplicate().limit(pos + size).position(pos + RecordBatchLayout.ATTRIBUTES));
        int stored = RecordBatchLayout.crc(buf, pos);
        return (int) crc.getValue() == stored ? null : "CRC-32C check (computed "
                + Integer.toUnsignedString((int) crc.getValue()) + ", stored " + Integer.toUnsignedString(stored) + ")";
    }

    private static FollowerAppendException refused(TopicPartition topicPartition, long offset, Problem problem,
            String what) {
        return new FollowerAppendException(topicPartition, offset, problem, "Refused the follower append to partition "
                + topicPartition + " (nothing of it was written): " + what);
    }

    /**
     * The timestamp the indexes record for the batch: its max timestamp, except for a batch the
     * cleaner emptied (kept only for its offsets and producer state), whose header still carries
     * the timestamp of records that are gone; Kafka's DumpLogSegments checks index timestamps
     * against the records, so such a batch counts as having none.
     */
    static long indexedTimestamp(ByteBuffer buf, int pos) {
        return RecordBatchLayout.recordsCount(buf, pos) == 0 ? TimeIndex.NO_TIMESTAMP : RecordBatchLayout.maxTimestamp(buf, pos);
    }

    /** The last offset of the last of the whole batches in {@code buf[start, end)}. */
    static long lastOffsetOfLast(ByteBuffer buf, int start, int end) {
        long last = -1;
        for (int p = start; p < end; p += RecordBatchLayout.sizeInBytes(buf, p)) {
            last = RecordBatchLayout.lastOffset(buf, p);
        }
        return last;
    }

    /**
     * The offset of the first record carrying {@code timestamp} in the batch at {@code pos},
     * found by walking the record framing of an uncompressed, create-time batch; otherwise (or
     * when no record matches) the batch's last offset, which is what Kafka's indexes record.
     */
    static long offsetOfTimestamp(ByteBuffer buf, int pos, long timestamp) {
        long last = RecordBatchLayout.lastOffset(buf, pos);
        if (RecordBatchLayout.compression(buf, pos) != 0 || RecordBatchLayout.isLogAppendTime(buf, pos)) {
            return last;
        }
        long base = RecordBatchLayout.baseOffset(buf, pos);
        long baseTimestamp = RecordBatchLayout.baseTimestamp(buf, pos);
        int end = pos + RecordBatchLayout.sizeInBytes(buf, pos);
        int[] cursor = {pos + RecordBatchLayout.RECORDS};
        while (cursor[0] < end) {
            int length = (int) readVarlong(buf, cursor, end);
            int recordStart = cursor[0];
            if (length <= 0 || recordStart + length > end) {
                return last;
            }
            cursor[0]++; // record attributes
            long timestampDelta = readVarlong(buf, cursor, end);
            long offsetDelta = readVarlong(buf, cursor, end);
            if (baseTimestamp + timestampDelta == timestamp) {
                return base + offsetDelta;
            }
            cursor[0] = recordStart + length;
        }
        return last;
    }

    /** Zig-zag varlong as Kafka's ByteUtils writes it; stops at {@code end}. */
    private static long readVarlong(ByteBuffer buf, int[] cursor, int end) {
        long raw = 0;
        int shift = 0;
        while (cursor[0] < end && shift < 64) {
            byte b = buf.get(cursor[0]++);
            raw |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
            shift += 7;
        }
        return -1;
    }
}
