package io.samsa.storage.format;

import java.nio.MappedByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One memory mapping of a file, unmapped only once no reader is using it.
 * <p>
 * Touching unmapped memory crashes the JVM, so a reader pins the region for the length of one
 * operation ({@link #acquire()} ... {@link #release()}); {@link #close()} refuses new pins, and
 * whichever comes last, the close or the release of the last pin, unmaps. Pins cover one
 * operation, never the life of a slice: a {@code LogSlice} has no close, so a slice whose region
 * was retired meanwhile must find its bytes another way (see {@link FileMapping}).
 */
public final class MappedRegion {

    /** State bit: no new pins. The pin count is kept in the bits above it. */
    private static final int CLOSED = 1;
    private static final int PIN = 2;
    /** Odd, so {@link #acquire()} fails, and negative, so not reachable by counting pins. */
    private static final int UNMAPPING = Integer.MIN_VALUE | CLOSED;
    /** Set once the unmapper returned: only then may the file shrink under the old range. */
    private static final int UNMAPPED = Integer.MIN_VALUE | PIN | CLOSED;

    private final MappedByteBuffer buffer;
    private final Unmapper unmapper;
    private final AtomicInteger state = new AtomicInteger();

    public MappedRegion(MappedByteBuffer buffer, Unmapper unmapper) {
        this.buffer = buffer;
        this.unmapper = unmapper;
    }

    /** The mapping; only for a holder of a pin, or for the writer that alone retires regions. */
    public MappedByteBuffer buffer() {
        return buffer;
    }

    public int capacity() {
        return buffer.capacity();
    }

    /** Pins the region; false when it is closed (the caller then looks for the current region). */
    public boolean acquire() {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
            if (state.compareAndSet(s, s + PIN)) {
                return true;
            }
        }
    }

    /** Ends a pin taken with {@link #acquire()}; unmaps when it was the last of a closed region. */
    public void release() {
        if (state.addAndGet(-PIN) == CLOSED) {
            unmapOnce();
        }
    }

    /** Refuses new pins and unmaps now, or when the last pin is released. Idempotent. */
    public void close() {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return;
            }
            if (state.compareAndSet(s, s | CLOSED)) {
                break;
            }
        }
        if (state.get() == CLOSED) {
            unmapOnce();
        }
    }

    public boolean isUnmapped() {
        return state.get() == UNMAPPED;
    }

    /**
     * Waits until a closed region's pins are all released.
     *
     * @return true when the region is unmapped, false when the time ran out
     */
    public boolean awaitUnmapped(long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        long pause = TimeUnit.MICROSECONDS.toNanos(50);
        while (!isUnmapped()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(10));
        }
        return true;
    }

    private void unmapOnce() {
        // release and close may both see the last moment; the state change picks one of them
        if (state.compareAndSet(CLOSED, UNMAPPING)) {
            try {
                unmapper.unmap(buffer);
            } finally {
                state.set(UNMAPPED);
            }
        }
    }

    @Override
    public String toString() {
        int s = state.get();
        return "MappedRegion(" + buffer.capacity() + " bytes, " + (s < 0 ? (s == UNMAPPED ? "unmapped" : "unmapping")
                : (s >>> 1) + " pins" + ((s & CLOSED) != 0 ? ", closed" : "")) + ")";
    }
}
