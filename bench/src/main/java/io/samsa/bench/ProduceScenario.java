package io.samsa.bench;

import java.util.List;
import java.util.Map;

/**
 * As-fast-as-it-goes produce ({@code --throughput -1}) to a fresh topic: a discarded warm-up run,
 * then the measured one. With a full pipe the p99 is mostly queueing in the client.
 */
public final class ProduceScenario implements Scenario {
    private final PerfRuns perf;
    private final String acks;
    private final int recordSize;
    private final long records;
    private final long warmup;
    private final int partitions;
    private final Results.Metric rps;
    private final Results.Metric mbs;
    private final Results.Metric p99;
    private final Results.Metric cpu;
    private final String topic;

    public ProduceScenario(PerfRuns perf, String acks, int recordSize, long records, long warmup, int partitions) {
        this.perf = perf;
        this.acks = acks;
        this.recordSize = recordSize;
        this.records = records;
        this.warmup = warmup;
        this.partitions = partitions;
        String shape = "acks=" + acks + ", " + size(recordSize);
        String key = "produce.acks" + acks + "." + recordSize + "b";
        this.topic = topicFor(acks, recordSize);
        rps = new Results.Metric(key + ".rps", "produce " + shape + " (records/s)", 0, Results.Better.HIGHER);
        mbs = new Results.Metric(key + ".mbs", "produce " + shape + " (MB/s)", 1, Results.Better.HIGHER);
        p99 = new Results.Metric(key + ".p99", "p99 latency " + shape + " (ms)", 1, Results.Better.LOWER);
        cpu = new Results.Metric(key + ".cpu.s", "broker CPU for the measured run, " + shape + " (s)", 2,
                Results.Better.LOWER);
    }

    /** The topic the run fills; the consume scenario reads the 100 B ones back. */
    public static String topicFor(String acks, int recordSize) {
        return "bench-acks" + acks + (recordSize == 100 ? "" : "-" + recordSize + "b");
    }

    static String size(int bytes) {
        return bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " B";
    }

    public String topic() {
        return topic;
    }

    public Results.Metric recordsPerSecond() {
        return rps;
    }

    public long recordsWritten() {
        return records + warmup;
    }

    @Override
    public String name() {
        return "produce acks=" + acks + " " + size(recordSize);
    }

    @Override
    public void run(BrokerUnderTest broker, Results results, Results.BrokerResults out) {
        broker.admin().create(topic, partitions, Map.of());
        List<String> props = List.of("acks=" + acks, "client.id=bench-acks" + acks);
        perf.produce(broker, "produce-" + topic + "-warmup", topic, warmup, recordSize, -1, 0, props);
        // On 2 cores the producer client is often the bottleneck: the broker's CPU for the same
        // records is the figure that shows what the broker itself costs.
        long before = broker.sample().cpuTicks();
        PerfOutput.Produce r = perf.produce(broker, "produce-" + topic, topic, records, recordSize, -1, 0, props);
        long after = broker.sample().cpuTicks();
        results.put(out, rps, r.recordsPerSecond());
        results.put(out, cpu, (after - before) / (double) ProcessInfo.CLOCK_TICKS_PER_SECOND);
        results.put(out, mbs, r.mbPerSecond());
        results.put(out, p99, r.p99Ms());
        out.detail("produce acks=" + acks + " " + size(recordSize) + ": `" + r.line() + "`");
    }
}
