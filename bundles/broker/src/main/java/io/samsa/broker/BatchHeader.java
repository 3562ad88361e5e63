package io.samsa.broker;

import java.nio.ByteBuffer;

/**
 * Field positions of a v2 record batch header (the protocol's layout), read with absolute gets
 * so that no batch object is built on the append path.
 */
final class BatchHeader {
    static final int BASE_OFFSET = 0;
    static final int LENGTH = 8;
    static final int MAGIC = 16;
    static final int ATTRIBUTES = 21;
    static final int LAST_OFFSET_DELTA = 23;
    static final int PRODUCER_ID = 43;
    static final int PRODUCER_EPOCH = 51;
    static final int BASE_SEQUENCE = 53;
    static final int RECORDS_COUNT = 57;
    /** Bytes before the first record. */
    static final int SIZE = 61;
    /** Base offset and length, which the length field does not count. */
    static final int LOG_OVERHEAD = 12;
    /** Enough of the header to read the length and the magic byte. */
    static final int UP_TO_MAGIC = 17;

    private static final int TRANSACTIONAL_FLAG = 0x10;
    private static final int CONTROL_FLAG = 0x20;

    private BatchHeader() {
    }

    static int sizeInBytes(ByteBuffer b, int pos) {
        return b.getInt(pos + LENGTH) + LOG_OVERHEAD;
    }

    static long baseOffset(ByteBuffer b, int pos) {
        return b.getLong(pos + BASE_OFFSET);
    }

    static int lastOffsetDelta(ByteBuffer b, int pos) {
        return b.getInt(pos + LAST_OFFSET_DELTA);
    }

    static long producerId(ByteBuffer b, int pos) {
        return b.getLong(pos + PRODUCER_ID);
    }

    static short producerEpoch(ByteBuffer b, int pos) {
        return b.getShort(pos + PRODUCER_EPOCH);
    }

    static int baseSequence(ByteBuffer b, int pos) {
        return b.getInt(pos + BASE_SEQUENCE);
    }

    /** The last sequence of the batch; sequences wrap from Integer.MAX_VALUE to 0. */
    static int lastSequence(ByteBuffer b, int pos) {
        return addSequence(baseSequence(b, pos), lastOffsetDelta(b, pos));
    }

    static boolean isControl(ByteBuffer b, int pos) {
        return (b.getShort(pos + ATTRIBUTES) & CONTROL_FLAG) != 0;
    }

    static boolean isTransactional(ByteBuffer b, int pos) {
        return (b.getShort(pos + ATTRIBUTES) & TRANSACTIONAL_FLAG) != 0;
    }

    static int addSequence(int sequence, int increment) {
        long next = (long) sequence + increment;
        return next > Integer.MAX_VALUE ? (int) (next - Integer.MAX_VALUE - 1) : (int) next;
    }
}
