package io.samsa.storage.format;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Kafka's {@code log.cleaner.io.max.bytes.per.second}: one rate shared by every cleaning of an
 * engine, so that compaction leaves the disk to produce and fetch traffic. A cleaning reports the
 * bytes it read or wrote and sleeps for as long as it ran ahead of the rate. The rate can change
 * while cleanings run; the next report uses it.
 */
final class CleanerThrottle {

    /** Below this much lead a cleaning does not sleep: sleeping that briefly costs more than it saves. */
    private static final long MIN_SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(10);
    /** How far back unused rate is remembered, so that an idle cleaner cannot save up a burst. */
    private static final long MAX_CREDIT_NS = TimeUnit.SECONDS.toNanos(1);

    /** Sleeps for {@code nanos}; a test replaces it to observe the sleeps. */
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    private final LongSupplier nanoClock;
    private final Sleeper sleeper;
    private volatile double bytesPerSecond;
    /** When the bytes reported so far are paid for at the rate (under this). */
    private long paidUntilNs;

    CleanerThrottle(double bytesPerSecond) {
        this(bytesPerSecond, System::nanoTime, TimeUnit.NANOSECONDS::sleep);
    }

    CleanerThrottle(double bytesPerSecond, LongSupplier nanoClock, Sleeper sleeper) {
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
        this.paidUntilNs = nanoClock.getAsLong() - MAX_CREDIT_NS;
        setRate(bytesPerSecond);
    }

    /** No limit: Kafka's default. */
    static CleanerThrottle unlimited() {
        return new CleanerThrottle(Double.MAX_VALUE);
    }

    void setRate(double bytesPerSecond) {
        if (!(bytesPerSecond > 0)) {
            throw new IllegalArgumentException("log.cleaner.io.max.bytes.per.second must be positive, not "
                    + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    double rate() {
        return bytesPerSecond;
    }

    /**
     * Accounts for {@code bytes} of cleaner I/O and waits until the rate allows them.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    void acquire(long bytes) throws InterruptedException {
        double rate = bytesPerSecond;
        if (rate >= Double.MAX_VALUE || bytes <= 0) {
            return;
        }
        long costNs = (long) Math.min(Long.MAX_VALUE / 4, bytes * 1e9 / rate);
        long waitNs;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            paidUntilNs = Math.max(paidUntilNs, now - MAX_CREDIT_NS) + costNs;
            waitNs = paidUntilNs - now;
        }
        if (waitNs >= MIN_SLEEP_NS) {
            sleeper.sleep(waitNs);
        }
    }
}
