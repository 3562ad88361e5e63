package io.samsa.replication;

/**
 * A replication throttle's byte rate, measured as Kafka's ReplicationQuotaManager measures it:
 * over {@code samples} windows of {@code windowMs} (Kafka: {@code replication.quota.window.num}
 * = 11 of {@code replication.quota.window.size.seconds} = 1), the bytes of throttled partitions
 * divided by the time the samples span, never less than all but the current window, so a burst
 * right after a quiet period is not measured over a few milliseconds. Exceeded once that rate is
 * above the bound; {@link Long#MAX_VALUE}, Kafka's default, never is.
 * <p>
 * Thread-safe: the leader records from request threads, the follower from its fetchers.
 */
final class ReplicationQuota {
    static final int DEFAULT_SAMPLES = 11;
    static final long DEFAULT_WINDOW_MS = 1000;

    private final int samples;
    private final long windowMs;
    private final long[] windowStartMs;
    private final long[] bytes;
    private volatile long bytesPerSecond = Long.MAX_VALUE;
    // guarded by this
    private int current;

    ReplicationQuota(int samples, long windowMs) {
        if (samples < 2 || windowMs < 1) {
            throw new IllegalArgumentException("a replication quota needs at least 2 samples of at least 1 ms, not "
                    + samples + " of " + windowMs + " ms");
        }
        this.samples = samples;
        this.windowMs = windowMs;
        this.windowStartMs = new long[samples];
        this.bytes = new long[samples];
        java.util.Arrays.fill(windowStartMs, Long.MIN_VALUE);
    }

    ReplicationQuota() {
        this(DEFAULT_SAMPLES, DEFAULT_WINDOW_MS);
    }

    /** The bound in bytes per second; negative is refused (Kafka's validator: at least 0). */
    void bound(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("a replication throttle rate must be at least 0, not " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    long bound() {
        return bytesPerSecond;
    }

    /** Whether any throttling can happen: a bound below Kafka's unlimited default. */
    boolean limited() {
        return bytesPerSecond != Long.MAX_VALUE;
    }

    synchronized void record(long n, long nowMs) {
        if (n <= 0) {
            return;
        }
        bytes[windowAt(nowMs)] += n;
    }

    /** Whether the rate over the samples is above the bound. */
    boolean exceeded(long nowMs) {
        long bound = bytesPerSecond;
        if (bound == Long.MAX_VALUE) {
            return false;
        }
        return rate(nowMs) > bound;
    }

    /** Bytes per second over the live samples. */
    synchronized double rate(long nowMs) {
        windowAt(nowMs);
        long total = 0;
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < samples; i++) {
            if (windowStartMs[i] != Long.MIN_VALUE && nowMs - windowStartMs[i] < samples * windowMs) {
                total += bytes[i];
                oldest = Math.min(oldest, windowStartMs[i]);
            }
        }
        if (oldest == Long.MAX_VALUE) {
            return 0;
        }
        long elapsed = Math.max(nowMs - oldest, (samples - 1) * windowMs);
        return total * 1000.0 / elapsed;
    }

    /** Under the monitor: the sample of {@code nowMs}, starting a new one (reusing the oldest) when due. */
    private int windowAt(long nowMs) {
        long start = windowStartMs[current];
        if (start == Long.MIN_VALUE || nowMs - start >= windowMs) {
            current = start == Long.MIN_VALUE ? current : (current + 1) % samples;
            windowStartMs[current] = nowMs - (start == Long.MIN_VALUE ? 0 : (nowMs - start) % windowMs);
            bytes[current] = 0;
        }
        return current;
    }
}
