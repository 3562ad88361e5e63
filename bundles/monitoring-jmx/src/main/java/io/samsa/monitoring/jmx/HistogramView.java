package io.samsa.monitoring.jmx;

import io.samsa.api.metrics.Histogram;

/** A histogram's MBean; each read takes a fresh snapshot, which costs a copy of the buckets. */
final class HistogramView implements HistogramMBean {

    private final Histogram histogram;

    HistogramView(Histogram histogram) {
        this.histogram = histogram;
    }

    @Override
    public long getCount() {
        return histogram.count();
    }

    @Override
    public double getMin() {
        return histogram.snapshot().min();
    }

    @Override
    public double getMax() {
        return histogram.snapshot().max();
    }

    @Override
    public double getMean() {
        return histogram.snapshot().mean();
    }

    @Override
    public double getStdDev() {
        return histogram.snapshot().stdDev();
    }

    @Override
    public double get50thPercentile() {
        return histogram.snapshot().percentile(0.50);
    }

    @Override
    public double get75thPercentile() {
        return histogram.snapshot().percentile(0.75);
    }

    @Override
    public double get95thPercentile() {
        return histogram.snapshot().percentile(0.95);
    }

    @Override
    public double get98thPercentile() {
        return histogram.snapshot().percentile(0.98);
    }

    @Override
    public double get99thPercentile() {
        return histogram.snapshot().percentile(0.99);
    }

    @Override
    public double get999thPercentile() {
        return histogram.snapshot().percentile(0.999);
    }
}
