package io.samsa.storage.format;

import java.nio.ByteBuffer;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;

import io.samsa.api.storage.LogConfig;

/**
 * Field positions of Kafka's v2 record batch header (DefaultRecordBatch) and the few reads the
 * storage layer needs from it. Only header fields are ever touched; record bytes are opaque.
 */
final class BatchHeader {

    static final int BASE_OFFSET = 0;
    static final int LENGTH = 8;
    static final int PARTITION_LEADER_EPOCH = 12;
    static final int MAGIC = 16;
    static final int CRC = 17;
    static final int ATTRIBUTES = 21;
    static final int LAST_OFFSET_DELTA = 23;
    static final int BASE_TIMESTAMP = 27;
    static final int MAX_TIMESTAMP = 35;
    static final int RECORDS_COUNT = 57;
    static final int RECORDS = 61;

    /** Base offset and length: the framing every log entry starts with. */
    static final int LOG_OVERHEAD = 12;
    /** The whole fixed header; the smallest possible batch (no records). */
    static final int SIZE = RECORDS;
    static final byte MAGIC_V2 = 2;

    private static final int COMPRESSION_MASK = 0x07;
    private static final int LOG_APPEND_TIME_FLAG = 0x08;

    private BatchHeader() {
    }

    /**
     * The total size of the batch starting at {@code pos}, after checking that its header is
     * sane and that it ends by {@code limit}.
     *
     * @throws CorruptRecordException naming the problem when it is not a whole v2 batch
     */
    static int checkedSize(ByteBuffer buf, int pos, int limit) {
        if (limit - pos < SIZE) {
            throw new CorruptRecordException("Record batch at byte " + pos + " is truncated: only "
                    + (limit - pos) + " bytes left, a v2 batch header needs " + SIZE);
        }
        int length = buf.getInt(pos + LENGTH);
        if (length < SIZE - LOG_OVERHEAD || (long) pos + LOG_OVERHEAD + length > limit) {
            throw new CorruptRecordException("Record batch at byte " + pos + " has invalid length " + length
                    + " (" + (limit - pos) + " bytes left)");
        }
        byte magic = buf.get(pos + MAGIC);
        if (magic != MAGIC_V2) {
            throw new CorruptRecordException("Record batch at byte " + pos + " has magic " + magic
                    + "; only v2 record batches are stored");
        }
        if (buf.getInt(pos + LAST_OFFSET_DELTA) < 0) {
            throw new CorruptRecordException("Record batch at byte " + pos + " has a negative last offset delta");
        }
        return LOG_OVERHEAD + length;
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
                long base = baseOffset(buf, p);
                if (p == start ? base != expected : base < expected) {
                    throw new InvalidRecordException("Batch base offset " + base + " for partition " + topicPartition
                            + (p == start ? " does not equal the log end offset " : " is below the expected ") + expected);
                }
                expected = lastOffset(buf, p) + 1;
            }
            p += size;
        }
        if (end - start > cfg.segmentBytes()) {
            throw new RecordBatchTooLargeException("Append of " + (end - start) + " bytes to partition " + topicPartition
                    + " exceeds segment.bytes " + cfg.segmentBytes());
        }
    }

    static long baseOffset(ByteBuffer buf, int pos) {
        return buf.getLong(pos + BASE_OFFSET);
    }

    static int size(ByteBuffer buf, int pos) {
        return LOG_OVERHEAD + buf.getInt(pos + LENGTH);
    }

    static long lastOffset(ByteBuffer buf, int pos) {
        return buf.getLong(pos + BASE_OFFSET) + buf.getInt(pos + LAST_OFFSET_DELTA);
    }

    static long maxTimestamp(ByteBuffer buf, int pos) {
        return buf.getLong(pos + MAX_TIMESTAMP);
    }

    /**
     * The timestamp the indexes record for the batch: its max timestamp, except for a batch the
     * cleaner emptied (kept only for its offsets and producer state), whose header still carries
     * the timestamp of records that are gone; Kafka's DumpLogSegments checks index timestamps
     * against the records, so such a batch counts as having none.
     */
    static long indexedTimestamp(ByteBuffer buf, int pos) {
        return buf.getInt(pos + RECORDS_COUNT) == 0 ? TimeIndex.NO_TIMESTAMP : maxTimestamp(buf, pos);
    }

    /** The last offset of the last of the whole batches in {@code buf[start, end)}. */
    static long lastOffsetOfLast(ByteBuffer buf, int start, int end) {
        long last = -1;
        for (int p = start; p < end; p += size(buf, p)) {
            last = lastOffset(buf, p);
        }
        return last;
    }

    /**
     * The offset of the first record carrying {@code timestamp} in the batch at {@code pos},
     * found by walking the record framing of an uncompressed, create-time batch; otherwise (or
     * when no record matches) the batch's last offset, which is what Kafka's indexes record.
     */
    static long offsetOfTimestamp(ByteBuffer buf, int pos, long timestamp) {
        long last = lastOffset(buf, pos);
        short attributes = buf.getShort(pos + ATTRIBUTES);
        if ((attributes & COMPRESSION_MASK) != 0 || (attributes & LOG_APPEND_TIME_FLAG) != 0) {
            return last;
        }
        long base = baseOffset(buf, pos);
        long baseTimestamp = buf.getLong(pos + BASE_TIMESTAMP);
        int end = pos + size(buf, pos);
        int[] cursor = {pos + RECORDS};
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
