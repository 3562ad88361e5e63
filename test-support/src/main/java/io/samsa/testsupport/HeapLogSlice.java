package io.samsa.testsupport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

import io.samsa.api.storage.LogSlice;

/** A log slice over a heap buffer; counts the bytes written so tests can see the transfer path was used. */
final class HeapLogSlice implements LogSlice {

    private final ByteBuffer bytes;
    private final InMemoryPartitions owner;

    HeapLogSlice(ByteBuffer bytes, InMemoryPartitions owner) {
        this.bytes = bytes;
        this.owner = owner;
    }

    @Override
    public int sizeInBytes() {
        return bytes.remaining();
    }

    @Override
    public long transferTo(WritableByteChannel target, long position, long count) throws IOException {
        ByteBuffer view = bytes.duplicate();
        view.position(bytes.position() + (int) position);
        view.limit((int) Math.min(view.limit(), view.position() + count));
        int written = target.write(view);
        owner.recordTransfer(target, written);
        return written;
    }

    @Override
    public void readInto(ByteBuffer destination, int position) {
        ByteBuffer view = bytes.duplicate();
        view.position(bytes.position() + position);
        if (view.remaining() > destination.remaining()) {
            view.limit(view.position() + destination.remaining());
        }
        destination.put(view);
    }
}
