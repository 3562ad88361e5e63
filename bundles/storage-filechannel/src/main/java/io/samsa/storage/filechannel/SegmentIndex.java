package io.samsa.storage.filechannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A memory-mapped index file of fixed-size big-endian entries sorted by key, like Kafka's
 * AbstractIndex. The active segment's index is preallocated to {@code segment.index.bytes} and
 * trimmed to its entries when the segment stops being active, since Kafka's tools take every
 * entry of the file as real.
 * <p>
 * One writer appends; readers search without locks. The writer fills an entry before it
 * raises the volatile entry count, and readers read the count once and clamp it to the mapping
 * they hold, so a remap or truncation never shows them a half-written or unmapped entry.
 * Mappings are not unmapped explicitly: a reader may still hold one, and the garbage collector
 * releases it once no one does.
 */
abstract class SegmentIndex {

    private final Path file;
    private final long baseOffset;
    private final int entrySize;
    private final boolean existed;
    private final boolean lengthValid;
    private volatile MappedByteBuffer buffer;
    private volatile int entries;

    SegmentIndex(Path file, long baseOffset, int entrySize, int maxIndexSize, boolean active) throws IOException {
        this.file = file;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
        this.existed = Files.exists(file);
        long length;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            length = ch.size();
        }
        this.lengthValid = length % entrySize == 0 && length <= Integer.MAX_VALUE;
        this.entries = (int) Math.min(length / entrySize, Integer.MAX_VALUE / entrySize);
        remap(active ? Math.max(capacityFor(maxIndexSize), entries * entrySize) : entries * entrySize);
    }

    final Path file() {
        return file;
    }

    final long baseOffset() {
        return baseOffset;
    }

    /** True when the file was there before this index opened it. */
    final boolean existed() {
        return existed;
    }

    /** False when the file length is not a whole number of entries. */
    final boolean lengthValid() {
        return lengthValid;
    }

    final int entries() {
        return entries;
    }

    final int maxEntries() {
        return buffer.capacity() / entrySize;
    }

    /** The mapping to read; pair it with {@link #entriesIn(ByteBuffer)}. */
    final ByteBuffer mapping() {
        return buffer;
    }

    /** The entry count, limited to what {@code mapping} covers. */
    final int entriesIn(ByteBuffer mapping) {
        return Math.min(entries, mapping.capacity() / entrySize);
    }

    /** Adds an entry whose bytes the caller has put at slot {@link #entries()}. */
    final void publishAppend() {
        entries = entries + 1;
    }

    final MappedByteBuffer writableMapping() {
        return buffer;
    }

    /** Forgets entries from {@code newEntries} on. */
    final void truncateToEntries(int newEntries) {
        if (newEntries < entries) {
            entries = Math.max(0, newEntries);
        }
    }

    final void reset() {
        entries = 0;
    }

    /** Remaps the file to {@code maxIndexSize} so the segment can take appends again. */
    final void resizeForAppends(int maxIndexSize) throws IOException {
        int bytes = Math.max(capacityFor(maxIndexSize), entries * entrySize);
        if (bytes != buffer.capacity()) {
            remap(bytes);
        }
    }

    /** Cuts the file to its entries; Kafka's DumpLogSegments reads every entry in the file. */
    final void trimToValidSize() throws IOException {
        int bytes = entries * entrySize;
        if (bytes != buffer.capacity()) {
            remap(bytes);
        }
    }

    final void flush() {
        buffer.force();
    }

    final void deleteFile() throws IOException {
        Files.deleteIfExists(file);
    }

    private int capacityFor(int maxIndexSize) {
        return Math.max(entrySize, maxIndexSize - maxIndexSize % entrySize);
    }

    private void remap(int bytes) throws IOException {
        MappedByteBuffer old = buffer;
        if (old != null) {
            old.force();
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() > bytes) {
                ch.truncate(bytes);
            }
            // mapping read-write grows the file to the requested size (sparse on Linux)
            buffer = ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes);
        }
    }

    /**
     * The largest slot among the first {@code n} whose key (an int or long at {@code keyOffset}
     * in the entry) is at most {@code target}, or -1 when even the first key is larger.
     */
    static int floorSlot(ByteBuffer b, int n, int entrySize, int keyOffset, boolean longKey, long target) {
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int at = mid * entrySize + keyOffset;
            long key = longKey ? b.getLong(at) : b.getInt(at);
            if (key <= target) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
