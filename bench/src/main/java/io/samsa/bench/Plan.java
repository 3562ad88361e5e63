package io.samsa.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What a run does to each broker, in order, and the targets it checks. A new workload is a new
 * {@link Scenario} added here; a cluster comparison is another plan run against brokers with more
 * nodes.
 */
public record Plan(List<Scenario> scenarios, List<Verdict> verdicts) {

    /** Throughput target of the storage issue: produce (both acks) and consume at least 1.2x Kafka's. */
    static final double THROUGHPUT_TARGET = 1.2;

    /**
     * The standard comparison: produce acks=1 and acks=all (record size, default 100 B), acks=all
     * 1 KiB, the fixed-rate p99, the fixed-rate p99 while 16 MiB segments roll, then consume.
     */
    public static Plan standard(BenchOptions o, PerfRuns perf) {
        Workload w = new Workload(o, perf);
        List<Scenario> s = new ArrayList<>(List.of(w.acks1, w.acksAll));
        if (o.recordSize() != 1024) {
            s.add(new ProduceScenario(perf, "all", 1024, o.kibRecords(), Math.max(1, o.warmup() / 4), o.partitions()));
        }
        FixedRateScenario rolling = new FixedRateScenario(perf, "bench-rolling", o.latencyRate(), o.latencyRecords(), 1024,
                o.partitions(), o.segmentBytes());
        s.addAll(List.of(w.fixed, rolling, w.consume));
        List<Verdict> v = new ArrayList<>();
        s.forEach(x -> v.addAll(x.verdicts()));
        v.add(throughputVerdict(w.acks1, w.acksAll));
        return new Plan(List.copyOf(s), List.copyOf(v));
    }

    /**
     * The connection-scale run: the connections opened, the standard produce/consume workload and
     * the fixed-rate p99 on top of them, the connections counted again.
     */
    public static Plan connectionScale(BenchOptions o, PerfRuns perf) {
        Workload w = new Workload(o, perf);
        ConnectionScale scale = new ConnectionScale(o.connections(), o.longPolls(),
                Math.max(o.startTimeoutSeconds(), 60 + o.connections() / 100));
        List<Scenario> s = List.of(scale.open(), w.acks1, w.acksAll, w.consume, w.fixed, scale.check());
        List<Verdict> v = new ArrayList<>();
        s.forEach(x -> v.addAll(x.verdicts()));
        return new Plan(s, List.copyOf(v));
    }

    /** The scenarios both plans share. */
    private static final class Workload {
        final ProduceScenario acks1;
        final ProduceScenario acksAll;
        final FixedRateScenario fixed;
        final ConsumeScenario consume;

        Workload(BenchOptions o, PerfRuns perf) {
            acks1 = new ProduceScenario(perf, "1", o.recordSize(), o.records(), o.warmup(), o.partitions());
            acksAll = new ProduceScenario(perf, "all", o.recordSize(), o.records(), o.warmup(), o.partitions());
            fixed = new FixedRateScenario(perf, "bench-fixedrate", o.latencyRate(), o.latencyRecords(), o.recordSize(),
                    o.partitions(), 0);
            consume = new ConsumeScenario(perf, List.of(acks1, acksAll), o.warmup(), o.consumeRuns());
        }
    }

    static Verdict throughputVerdict(ProduceScenario acks1, ProduceScenario acksAll) {
        return (kafka, samsa) -> {
            List<String> parts = new ArrayList<>();
            boolean all = true;
            for (var m : List.of(acks1.recordsPerSecond(), acksAll.recordsPerSecond(), ConsumeScenario.RPS)) {
                OptionalDouble k = kafka.get(m);
                OptionalDouble s = samsa.get(m);
                if (k.isEmpty() || s.isEmpty() || k.getAsDouble() == 0) {
                    return Optional.empty();
                }
                double r = s.getAsDouble() / k.getAsDouble();
                parts.add(m.label().replace(" (records/s)", "") + " " + Report.format(r, 2) + "x");
                all &= r >= THROUGHPUT_TARGET;
            }
            return Optional.of("Throughput, " + samsa.displayName() + "/Kafka: " + String.join(", ", parts) + ": "
                    + Verdict.word(all) + " the target (>= " + THROUGHPUT_TARGET + "x).");
        };
    }
}
