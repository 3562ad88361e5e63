package io.samsa.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** Samples a broker once a second on a daemon thread and keeps the peaks. */
public final class ResourceSampler implements AutoCloseable {
    private final Supplier<ProcessInfo.Sample> source;
    private final Thread thread;
    private final AtomicLong peakRss = new AtomicLong();
    private final AtomicLong peakAnon = new AtomicLong();
    private final AtomicLong peakFile = new AtomicLong();
    private final AtomicLong peakThreads = new AtomicLong();
    private final AtomicLong samples = new AtomicLong();
    private volatile boolean running = true;

    public ResourceSampler(String name, Supplier<ProcessInfo.Sample> source, long periodMillis) {
        this.source = source;
        sample();
        thread = new Thread(() -> {
            while (running) {
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
                sample();
            }
        }, "sampler-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Takes a sample now (also done every period) and returns it. */
    public ProcessInfo.Sample sample() {
        ProcessInfo.Sample s = source.get();
        if (!s.gone()) {
            peakRss.accumulateAndGet(s.rssKb(), Math::max);
            peakAnon.accumulateAndGet(s.rssAnonKb(), Math::max);
            peakFile.accumulateAndGet(s.rssFileKb(), Math::max);
            peakThreads.accumulateAndGet(s.threads(), Math::max);
            samples.incrementAndGet();
        }
        return s;
    }

    public long peakRssKb() {
        return peakRss.get();
    }

    public long peakRssAnonKb() {
        return peakAnon.get();
    }

    public long peakRssFileKb() {
        return peakFile.get();
    }

    public long peakThreads() {
        return peakThreads.get();
    }

    public long samples() {
        return samples.get();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
