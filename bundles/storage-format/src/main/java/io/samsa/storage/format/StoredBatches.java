package io.samsa.storage.format;

import java.nio.ByteBuffer;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;

import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.RecordBatchLayout;

/**
 * The storage layer's own checks and look-ups on v2 batches in a buffer (the layout is
 * {@link RecordBatchLayout}'s): the framing an append must have before anything is written,
 * and the timestamps and offsets the indexes record. Only header fields are ever touched,
 * except to find the record of a timestamp; record bytes are opaque.
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
     * Checks every batch of an append before anything is modified, so a bad one leaves buffer and
     * log untouched: framing, {@code max.message.bytes} for a leader's append, offsets that
     * continue the log for a follower's, and the whole append within {@code segment.bytes}.
     */
    static void checkAppend(ByteBuffer buf, int start, int end, boolean assignOffsets, long logEndOffset,
            LogConfig cfg, TopicPartition topicPartition) {
        long expected = logEndOffset;
        for (int p = start; p < end; ) {
            int size = checkedSize(buf, p, end);
            if (assignOffsets && size > cfg.maxMessageBytes()) {
                throw new RecordTooLargeException("Record batch of " + size + " bytes for partition " + topicPartition
                        + " exceeds max.message.bytes " + cfg.maxMessageBytes());
            }
            if (!assignOffsets) {
                long base = RecordBatchLayout.baseOffset(buf, p);
                if (p == start ? base != expected : base < expected) {
                    throw new InvalidRecordException("Batch base offset " + base + " for partition " + topicPartition
                            + (p == start ? " does not equal the log end offset " : " is below the expected ") + expected);
                }
                expected = RecordBatchLayout.lastOffset(buf, p) + 1;
            }
            p += size;
        }
        if (end - start > cfg.segmentBytes()) {
            throw new RecordBatchTooLargeException("Append of " + (end - start) + " bytes to partition " + topicPartition
                    + " exceeds segment.bytes " + cfg.segmentBytes());
        }
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
