package io.samsa.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads back every record of the 100 B produce topics: a discarded warm-up run, then N measured
 * runs, each a new group; the median run (by records/s) stands for the broker, because one short
 * run on a shared 2-core machine moves by tens of percent. Each run's broker CPU time is kept:
 * what serving the same records costs each broker.
 */
public final class ConsumeScenario implements Scenario {
    public static final Results.Metric RPS = new Results.Metric("consume.rps", "consume (records/s)", 0, Results.Better.HIGHER);
    public static final Results.Metric MBS = new Results.Metric("consume.mbs", "consume (MB/s)", 1, Results.Better.HIGHER);
    public static final Results.Metric JOIN = new Results.Metric("consume.join.ms", "consumer group join (ms)", 0,
            Results.Better.LOWER);
    public static final Results.Metric CPU = new Results.Metric("consume.cpu.s", "broker CPU per consume run (s)", 2,
            Results.Better.LOWER);

    private final PerfRuns perf;
    private final List<ProduceScenario> sources;
    private final long warmup;
    private final int runs;

    /** @param sources the produce runs whose topics are read back (all of them, every run) */
    public ConsumeScenario(PerfRuns perf, List<ProduceScenario> sources, long warmup, int runs) {
        this.perf = perf;
        this.sources = sources;
        this.warmup = warmup;
        this.runs = runs;
    }

    @Override
    public String name() {
        return "consume (" + runs + " measured runs)";
    }

    private record Run(PerfOutput.Consume result, double cpuSeconds) {
    }

    @Override
    public void run(BrokerUnderTest broker, Results results, Results.BrokerResults out) {
        long total = sources.stream().mapToLong(ProduceScenario::recordsWritten).sum();
        String include = "^(" + String.join("|", sources.stream().map(ProduceScenario::topic).toList()) + ")$";
        String id = Long.toString(ProcessHandle.current().pid());
        perf.consume(broker, "consume-warmup", "--include", include, warmup, "bench-warmup-" + id);
        List<Run> measured = new ArrayList<>();
        for (int i = 1; i <= runs; i++) {
            long before = broker.sample().cpuTicks();
            PerfOutput.Consume c = perf.consume(broker, "consume-" + i, "--include", include, total, "bench-measure-" + id + "-" + i);
            long after = broker.sample().cpuTicks();
            measured.add(new Run(c, (after - before) / (double) ProcessInfo.CLOCK_TICKS_PER_SECOND));
        }
        List<Run> byRate = measured.stream().sorted(Comparator.comparingDouble(r -> r.result().recordsPerSecond())).toList();
        Run median = byRate.get((runs - 1) / 2);
        List<Double> cpu = measured.stream().map(Run::cpuSeconds).sorted().toList();
        results.put(out, RPS, median.result().recordsPerSecond());
        results.put(out, MBS, median.result().mbPerSecond());
        results.put(out, JOIN, median.result().joinMs());
        results.put(out, CPU, cpu.get((runs - 1) / 2));
        for (int i = 0; i < runs; i++) {
            Run r = measured.get(i);
            out.detail("consume run " + (i + 1) + (r == median ? " (median)" : "") + " (ConsumerPerformance): `"
                    + r.result().line() + "` (MB/s incl. group join: " + r.result().mbPerSecondWithJoin()
                    + "; broker CPU " + String.format("%.2f", r.cpuSeconds()) + " s)");
        }
    }
}
