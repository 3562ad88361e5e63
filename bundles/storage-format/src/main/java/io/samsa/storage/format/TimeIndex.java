package io.samsa.storage.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A segment's {@code .timeindex} file in Kafka's TimeIndex format: 12-byte entries of an 8-byte
 * timestamp and the 4-byte relative offset of the last offset of the batch that first reached
 * that timestamp. Timestamps strictly increase; the last slot is kept for the entry written
 * when the segment is rolled or closed.
 */
final class TimeIndex extends SegmentIndex {

    static final int ENTRY_SIZE = 12;
    static final long NO_TIMESTAMP = -1L;

    TimeIndex(Path file, long baseOffset, int maxIndexSize, boolean active, Unmapper unmapper) throws IOException {
        super(file, baseOffset, ENTRY_SIZE, maxIndexSize, active, unmapper);
    }

    boolean isFull() {
        return entries() >= maxEntries() - 1;
    }

    /** Adds an entry when {@code timestamp} is larger than the last one and there is room. */
    void maybeAppend(long timestamp, long offset, boolean onRollOrClose) {
        if (timestamp <= lastTimestamp() || entries() >= maxEntries() || (!onRollOrClose && isFull())) {
            return;
        }
        ByteBuffer b = mappingForNextEntry();
        int at = entries() * ENTRY_SIZE;
        b.putLong(at, timestamp);
        b.putInt(at + 8, (int) (offset - baseOffset()));
        publishAppend();
    }

    /**
     * The offset of the last entry whose timestamp is at most {@code timestamp}, or the base
     * offset when there is none: records before it are all earlier than {@code timestamp}.
     */
    long lookup(long timestamp) {
        return baseOffset() + floorValue(0, true, timestamp, 8, 0);
    }

    long lastTimestamp() {
        ByteBuffer b = writerMapping();
        int n = entriesIn(b);
        return n == 0 ? NO_TIMESTAMP : b.getLong((n - 1) * ENTRY_SIZE);
    }

    /** The last entry's offset, or -1 when empty. */
    long lastOffset() {
        ByteBuffer b = writerMapping();
        int n = entriesIn(b);
        return n == 0 ? -1 : baseOffset() + b.getInt((n - 1) * ENTRY_SIZE + 8);
    }

    /** Drops the entries for offsets at or after {@code offset}. */
    void truncateToOffset(long offset) {
        ByteBuffer b = writerMapping();
        truncateToEntries(floorSlot(b, entriesIn(b), ENTRY_SIZE, 8, false, offset - 1 - baseOffset()) + 1);
    }

    /** True when timestamps strictly increase, offsets do not decrease and none is below the base. */
    boolean entriesOrdered() {
        ByteBuffer b = writerMapping();
        int n = entriesIn(b);
        for (int i = 1; i < n; i++) {
            int at = i * ENTRY_SIZE;
            if (b.getLong(at) <= b.getLong(at - ENTRY_SIZE) || b.getInt(at + 8) < b.getInt(at - ENTRY_SIZE + 8)) {
                return false;
            }
        }
        return n == 0 || b.getInt(8) >= 0;
    }
}
