package io.samsa.bench;

import java.util.ArrayList;
import java.util.List;

/** ProducerPerformance and ConsumerPerformance runs against a broker, checked and parsed. */
public final class PerfRuns {
    private final KafkaTool tool;
    private final int timeoutSeconds;

    public PerfRuns(KafkaTool tool, int timeoutSeconds) {
        this.tool = tool;
        this.timeoutSeconds = timeoutSeconds;
    }

    /**
     * A producer run.
     *
     * @param rate          records/s, or -1 for as fast as it goes
     * @param warmupRecords records left out of the "steady state" summary (0: none, the overall one counts)
     * @param properties    producer properties, e.g. {@code acks=all}
     */
    public PerfOutput.Produce produce(BrokerUnderTest broker, String name, String topic, long records, int recordSize,
                                      int rate, long warmupRecords, List<String> properties, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrap(), "--topic", topic,
                "--num-records", Long.toString(records), "--record-size", Integer.toString(recordSize),
                "--throughput", Integer.toString(rate)));
        if (warmupRecords > 0) {
            args.addAll(List.of("--warmup-records", Long.toString(warmupRecords)));
        }
        args.addAll(List.of(extraArgs));
        args.add("--command-property");
        args.addAll(properties);
        String what = "ProducerPerformance (" + topic + ", " + String.join(" ", properties) + ")";
        Log.info(broker.displayName() + ": produce " + records + " x " + recordSize + " B to " + topic + " "
                + String.join(" ", properties) + (rate > 0 ? " at " + rate + " records/s" : ""));
        KafkaTool.Result r = tool.run(broker.label() + "-" + name, broker, timeoutSeconds,
                "org.apache.kafka.tools.ProducerPerformance", args);
        if (r.exitCode() != 0) {
            throw new BrokerFailure(what + " failed (exit " + r.exitCode() + "): " + KafkaTool.lastLines(r.stderr(), 5));
        }
        if (r.mentionsErrors()) {
            throw new BrokerFailure(what + " reported errors: " + KafkaTool.lastLines(r.stdout(), 3));
        }
        try {
            return PerfOutput.produce(r.stdout(), warmupRecords > 0);
        } catch (IllegalArgumentException e) {
            throw new BrokerFailure(what + ": " + e.getMessage());
        }
    }

    /**
     * A consumer run of a new group reading at least {@code expected} records; fewer is a failure.
     * ConsumerPerformance stops after the poll that reaches {@code --num-records}, so a run over
     * part of a topic may read the rest of that poll's batches too.
     */
    public PerfOutput.Consume consume(BrokerUnderTest broker, String name, String topicArg, String topics,
                                      long expected, String group) {
        Log.info(broker.displayName() + ": consume " + expected + " records from " + topics + " (group " + group + ")");
        KafkaTool.Result r = tool.run(broker.label() + "-" + name, broker, timeoutSeconds,
                "org.apache.kafka.tools.ConsumerPerformance", List.of("--bootstrap-server", broker.bootstrap(),
                        topicArg, topics, "--num-records", Long.toString(expected), "--group", group,
                        "--timeout", "30000"));
        if (r.exitCode() != 0) {
            throw new BrokerFailure("ConsumerPerformance failed (exit " + r.exitCode() + "): "
                    + KafkaTool.lastLines(r.stderr(), 5));
        }
        PerfOutput.Consume c;
        try {
            c = PerfOutput.consume(r.stdout());
        } catch (IllegalArgumentException e) {
            throw new BrokerFailure("ConsumerPerformance: " + e.getMessage());
        }
        if (c.records() < expected) {
            throw new BrokerFailure("ConsumerPerformance read " + c.records() + " records, expected " + expected);
        }
        return c;
    }
}
