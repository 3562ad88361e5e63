package io.samsa.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Produce at a fixed rate with acks=all: the latency to quote, at a load neither broker is
 * saturated by, so p99 is the broker's send-to-ack time plus the client's batching, not queueing.
 * The first tenth of the records are ProducerPerformance warm-up, left out of its "steady state"
 * summary. With {@code segmentBytes > 0} the topic gets {@code segment.bytes} that small, so
 * segments roll every few seconds while the latencies are taken.
 */
public final class FixedRateScenario implements Scenario {
    private final PerfRuns perf;
    private final String topic;
    private final int rate;
    private final long records;
    private final int recordSize;
    private final int partitions;
    private final int segmentBytes;
    private final Results.Metric achieved;
    private final Results.Metric p50;
    private final Results.Metric p99;
    private final Results.Metric p999;
    private final Results.Metric segments;

    public FixedRateScenario(PerfRuns perf, String topic, int rate, long records, int recordSize, int partitions,
                             int segmentBytes) {
        this.perf = perf;
        this.topic = topic;
        this.rate = rate;
        this.records = records;
        this.recordSize = recordSize;
        this.partitions = partitions;
        this.segmentBytes = segmentBytes;
        String shape = "fixed " + rate + " records/s acks=all, " + ProduceScenario.size(recordSize)
                + (segmentBytes > 0 ? ", " + segmentBytes / (1024 * 1024) + " MiB segments rolling" : "");
        String key = "fixed." + rate + "." + recordSize + "b" + (segmentBytes > 0 ? ".rolling" : "");
        achieved = new Results.Metric(key + ".rps", shape + ": achieved (records/s)", 0, Results.Better.HIGHER);
        p50 = new Results.Metric(key + ".p50", shape + ": p50 latency (ms)", 1, Results.Better.LOWER);
        p99 = new Results.Metric(key + ".p99", shape + ": p99 latency (ms)", 1, Results.Better.LOWER);
        p999 = new Results.Metric(key + ".p999", shape + ": p99.9 latency (ms)", 1, Results.Better.LOWER);
        segments = new Results.Metric(key + ".segments", shape + ": segments rolled", 0, Results.Better.NEITHER);
    }

    public Results.Metric p99() {
        return p99;
    }

    @Override
    public String name() {
        return "produce at a fixed " + rate + " records/s to " + topic;
    }

    @Override
    public void run(BrokerUnderTest broker, Results results, Results.BrokerResults out) {
        broker.admin().create(topic, partitions,
                segmentBytes > 0 ? Map.of("segment.bytes", Integer.toString(segmentBytes)) : Map.of());
        PerfOutput.Produce r = perf.produce(broker, "produce-" + topic, topic, records, recordSize, rate, records / 10,
                List.of("acks=all", "client.id=" + topic));
        results.put(out, achieved, r.recordsPerSecond());
        results.put(out, p50, r.p50Ms());
        results.put(out, p99, r.p99Ms());
        results.put(out, p999, r.p999Ms());
        if (segmentBytes > 0) {
            results.put(out, segments, segmentFiles(broker.logDir(0), topic) - partitions);
        }
        out.detail(name() + " (steady state): `" + r.line() + "`");
    }

    /** {@code .log} files in the topic's partition directories: one per segment. */
    static long segmentFiles(Path logDir, String topic) {
        long n = 0;
        try (Stream<Path> dirs = Files.list(logDir)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().matches(java.util.regex.Pattern.quote(topic) + "-\\d+"))
                    .toList()) {
                try (Stream<Path> files = Files.list(d)) {
                    n += files.filter(f -> f.getFileName().toString().endsWith(".log")).count();
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return n;
    }

    @Override
    public List<Verdict> verdicts() {
        return List.of((kafka, samsa) -> {
            if (kafka.get(p99).isEmpty() || samsa.get(p99).isEmpty()) {
                return Optional.empty();
            }
            double k = kafka.get(p99).getAsDouble();
            double s = samsa.get(p99).getAsDouble();
            return Optional.of(p99.label().replace(": p99 latency (ms)", "") + ": p99 " + samsa.displayName() + " " + s
                    + " ms, Kafka " + k + " ms: " + Verdict.word(s <= k) + " the target (<= Kafka's).");
        });
    }
}
