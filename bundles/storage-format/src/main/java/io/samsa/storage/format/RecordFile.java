package io.samsa.storage.format;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import io.samsa.api.storage.LogSlice;

/**
 * The {@code .log} file of one segment as an engine reaches it: appending bytes, reading them
 * back, sending a region to a channel, truncating, flushing. What the bytes mean (batches,
 * offsets, indexes) is {@link LogSegment}'s business; an engine only moves them. Every engine
 * keeps the file open as a {@code FileChannel} ({@link FileChannels#openRecordFile}), which
 * stays open after the file is unlinked until {@link #close()}.
 * <p>
 * Readers see only the first {@link #size()} bytes: the single writer writes past that size and
 * then publishes the new size ({@link #commit}), so a reader never meets half a batch.
 */
public abstract class RecordFile implements Closeable {

    /** Opens (creating when absent) a segment's record file; its whole length counts as written. */
    @FunctionalInterface
    public interface Opener {
        /**
         * @param segmentBytes the log's {@code segment.bytes} when the segment is opened, a hint
         *                     for engines that reserve space ahead of appends
         */
        RecordFile open(Path file, int segmentBytes) throws IOException;
    }

    private final Path file;
    private final FileChannel channel;
    private volatile int size;

    /** Takes over {@code channel}; the file's whole length counts as written. */
    protected RecordFile(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        this.size = (int) channel.size();
    }

    protected final FileChannel channel() {
        return channel;
    }

    public final Path file() {
        return file;
    }

    /** The published size: every byte below it belongs to a complete batch. */
    public final int size() {
        return size;
    }

    /** Publishes the bytes written below {@code newSize} to readers, or forgets those above it. */
    protected final void commit(int newSize) {
        size = newSize;
    }

    /** The length of the file on disk, which may exceed {@link #size()} (a crash, reserved space). */
    final long fileLength() throws IOException {
        return channel.size();
    }

    /**
     * Writes {@code buf}'s bytes from {@code start} to {@code end} at {@link #size()} without
     * publishing them; {@code buf}'s position and limit are left as they were. On failure no
     * written byte may be left where a later append would not overwrite it.
     *
     * @return the end position the caller publishes with {@link #commit}
     */
    protected abstract int write(ByteBuffer buf, int start, int end) throws IOException;

    /**
     * Reads {@code dst.remaining()} bytes at {@code position}, published or not.
     *
     * @return false when the file ends first
     */
    protected abstract boolean read(ByteBuffer dst, long position) throws IOException;

    /**
     * Sends up to {@code count} published bytes at {@code position}; may send less when the
     * target is full. Throws {@link java.io.EOFException} when a truncation removed them.
     */
    protected abstract long transferTo(long position, long count, WritableByteChannel target) throws IOException;

    /** Cuts the file to {@code newSize} and publishes that size. */
    protected abstract void truncate(int newSize) throws IOException;

    /** The segment stops taking appends (rolled or closing): give back space reserved for them. */
    protected void seal() throws IOException {
    }

    /** Forces written bytes to the disk. */
    protected abstract void flush() throws IOException;

    /**
     * Unlinks the file. Slices already handed out must stay readable until {@link #close()}
     * (Kafka's {@code file.delete.delay.ms}).
     */
    protected void deleteFile() throws IOException {
        Files.deleteIfExists(file);
    }

    final boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    final LogSlice slice(int start, int length) {
        return length == 0 ? LogSlice.EMPTY : new RecordSlice(this, start, length);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + file.getFileName() + ", " + size + " bytes)";
    }
}
