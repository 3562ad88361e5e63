package io.samsa.storage.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A segment's {@code .index} file in Kafka's OffsetIndex format: 8-byte entries of a 4-byte
 * offset relative to the segment's base offset and the 4-byte file position of a batch, where
 * the offset is that batch's last offset (what Kafka's DumpLogSegments checks).
 */
final class OffsetIndex extends SegmentIndex {

    static final int ENTRY_SIZE = 8;

    OffsetIndex(Path file, long baseOffset, int maxIndexSize, boolean active, Unmapper unmapper) throws IOException {
        super(file, baseOffset, ENTRY_SIZE, maxIndexSize, active, unmapper);
    }

    boolean isFull() {
        return entries() >= maxEntries();
    }

    void append(long offset, int position) {
        ByteBuffer b = mappingForNextEntry();
        int at = entries() * ENTRY_SIZE;
        b.putInt(at, (int) (offset - baseOffset()));
        b.putInt(at + 4, position);
        publishAppend();
    }

    /** The position of the last indexed batch whose last offset is at most {@code offset}; 0 when none. */
    int lookup(long offset) {
        return floorValue(0, false, offset - baseOffset(), 4, 0);
    }

    /** The largest indexed batch position at most {@code position}; 0 when none. */
    int floorPosition(long position) {
        return floorValue(4, false, position, 4, 0);
    }

    /** The last entry's offset, or -1 when empty. */
    long lastOffset() {
        ByteBuffer b = writerMapping();
        int n = entriesIn(b);
        return n == 0 ? -1 : baseOffset() + b.getInt((n - 1) * ENTRY_SIZE);
    }

    /** The last entry's position, or 0 when empty. */
    int lastPosition() {
        ByteBuffer b = writerMapping();
        int n = entriesIn(b);
        return n == 0 ? 0 : b.getInt((n - 1) * ENTRY_SIZE + 4);
    }

    /** Drops the entries pointing at or after file position {@code position}. */
    void truncateToPosition(int position) {
        ByteBuffer b = writerMapping();
        truncateToEntries(floorSlot(b, entriesIn(b), ENTRY_SIZE, 4, false, position - 1L) + 1);
    }

    /** True when offsets and positions strictly increase and the last offset is not below the base. */
    boolean entriesOrdered() {
        ByteBuffer b = writerMapping();
        int n = entriesIn(b);
        for (int i = 1; i < n; i++) {
            int at = i * ENTRY_SIZE;
            if (b.getInt(at) <= b.getInt(at - ENTRY_SIZE) || b.getInt(at + 4) <= b.getInt(at - ENTRY_SIZE + 4)) {
                return false;
            }
        }
        return n == 0 || (b.getInt(0) >= 0 && b.getInt(4) >= 0);
    }
}
