package io.samsa.api.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A read-only view of consecutive whole record batches in a log, handed to the network layer
 * so that record bytes go from the page cache to the socket without passing through the heap.
 */
@ConsumerType
public interface LogSlice {

    /** An empty slice. */
    LogSlice EMPTY = new LogSlice() {
        @Override
        public int sizeInBytes() {
            return 0;
        }

        @Override
        public long transferTo(WritableByteChannel target, long position, long count) {
            return 0;
        }

        @Override
        public void readInto(ByteBuffer destination, int position) {
        }
    };

    int sizeInBytes();

    /**
     * Writes up to {@code count} bytes starting {@code position} bytes into the slice; may write
     * less when the target is non-blocking and full.
     *
     * @return bytes written
     */
    long transferTo(WritableByteChannel target, long position, long count) throws IOException;

    /**
     * Copies bytes starting {@code position} bytes into the slice until {@code destination} is
     * full or the slice ends. For readers inside the broker (loading group offsets), not for the
     * fetch path.
     */
    void readInto(ByteBuffer destination, int position) throws IOException;
}
