package io.samsa.api.metrics;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * A distribution of non-negative values (milliseconds for Kafka's {@code ...TimeMs} histograms)
 * in fixed buckets since the histogram was created. Recording costs a bucket search over a small
 * array and a few atomic adds; it allocates nothing. A percentile is the upper bound of the
 * bucket it falls in (capped by the largest value seen), so it is exact for values up to 10 and
 * at most a third high up to 100,000 (coarser above). Yammer's histograms, which Kafka uses,
 * sample instead and decay old values, so the two differ on a changing load.
 */
public final class Histogram {

    /** Upper bounds (inclusive) of the buckets; one more bucket takes everything larger. */
    private static final long[] BOUNDS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 25, 30, 40, 50, 65, 80,
        100, 130, 160, 200, 250, 300, 400, 500, 650, 800, 1_000, 1_300, 1_600, 2_000, 2_500, 3_000, 4_000, 5_000,
        6_500, 8_000, 10_000, 13_000, 16_000, 20_000, 25_000, 30_000, 40_000, 50_000, 65_000, 80_000, 100_000,
        150_000, 300_000, 600_000};

    private final AtomicLongArray buckets = new AtomicLongArray(BOUNDS.length + 1);
    private final LongAdder count = new LongAdder();
    private final LongAdder sum = new LongAdder();
    /** Sum of squares as a double, for the standard deviation; a long would overflow on long waits. */
    private final DoubleAdder sumOfSquares = new DoubleAdder();
    private final LongAccumulator min = new LongAccumulator(Math::min, Long.MAX_VALUE);
    private final LongAccumulator max = new LongAccumulator(Math::max, Long.MIN_VALUE);

    public void update(long value) {
        long v = Math.max(0, value);
        buckets.incrementAndGet(bucketOf(v));
        count.increment();
        sum.add(v);
        sumOfSquares.add((double) v * v);
        min.accumulate(v);
        max.accumulate(v);
    }

    private static int bucketOf(long v) {
        int lo = 0;
        int hi = BOUNDS.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (BOUNDS[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    public long count() {
        return count.sum();
    }

    /** A consistent-enough copy for reading: values recorded meanwhile may be in some figures and not others. */
    public Snapshot snapshot() {
        long[] counts = new long[buckets.length()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = buckets.get(i);
        }
        long n = count.sum();
        long lo = min.get();
        long hi = max.get();
        return new Snapshot(counts, n, n == 0 ? 0 : lo, n == 0 ? 0 : hi, sum.sum(), sumOfSquares.sum());
    }

    /** The figures Kafka's histogram MBeans show. */
    public static final class Snapshot {
        private final long[] counts;
        private final long count;
        private final long min;
        private final long max;
        private final long sum;
        private final double sumOfSquares;

        Snapshot(long[] counts, long count, long min, long max, long sum, double sumOfSquares) {
            this.counts = counts;
            this.count = count;
            this.min = min;
            this.max = max;
            this.sum = sum;
            this.sumOfSquares = sumOfSquares;
        }

        public long count() {
            return count;
        }

        public double min() {
            return min;
        }

        public double max() {
            return max;
        }

        public double mean() {
            return count == 0 ? 0 : (double) sum / count;
        }

        /** The sample standard deviation, as Yammer reports it; 0 below two values. */
        public double stdDev() {
            if (count < 2) {
                return 0;
            }
            double mean = mean();
            double variance = (sumOfSquares - count * mean * mean) / (count - 1);
            return variance <= 0 ? 0 : Math.sqrt(variance);
        }

        /** @param quantile between 0 and 1, e.g. 0.99 */
        public double percentile(double quantile) {
            if (quantile < 0 || quantile > 1 || Double.isNaN(quantile)) {
                throw new IllegalArgumentException("A quantile is between 0 and 1, not " + quantile);
            }
            if (count == 0) {
                return 0;
            }
            long rank = Math.max(1, (long) Math.ceil(quantile * count));
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    long bound = i < BOUNDS.length ? BOUNDS[i] : max;
                    return Math.max(min, Math.min(bound, max));
                }
            }
            return max;
        }
    }
}
