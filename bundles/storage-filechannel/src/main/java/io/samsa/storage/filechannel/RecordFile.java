package io.samsa.storage.filechannel;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;

import io.samsa.api.storage.LogSlice;
import io.samsa.api.storage.TimestampOffset;

/**
 * The {@code .log} file of one segment seen as a sequence of record batches (the counterpart
 * of Kafka's FileRecords). Readers see only the first {@link #size()} bytes: the single writer
 * writes past that size and then publishes the new size, so a reader never meets half a batch.
 */
final class RecordFile {

    private final Path file;
    private final FileChannel channel;
    private volatile int size;

    private RecordFile(Path file, FileChannel channel, int size) {
        this.file = file;
        this.channel = channel;
        this.size = size;
    }

    /** Opens (creating when absent) the file; its whole current length counts as written. */
    static RecordFile open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            long length = channel.size();
            if (length > Integer.MAX_VALUE) {
                throw new IOException("Segment file " + file + " is " + length + " bytes, larger than 2 GiB");
            }
            return new RecordFile(file, channel, (int) length);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    Path file() {
        return file;
    }

    /** The published size: every byte below it belongs to a complete batch. */
    int size() {
        return size;
    }

    /** The length of the file on disk, which may exceed {@link #size()} after a crash. */
    long fileLength() throws IOException {
        return channel.size();
    }

    /**
     * Writes {@code buf}'s bytes from {@code start} to {@code end} at the current end without
     * publishing them; the buffer's position and limit are restored afterwards.
     *
     * @return the end position the caller publishes with {@link #commit}
     */
    int write(ByteBuffer buf, int start, int end) throws IOException {
        int position = size;
        int oldPosition = buf.position();
        int oldLimit = buf.limit();
        try {
            buf.limit(end).position(start);
            long at = position;
            while (buf.hasRemaining()) {
                at += channel.write(buf, at);
            }
        } catch (IOException e) {
            // drop whatever part reached the file so the next append overwrites nothing stale
            try {
                channel.truncate(position);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            buf.limit(oldLimit).position(oldPosition);
        }
        return position + (end - start);
    }

    /** Publishes bytes written so far to readers. */
    void commit(int newSize) {
        size = newSize;
    }

    /**
     * Reads {@code dst.remaining()} bytes at {@code position}; false when the file ends first.
     */
    boolean readFully(ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) {
                return false;
            }
            at += n;
        }
        return true;
    }

    /** Reads the fixed batch header at {@code position} into {@code header} (cleared first). */
    boolean readHeader(ByteBuffer header, int position) throws IOException {
        header.clear();
        return readFully(header, position);
    }

    /**
     * Reads a batch header like {@link #readHeader}, failing when it is not a v2 header (the
     * published part of a log holds nothing else).
     */
    boolean readBatchHeader(ByteBuffer header, int pos) throws IOException {
        if (!readHeader(header, pos)) {
            return false;
        }
        if (header.get(BatchHeader.MAGIC) != BatchHeader.MAGIC_V2 || header.getInt(BatchHeader.LENGTH)
                < BatchHeader.SIZE - BatchHeader.LOG_OVERHEAD) {
            throw new CorruptRecordException("Segment " + file + " has no valid v2 batch header at byte " + pos);
        }
        return true;
    }

    /** Decodes the batch at {@code pos} (decompressing if needed) to find a record; not a fetch path. */
    TimestampOffset firstRecordAtOrAfter(int pos, int batchSize, long timestamp, long startingOffset)
            throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(batchSize);
        if (!readFully(bytes, pos)) {
            return null;
        }
        bytes.flip();
        MutableRecordBatch batch = MemoryRecords.readableRecords(bytes).batches().iterator().next();
        for (Record record : batch) {
            if (record.timestamp() >= timestamp && record.offset() >= startingOffset) {
                return new TimestampOffset(record.timestamp(), record.offset(), batch.partitionLeaderEpoch());
            }
        }
        return null;
    }

    /**
     * Checks the batch at {@code pos} as recovery must: framing within {@code limit}, magic 2,
     * base offset at least {@code next}, and the CRC32C over attributes to the end, read in
     * {@code chunk}-sized pieces so a large batch needs no large buffer.
     *
     * @return null when valid (its header is then in {@code header}), else the problem
     */
    String checkBatch(int pos, int limit, long next, ByteBuffer header, ByteBuffer chunk, CRC32C crc)
            throws IOException {
        if (limit - pos < BatchHeader.SIZE || !readHeader(header, pos)) {
            return "only " + (limit - pos) + " bytes left, less than a batch header";
        }
        int length = header.getInt(BatchHeader.LENGTH);
        if (length < BatchHeader.SIZE - BatchHeader.LOG_OVERHEAD || (long) pos + BatchHeader.LOG_OVERHEAD + length > limit) {
            return "batch length " + length + " does not fit the " + (limit - pos) + " bytes left";
        }
        if (header.get(BatchHeader.MAGIC) != BatchHeader.MAGIC_V2) {
            return "magic " + header.get(BatchHeader.MAGIC) + " is not 2";
        }
        long base = header.getLong(BatchHeader.BASE_OFFSET);
        if (base < next || header.getInt(BatchHeader.LAST_OFFSET_DELTA) < 0) {
            return "base offset " + base + " is below the expected " + next;
        }
        crc.reset();
        header.limit(BatchHeader.SIZE).position(BatchHeader.ATTRIBUTES);
        crc.update(header);
        long at = (long) pos + BatchHeader.SIZE;
        long end = (long) pos + BatchHeader.LOG_OVERHEAD + length;
        while (at < end) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), end - at));
            if (!readFully(chunk, at)) {
                return "the file ended inside the batch";
            }
            chunk.flip();
            at += chunk.remaining();
            crc.update(chunk);
        }
        int stored = header.getInt(BatchHeader.CRC);
        if ((int) crc.getValue() != stored) {
            return "CRC32C " + Integer.toUnsignedString((int) crc.getValue()) + " differs from the stored "
                    + Integer.toUnsignedString(stored);
        }
        return null;
    }

    /** Truncates the file to {@code newSize} and publishes that size. */
    void truncate(int newSize) throws IOException {
        size = Math.min(size, newSize);
        channel.truncate(newSize);
        size = newSize;
    }

    void flush() throws IOException {
        channel.force(true);
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    void close() throws IOException {
        channel.close();
    }

    LogSlice slice(int start, int length) {
        return length == 0 ? LogSlice.EMPTY : new Slice(start, length);
    }

    /** Whole batches in [start, start + length), sent to sockets with transferTo. */
    private final class Slice implements LogSlice {
        private final int start;
        private final int length;

        Slice(int start, int length) {
            this.start = start;
            this.length = length;
        }

        @Override
        public int sizeInBytes() {
            return length;
        }

        @Override
        public long transferTo(WritableByteChannel target, long position, long count) throws IOException {
            long n = Math.min(count, length - position);
            if (n <= 0) {
                return 0;
            }
            long written = channel.transferTo(start + position, n, target);
            if (written == 0 && channel.size() < start + position + n) {
                // a follower truncation shrank the file under this slice: fail instead of spinning
                throw new EOFException("Segment file " + file + " was truncated to " + channel.size()
                        + " bytes while sending bytes " + (start + position) + " to " + (start + position + n));
            }
            return written;
        }

        @Override
        public void readInto(ByteBuffer destination, int position) throws IOException {
            int n = Math.min(destination.remaining(), length - position);
            if (n <= 0) {
                return;
            }
            int oldLimit = destination.limit();
            destination.limit(destination.position() + n);
            try {
                if (!readFully(destination, (long) start + position)) {
                    throw new EOFException("Segment file " + file + " ended before byte " + (start + position + n));
                }
            } finally {
                destination.limit(oldLimit);
            }
        }

        @Override
        public String toString() {
            return "LogSlice(" + file.getFileName() + ", " + start + ", " + length + ")";
        }
    }
}
