package io.samsa.bench;

import java.util.List;
import java.util.function.Supplier;

/**
 * Starts one broker, runs a list of scenarios against it, stops it. Whatever fails, the broker
 * and everything the scenarios opened are stopped, the failure is recorded with the broker's log
 * tail, and the caller goes on with the next broker.
 */
public final class BrokerRun {
    public static final Results.Metric CPU = new Results.Metric("broker.cpu.s",
            "broker CPU, whole workload (s)", 1, Results.Better.LOWER);
    public static final Results.Metric PEAK_RSS = new Results.Metric("broker.rss.peak.mb",
            "peak broker RSS (MB)", 0, Results.Better.LOWER);
    public static final Results.Metric PEAK_THREADS = new Results.Metric("broker.threads.peak",
            "peak broker threads", 0, Results.Better.LOWER);

    private BrokerRun() {
    }

    /** @return true if every scenario completed */
    public static boolean run(Supplier<BrokerUnderTest> brokerFactory, List<Scenario> scenarios, Results results) {
        BrokerUnderTest broker = brokerFactory.get();
        Results.BrokerResults out = results.broker(broker.label(), broker.displayName());
        ResourceSampler sampler = null;
        try {
            broker.start();
            sampler = new ResourceSampler(broker.label(), broker::sample, 1000);
            long cpuBefore = broker.sample().cpuTicks();
            for (Scenario s : scenarios) {
                Log.info(broker.displayName() + ": " + s.name());
                s.run(broker, results, out);
                broker.checkAlive("after " + s.name());
            }
            ProcessInfo.Sample end = sampler.sample();
            results.put(out, CPU, (end.cpuTicks() - cpuBefore) / (double) ProcessInfo.CLOCK_TICKS_PER_SECOND);
            results.put(out, PEAK_RSS, sampler.peakRssKb() / 1024.0);
            results.put(out, PEAK_THREADS, sampler.peakThreads());
            out.detail("RSS: peak " + sampler.peakRssKb() / 1024 + " MB over " + sampler.samples()
                    + " one-second samples; kernel VmHWM " + end.hwmKb() / 1024 + " MB");
            out.details().addAll(0, broker.details());
            return true;
        } catch (BrokerFailure | IllegalArgumentException | IllegalStateException e) {
            String message = e.getMessage();
            out.fail(message);
            out.details().addAll(0, safeDetails(broker));
            System.err.println();
            System.err.println("BENCH FAILED (" + broker.displayName() + "): " + message);
            System.err.print(broker.logTails(40));
            return false;
        } finally {
            for (Scenario s : scenarios) {
                s.abandon();
            }
            if (sampler != null) {
                sampler.close();
            }
            Log.info(broker.displayName() + ": stopping");
            broker.close();
        }
    }

    private static List<String> safeDetails(BrokerUnderTest broker) {
        try {
            return broker.details();
        } catch (RuntimeException e) {
            return List.of();
        }
    }
}
