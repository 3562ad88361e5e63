package io.samsa.storage.mmap;

import java.nio.MappedByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

import io.samsa.storage.format.Unmapper;

/** Really unmaps, and counts. */
final class CountingUnmapper implements Unmapper {

    private final Unmapper real = new UnsafeUnmapper();
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public void unmap(MappedByteBuffer buffer) {
        real.unmap(buffer);
        count.incrementAndGet();
    }

    int count() {
        return count.get();
    }
}
