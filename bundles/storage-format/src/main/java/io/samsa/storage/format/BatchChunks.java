package io.samsa.storage.format;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

import org.apache.kafka.common.errors.CorruptRecordException;

import io.samsa.api.storage.RecordBatchLayout;

/**
 * A sealed segment's published bytes read front to back in heap buffers of whole batches, for
 * the cleaner: large reads rather than one per batch, and a batch larger than the buffer gets a
 * buffer of its own size. Each buffer is reused by the next call.
 */
final class BatchChunks {

    static final int CHUNK_BYTES = 1 << 20;

    private final RecordFile file;
    private final int end;
    private int position;
    private ByteBuffer buffer;

    /** Reads {@code file}'s bytes {@code [0, size)}; {@code size} was its published size. */
    BatchChunks(RecordFile file, int size) {
        this.file = file;
        this.end = size;
        this.buffer = ByteBuffer.allocate(Math.min(CHUNK_BYTES, Math.max(size, RecordBatchLayout.HEADER_SIZE)));
    }

    /** The next whole batches (position 0, limit their length), or null at the end. */
    ByteBuffer next() throws IOException {
        while (position < end) {
            ByteBuffer buf = buffer;
            buf.clear().limit(Math.min(buf.capacity(), end - position));
            if (!file.read(buf, position)) {
                throw new EOFException("Segment file " + file.file() + " ended before byte " + (position + buf.limit()));
            }
            int limit = buf.limit();
            int whole = 0;
            while (limit - whole >= RecordBatchLayout.HEADER_SIZE && whole + RecordBatchLayout.sizeInBytes(buf, whole) <= limit) {
                whole += StoredBatches.checkedSize(buf, whole, limit);
            }
            if (whole > 0) {
                buf.position(0).limit(whole);
                position += whole;
                return buf;
            }
            int size = limit >= RecordBatchLayout.HEADER_SIZE ? RecordBatchLayout.sizeInBytes(buf, 0) : -1;
            if (size <= buf.capacity() || size > end - position) {
                throw new CorruptRecordException("Segment " + file.file() + " has no whole batch at byte " + position);
            }
            buffer = ByteBuffer.allocate(size);
        }
        return null;
    }
}
