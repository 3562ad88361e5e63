package io.samsa.replication;

import java.util.function.LongSupplier;

/** Milliseconds that move only when the test says. */
final class ManualClock implements LongSupplier {
    private long nowMs;

    ManualClock(long startMs) {
        this.nowMs = startMs;
    }

    @Override
    public synchronized long getAsLong() {
        return nowMs;
    }

    synchronized void advance(long ms) {
        nowMs += ms;
    }
}
