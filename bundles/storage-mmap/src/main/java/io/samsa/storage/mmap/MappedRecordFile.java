package io.samsa.storage.mmap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

import io.samsa.storage.format.FileChannels;
import io.samsa.storage.format.FileMapping;
import io.samsa.storage.format.MappedRegion;
import io.samsa.storage.format.RecordFile;
import io.samsa.storage.format.Unmapper;

/**
 * A segment's {@code .log} file written and read through one memory mapping.
 * <p>
 * <b>Layout.</b> The whole file is mapped read-write from byte 0 as a single region. The active
 * segment's region runs ahead of its data, so an append is one memory copy: when it fills, a
 * larger region is mapped (doubling from {@link #MIN_GROWTH}, at most {@link #MAX_GROWTH} more
 * at a time, never past {@code segment.bytes} unless one append needs it) and the old one is
 * retired. Mapping extends the file, sparse where the file system allows; sealing the segment
 * (roll, close) trims the file to its data, so a closed log is Kafka's format byte for byte, and
 * after a crash the zero tail is cut by recovery like any torn tail. One region rather than
 * fixed-size chunks: a read is then always one contiguous {@code ByteBuffer} slice, written to
 * the socket in one call, and batch headers and CRC checks never straddle chunk boundaries; a
 * remap costs one system call per growth step, and the pages stay in the page cache.
 * <p>
 * <b>Unmapping.</b> Regions are unmapped explicitly ({@link UnsafeUnmapper}) when the segment
 * grows, is sealed, truncated, deleted or closed, so deleted segments give back their disk
 * space at once and the file can be truncated or deleted where mapped files cannot be
 * (Windows). Every read pins the current region for that one operation ({@link MappedRegion});
 * a retired region is unmapped when its last pin is released, so no reader ever touches
 * unmapped memory. A slice is not a pin (a {@code LogSlice} has no close): each send or copy
 * pins whatever region is current, and when there is none (the segment was deleted, or is
 * being truncated) it reads through the channel, which stays open until the log closes the
 * segment, as in the FileChannel engine. Truncation waits (bounded) for in-flight reads of the
 * old region before it cuts the file, so they do not fault on the cut bytes.
 * <p>
 * A full disk surfaces when a page of the sparse tail is first written, as the fault
 * {@code MappedByteBuffer} reports for an inaccessible region, rather than as an IOException.
 */
final class MappedRecordFile extends RecordFile {

    static final int MIN_GROWTH = 1 << 20;
    static final int MAX_GROWTH = 64 << 20;

    private final FileMapping mapping;
    private final int segmentBytes;
    /** Bytes below this were forced to disk; the writer's alone. */
    private int flushedSize;
    /** The file's length changed since the last flush, so its metadata needs an fsync too. */
    private boolean lengthChanged;
    /**
     * Raised before a truncation cuts the file: a send through the channel that moved nothing
     * tells a cut from a full socket by it, since the file's length alone does not (the next
     * append maps space beyond the data again).
     */
    private volatile int truncations;

    private MappedRecordFile(Path file, FileChannel channel, int segmentBytes, Unmapper unmapper) throws IOException {
        super(file, channel);
        this.segmentBytes = segmentBytes;
        this.mapping = new FileMapping(unmapper);
        this.flushedSize = size();
    }

    /** Opens (creating when absent) and maps the file; its whole current length counts as written. */
    static MappedRecordFile open(Path file, int segmentBytes, Unmapper unmapper) throws IOException {
        FileChannel channel = FileChannels.openRecordFile(file);
        try {
            MappedRecordFile log = new MappedRecordFile(file, channel, segmentBytes, unmapper);
            log.mapping.map(channel, log.size());
            return log;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    protected int write(ByteBuffer buf, int start, int end) throws IOException {
        int position = size();
        int length = end - start;
        writableFor(position + length).put(position, buf, start, length);
        return position + length;
    }

    /** The current region, first grown to hold {@code needed} bytes. */
    private MappedByteBuffer writableFor(int needed) throws IOException {
        MappedRegion region = mapping.current();
        int capacity = region == null ? 0 : region.capacity();
        if (region != null && capacity >= needed) {
            return region.buffer();
        }
        long grown = (long) capacity + Math.max(MIN_GROWTH, Math.min(capacity, MAX_GROWTH));
        long target = Math.min(Integer.MAX_VALUE, Math.max(needed, Math.min(grown, segmentBytes)));
        lengthChanged = true;
        // Real disk blocks before the pages are mapped: a full disk fails here with an
        // IOException, where a sparse page would fault later as an InternalError.
        FileChannels.writeZeros(channel(), channel().size(), target);
        return mapping.map(channel(), (int) target);
    }

    @Override
    protected boolean read(ByteBuffer dst, long position) throws IOException {
        MappedRegion region = mapping.pin();
        if (region == null) {
            return FileChannels.readFully(channel(), dst, position);
        }
        try {
            int n = dst.remaining();
            if (position + n > region.capacity()) {
                return false;
            }
            dst.put(dst.position(), region.buffer(), (int) position, n);
            dst.position(dst.position() + n);
            return true;
        } finally {
            region.release();
        }
    }

    @Override
    protected long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        int truncationsBefore = truncations;
        MappedRegion region = mapping.pin();
        if (region == null) {
            // deleted, or being truncated or sealed: the channel still reaches the bytes
            long written = channel().transferTo(position, count, target);
            if (written == 0 && (truncations != truncationsBefore || position + count > size())) {
                throw FileChannels.truncatedUnder(file(), size(), position, count);
            }
            return written;
        }
        try {
            // checked under the pin: a truncation lowers the size before it retires the region
            if (position + count > size()) {
                throw FileChannels.truncatedUnder(file(), size(), position, count);
            }
            return target.write(region.buffer().slice((int) position, (int) count));
        } finally {
            region.release();
        }
    }

    @Override
    protected void truncate(int newSize) throws IOException {
        truncations++; // the writer's alone: no lost update
        commit(Math.min(size(), newSize));
        mapping.truncate(channel(), newSize, true);
        mapping.map(channel(), newSize);
        commit(newSize);
        flushedSize = Math.min(flushedSize, newSize);
        lengthChanged = true;
    }

    /** Gives back the space mapped ahead of the data. */
    @Override
    protected void seal() throws IOException {
        int size = size();
        if (channel().size() > size) {
            // nothing published lies beyond size, so readers need not be waited for
            mapping.truncate(channel(), size, false);
            mapping.map(channel(), size);
            lengthChanged = true;
        }
    }

    @Override
    protected void flush() throws IOException {
        int size = size();
        if (size > flushedSize) {
            // pinned like a read: a sealed segment is flushed on the flusher thread, maybe while it is retired
            MappedRegion region = mapping.pin();
            if (region != null) {
                try {
                    region.buffer().force(flushedSize, size - flushedSize);
                } finally {
                    region.release();
                }
            }
        }
        flushedSize = size;
        if (lengthChanged) {
            channel().force(true);
            lengthChanged = false;
        }
    }

    /** Unmaps (once no read pins the region) before unlinking; later reads use the channel. */
    @Override
    protected void deleteFile() throws IOException {
        mapping.close();
        super.deleteFile();
    }

    @Override
    public void close() throws IOException {
        mapping.close();
        super.close();
    }
}
