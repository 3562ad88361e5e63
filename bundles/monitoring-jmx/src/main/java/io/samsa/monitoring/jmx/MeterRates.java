package io.samsa.monitoring.jmx;

import java.util.concurrent.TimeUnit;

import io.samsa.api.metrics.Meter;

/**
 * A meter's MBean: the count read live, the rates moved on each 5 s tick as Yammer's
 * exponentially weighted moving averages are (the first tick sets them to the rate seen).
 */
final class MeterRates implements MeterMBean {

    static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final double TICK_SECONDS = 5.0;

    private final Meter meter;
    private final long startNanos;
    private final NanoClock clock;
    private final Rate one = new Rate(1);
    private final Rate five = new Rate(5);
    private final Rate fifteen = new Rate(15);
    private long lastCount;

    MeterRates(Meter meter, NanoClock clock) {
        this.meter = meter;
        this.clock = clock;
        this.startNanos = clock.nanoTime();
        this.lastCount = meter.count();
    }

    /** Called every {@link #TICK_NANOS} by one thread. */
    synchronized void tick() {
        long count = meter.count();
        double perSecond = (count - lastCount) / TICK_SECONDS;
        lastCount = count;
        one.update(perSecond);
        five.update(perSecond);
        fifteen.update(perSecond);
    }

    @Override
    public long getCount() {
        return meter.count();
    }

    @Override
    public double getMeanRate() {
        long count = meter.count();
        double seconds = (clock.nanoTime() - startNanos) / 1e9;
        return count == 0 || seconds <= 0 ? 0.0 : count / seconds;
    }

    @Override
    public synchronized double getOneMinuteRate() {
        return one.rate;
    }

    @Override
    public synchronized double getFiveMinuteRate() {
        return five.rate;
    }

    @Override
    public synchronized double getFifteenMinuteRate() {
        return fifteen.rate;
    }

    @Override
    public TimeUnit getRateUnit() {
        return TimeUnit.SECONDS;
    }

    @Override
    public String getEventType() {
        return meter.eventType();
    }

    private static final class Rate {
        final double alpha;
        boolean initialized;
        double rate;

        Rate(int minutes) {
            alpha = 1 - Math.exp(-TICK_SECONDS / 60.0 / minutes);
        }

        void update(double instant) {
            if (initialized) {
                rate += alpha * (instant - rate);
            } else {
                rate = instant;
                initialized = true;
            }
        }
    }

    /** System.nanoTime, or a test's clock. */
    interface NanoClock {
        long nanoTime();
    }
}
