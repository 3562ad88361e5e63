package io.samsa.storage.format;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * they hold, so a remap or truncation never shows them a half-written entry. Readers pin the
 * mapping for the one search ({@link FileMapping}), so the engine's {@link Unmapper} may unmap
 * a retired mapping as soon as no search uses it; a reader that finds the index closed searches
 * the segment from its start instead.
 */
abstract class SegmentIndex {

    private final Path file;
    private final long baseOffset;
    private final int entrySize;
    private final boolean existed;
    private final boolean lengthValid;
    private final FileMapping mapping;
    private volatile int entries;
    /** Bytes of the file known to have disk blocks behind them (see {@link #mappingForNextEntry}). */
    private int allocated;

    SegmentIndex(Path file, long baseOffset, int entrySize, int maxIndexSize, boolean active, Unmapper unmapper)
            throws IOException {
        this.file = file;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
        this.mapping = new FileMapping(unmapper);
        this.existed = Files.exists(file);
        long length;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            length = ch.size();
        }
        this.lengthValid = length % entrySize == 0 && length <= Integer.MAX_VALUE;
        this.entries = (int) Math.min(length / entrySize, Integer.MAX_VALUE / entrySize);
        this.allocated = entries * entrySize;
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
        return mapping.current().capacity() / entrySize;
    }

    /** The writer's mapping (no pin: only the writer remaps); pair it with {@link #entriesIn}. */
    final MappedByteBuffer writerMapping() {
        return mapping.current().buffer();
    }

    /**
     * The writer's mapping, with disk blocks behind the slot of the next entry. The active index
     * is mapped sparse up to {@code segment.index.bytes}; touching a page the disk cannot back
     * would fault at some later instruction as an InternalError. Allocating the blocks through
     * the channel first, a chunk at a time, turns a full disk into an IOException here instead.
     */
    final MappedByteBuffer mappingForNextEntry() {
        MappedByteBuffer b = mapping.current().buffer();
        int end = (entries + 1) * entrySize;
        if (end > allocated) {
            int target = Math.min(b.capacity(), Math.max(end, allocated + ALLOCATION_STEP));
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                FileChannels.writeZeros(ch, allocated, target);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot extend index " + file + " to " + target + " bytes", e);
            }
            allocated = target;
        }
        return b;
    }

    private static final int ALLOCATION_STEP = 64 * 1024;

    /** The entry count, limited to what {@code mapping} covers. */
    final int entriesIn(ByteBuffer mapping) {
        return Math.min(entries, mapping.capacity() / entrySize);
    }

    /**
     * A reader's search: in the last entry whose key (an int, or a long when {@code longKey}, at
     * {@code keyOffset}) is at most {@code target}, the int at {@code valueOffset}; {@code none}
     * when no entry qualifies or the index is closed.
     */
    final int floorValue(int keyOffset, boolean longKey, long target, int valueOffset, int none) {
        MappedRegion region = mapping.pin();
        if (region == null) {
            return none;
        }
        try {
            ByteBuffer b = region.buffer();
            int slot = floorSlot(b, entriesIn(b), entrySize, keyOffset, longKey, target);
            return slot < 0 ? none : b.getInt(slot * entrySize + valueOffset);
        } finally {
            region.release();
        }
    }

    /** Adds an entry whose bytes the caller has put at slot {@link #entries()}. */
    final void publishAppend() {
        entries = entries + 1;
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
        if (bytes != mapping.current().capacity()) {
            remap(bytes);
        }
    }

    /** Cuts the file to its entries; Kafka's DumpLogSegments reads every entry in the file. */
    final void trimToValidSize() throws IOException {
        int bytes = entries * entrySize;
        if (bytes != mapping.current().capacity()) {
            remap(bytes);
        }
    }

    /** Pins the mapping like a reader: a sealed segment is flushed on the flusher thread, maybe while it is retired. */
    final void flush() {
        MappedRegion region = mapping.pin();
        if (region == null) {
            return; // closed: the index was deleted or the log is closing, which forces it itself
        }
        try {
            region.buffer().force();
        } finally {
            region.release();
        }
    }

    /** Releases the mapping (unmapped once no search pins it). */
    final void close() {
        mapping.close();
    }

    /** Releases the mapping, then unlinks the file: platforms such as Windows keep mapped files. */
    final void deleteFile() throws IOException {
        mapping.close();
        Files.deleteIfExists(file);
    }

    private int capacityFor(int maxIndexSize) {
        return Math.max(entrySize, maxIndexSize - maxIndexSize % entrySize);
    }

    private void remap(int bytes) throws IOException {
        MappedRegion old = mapping.current();
        if (old != null) {
            old.buffer().force();
        }
        allocated = Math.min(allocated, bytes);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() > bytes) {
                // searches pin only for a binary search, so waiting for them costs nothing
                mapping.truncate(ch, bytes, true);
            }
            // mapping read-write grows the file to the requested size (sparse on Linux)
            mapping.map(ch, bytes);
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
