package io.samsa.api.storage;

import java.nio.ByteBuffer;

/**
 * The byte layout of a v2 record batch (magic 2, Kafka's {@code DefaultRecordBatch}), the unit
 * that clients send, the log stores and fetches return, read with absolute big-endian gets so
 * that no batch object is built on the append path. Broker, storage engines and the group
 * coordinator read batch headers only through this class.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Base Offset (int64)                   0   |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Batch Length (int32)                   8   |  bytes after this field
 *  +---------------------------------------------------------------+
 *  |               Partition Leader Epoch (int32)             12   |
 *  +---------------+-----------------------------------------------+
 *  | Magic (int8)16|              CRC-32C (uint32)            17   |  CRC covers 21 .. end
 *  +---------------+---------------+-------------------------------+
 *  |    ...CRC     | Attributes (int16)  21    | Last Offset Delta  |
 *  +---------------+---------------------------+  (int32)     23   |
 *  |                                           |                   |
 *  +-------------------------------------------+-------------------+
 *  |                   Base Timestamp (int64)                 27   |
 *  +---------------------------------------------------------------+
 *  |                   Max Timestamp (int64)                  35   |
 *  +---------------------------------------------------------------+
 *  |                   Producer Id (int64)                    43   |
 *  +-------------------------------+-------------------------------+
 *  | Producer Epoch (int16)   51   | Base Sequence (int32)    53   |
 *  +-------------------------------+-------------------------------+
 *  |                  Records Count (int32)                   57   |
 *  +---------------------------------------------------------------+
 *  |                  Records ...                             61   |
 *  +---------------------------------------------------------------+
 * </pre>
 * Attributes (int16), low bits first:
 * <pre>
 *   bits 0-2  compression: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd
 *   bit  3    timestamp type: 0 create time, 1 log append time
 *   bit  4    transactional
 *   bit  5    control batch (transaction markers; written by the broker only)
 *   bit  6    the base timestamp is the delete horizon (KIP-534, set by the cleaner)
 * </pre>
 * Base offset and batch length are the log's framing ({@link #LOG_OVERHEAD} bytes, not counted
 * by the length); a leader rewrites base offset and partition leader epoch in place, which the
 * CRC does not cover, so the client's bytes are stored as sent. Offsets of a batch are
 * {@code baseOffset .. baseOffset + lastOffsetDelta}; sequences likewise, wrapping after
 * {@link Integer#MAX_VALUE}.
 *
 * @since 1.2
 */
public final class RecordBatchLayout {

    public static final int BASE_OFFSET = 0;
    public static final int LENGTH = 8;
    public static final int PARTITION_LEADER_EPOCH = 12;
    public static final int MAGIC = 16;
    public static final int CRC = 17;
    public static final int ATTRIBUTES = 21;
    public static final int LAST_OFFSET_DELTA = 23;
    public static final int BASE_TIMESTAMP = 27;
    public static final int MAX_TIMESTAMP = 35;
    public static final int PRODUCER_ID = 43;
    public static final int PRODUCER_EPOCH = 51;
    public static final int BASE_SEQUENCE = 53;
    public static final int RECORDS_COUNT = 57;
    public static final int RECORDS = 61;

    /** The fixed header: the smallest possible batch (no records). */
    public static final int HEADER_SIZE = RECORDS;
    /** Base offset and length, which the length does not count. */
    public static final int LOG_OVERHEAD = LENGTH + 4;
    /** Enough of the header to read the length and the magic byte, which older formats share. */
    public static final int UP_TO_MAGIC = MAGIC + 1;
    public static final byte MAGIC_V2 = 2;

    public static final int COMPRESSION_MASK = 0x07;
    public static final int LOG_APPEND_TIME_FLAG = 0x08;
    public static final int TRANSACTIONAL_FLAG = 0x10;
    public static final int CONTROL_FLAG = 0x20;
    public static final int DELETE_HORIZON_FLAG = 0x40;
    /** The compression code of zstd, which produce requests may carry from version 7 on. */
    public static final int ZSTD = 4;

    private RecordBatchLayout() {
    }

    public static long baseOffset(ByteBuffer b, int pos) {
        return b.getLong(pos + BASE_OFFSET);
    }

    /** The whole batch in bytes, framing included. */
    public static int sizeInBytes(ByteBuffer b, int pos) {
        return LOG_OVERHEAD + b.getInt(pos + LENGTH);
    }

    public static int partitionLeaderEpoch(ByteBuffer b, int pos) {
        return b.getInt(pos + PARTITION_LEADER_EPOCH);
    }

    public static byte magic(ByteBuffer b, int pos) {
        return b.get(pos + MAGIC);
    }

    public static int crc(ByteBuffer b, int pos) {
        return b.getInt(pos + CRC);
    }

    public static short attributes(ByteBuffer b, int pos) {
        return b.getShort(pos + ATTRIBUTES);
    }

    public static int compression(ByteBuffer b, int pos) {
        return attributes(b, pos) & COMPRESSION_MASK;
    }

    public static boolean isLogAppendTime(ByteBuffer b, int pos) {
        return (attributes(b, pos) & LOG_APPEND_TIME_FLAG) != 0;
    }

    public static boolean isTransactional(ByteBuffer b, int pos) {
        return (attributes(b, pos) & TRANSACTIONAL_FLAG) != 0;
    }

    public static boolean isControl(ByteBuffer b, int pos) {
        return (attributes(b, pos) & CONTROL_FLAG) != 0;
    }

    public static int lastOffsetDelta(ByteBuffer b, int pos) {
        return b.getInt(pos + LAST_OFFSET_DELTA);
    }

    public static long lastOffset(ByteBuffer b, int pos) {
        return baseOffset(b, pos) + lastOffsetDelta(b, pos);
    }

    public static long baseTimestamp(ByteBuffer b, int pos) {
        return b.getLong(pos + BASE_TIMESTAMP);
    }

    public static long maxTimestamp(ByteBuffer b, int pos) {
        return b.getLong(pos + MAX_TIMESTAMP);
    }

    public static long producerId(ByteBuffer b, int pos) {
        return b.getLong(pos + PRODUCER_ID);
    }

    public static short producerEpoch(ByteBuffer b, int pos) {
        return b.getShort(pos + PRODUCER_EPOCH);
    }

    public static int baseSequence(ByteBuffer b, int pos) {
        return b.getInt(pos + BASE_SEQUENCE);
    }

    /** The last sequence of the batch; sequences wrap from {@link Integer#MAX_VALUE} to 0. */
    public static int lastSequence(ByteBuffer b, int pos) {
        return addSequence(baseSequence(b, pos), lastOffsetDelta(b, pos));
    }

    /** {@code sequence + increment} with Kafka's wrap from {@link Integer#MAX_VALUE} to 0. */
    public static int addSequence(int sequence, int increment) {
        long next = (long) sequence + increment;
        return next > Integer.MAX_VALUE ? (int) (next - Integer.MAX_VALUE - 1) : (int) next;
    }

    public static int recordsCount(ByteBuffer b, int pos) {
        return b.getInt(pos + RECORDS_COUNT);
    }

    /**
     * Checks that the buffer holds, from {@code pos} to at most {@code limit}, a whole v2 batch
     * whose framing is sane: a complete header, a length that fits, magic 2 and a last offset
     * delta that is not negative. Neither the CRC nor the records are read.
     *
     * @return null when it does, else what is wrong (for an error message)
     */
    public static String framingProblem(ByteBuffer b, int pos, int limit) {
        int left = limit - pos;
        if (left < HEADER_SIZE) {
            return "truncated: only " + left + " bytes left, a v2 batch header needs " + HEADER_SIZE;
        }
        return headerProblem(b, pos, left);
    }

    /**
     * Checks a batch header read at {@code pos} of {@code header} (which holds at least
     * {@link #HEADER_SIZE} bytes there) for a batch that has {@code bytesLeft} bytes up to the
     * end of its buffer or file, as {@link #framingProblem} does.
     *
     * @return null when it is sane, else what is wrong
     */
    public static String headerProblem(ByteBuffer header, int pos, long bytesLeft) {
        int length = header.getInt(pos + LENGTH);
        if (length < HEADER_SIZE - LOG_OVERHEAD) {
            return "batch length " + length + " is smaller than the " + HEADER_SIZE + "-byte v2 batch header";
        }
        if (LOG_OVERHEAD + (long) length > bytesLeft) {
            return "truncated: the header says " + (LOG_OVERHEAD + (long) length) + " bytes but only " + bytesLeft
                    + " are left";
        }
        byte magic = header.get(pos + MAGIC);
        if (magic != MAGIC_V2) {
            return "magic " + magic + " is not 2 (only v2 record batches are supported)";
        }
        if (header.getInt(pos + LAST_OFFSET_DELTA) < 0) {
            return "negative last offset delta " + header.getInt(pos + LAST_OFFSET_DELTA);
        }
        return null;
    }
}
