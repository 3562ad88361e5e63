package io.samsa.storage.format;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

import io.samsa.api.storage.LogSlice;

/** Whole batches in {@code [start, start + length)} of a record file, sent the file's own way. */
final class RecordSlice implements LogSlice {

    private final RecordFile file;
    private final int start;
    private final int length;

    RecordSlice(RecordFile file, int start, int length) {
        this.file = file;
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
        return file.transferTo(start + position, n, target);
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
            if (!file.read(destination, (long) start + position)) {
                throw new EOFException("Segment file " + file.file() + " ended before byte " + (start + position + n));
            }
        } finally {
            destination.limit(oldLimit);
        }
    }

    @Override
    public String toString() {
        return "LogSlice(" + file.file().getFileName() + ", " + start + ", " + length + ")";
    }
}
