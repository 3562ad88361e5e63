package io.samsa.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The benchmark program: {@code bench/run.sh [options]} builds and runs it. Brokers run one at a
 * time on this machine with the same client tools and heap: Kafka first, then Samsa once per
 * storage engine; see bench/README.md.
 */
public final class Bench {
    static final String KAFKA = "kafka";

    private Bench() {
    }

    public static void main(String[] args) {
        Path benchDir = Path.of(System.getProperty("bench.dir", "bench")).toAbsolutePath().normalize();
        System.exit(run(args, benchDir));
    }

    static int run(String[] args, Path benchDir) {
        BenchOptions o;
        try {
            o = BenchOptions.parse(args, benchDir.getParent().resolve("bin/broker"));
        } catch (BenchOptions.UsageException e) {
            System.err.println("run.sh: " + e.getMessage());
            return 2;
        }
        if (o.mode() == BenchOptions.Mode.HELP) {
            System.out.print(Usage.TEXT);
            return 0;
        }
        Workspace ws = new Workspace(benchDir, o);
        Workspace.deleteTree(ws.work());
        try {
            return switch (o.mode()) {
                case SWAP -> new SwapCheck(ws).run();
                case BIG_LOG -> new BigLogCheck(ws).run();
                default -> compare(ws);
            };
        } catch (BrokerFailure e) {
            System.err.println();
            System.err.println("BENCH FAILED: " + e.getMessage());
            return 1;
        } finally {
            if (!o.keep()) {
                Workspace.deleteTree(ws.work());
            }
        }
    }

    /** The standard comparison or the connection-scale run: every broker of the run, one after the other. */
    static int compare(Workspace ws) {
        BenchOptions o = ws.options();
        checkPrerequisites(ws);
        PerfRuns perf = new PerfRuns(new KafkaTool(ws), o.runTimeoutSeconds());
        boolean scale = o.mode() == BenchOptions.Mode.CONNECTION_SCALE;
        Plan plan = scale ? Plan.connectionScale(o, perf) : Plan.standard(o, perf);
        Results results = new Results();
        for (Supplier<BrokerUnderTest> broker : brokers(ws)) {
            BrokerRun.run(broker, plan.scenarios(), results);
        }
        Report report = new Report(results, plan.verdicts());
        String tables = report.tables(KAFKA);
        String name = scale ? "scale-results" : "results";
        StringBuilder md = new StringBuilder(scale ? "# Samsa vs Apache Kafka 4.4.0: connection scale\n\n"
                : "# Samsa vs Apache Kafka 4.4.0 benchmark\n\n");
        Report.machineLines(o.commandLine()).forEach(l -> md.append(l).append('\n'));
        md.append(workloadLine(o, scale)).append("\n\n").append(tables).append('\n').append(Usage.READING).append('\n')
                .append(report.details());
        Report.write(ws.target().resolve(name + ".md"), md.toString());
        Report.write(ws.target().resolve(name + ".tsv"), report.tsv());
        System.out.println();
        System.out.print(tables);
        System.out.println("written to " + ws.target().resolve(name + ".md") + " and " + name + ".tsv");
        return results.anyFailed() ? 1 : 0;
    }

    static void checkPrerequisites(Workspace ws) {
        BenchOptions o = ws.options();
        if (!Files.isRegularFile(ws.kafkaLib().resolve("kafka_2.13-4.4.0.jar"))) {
            throw new BrokerFailure("Apache Kafka 4.4.0 is missing from " + ws.kafkaLib() + "; run `mvn -B -q package` in "
                    + ws.benchDir() + " (bench/run.sh does)");
        }
        if (o.runSamsa() && !o.kafkaAsSamsa()) {
            if (!Files.isExecutable(o.samsaLauncher())) {
                throw new BrokerFailure("Samsa launcher " + o.samsaLauncher() + " does not exist or is not executable");
            }
            if (o.samsaLauncher().equals(ws.rootDir().resolve("bin/broker"))) {
                SamsaBuild.ensure(ws);
            }
        }
    }

    /** Kafka, then one Samsa per engine; with --kafka-as-samsa a second Kafka takes Samsa's place. */
    static List<Supplier<BrokerUnderTest>> brokers(Workspace ws) {
        BenchOptions o = ws.options();
        List<Supplier<BrokerUnderTest>> list = new ArrayList<>();
        if (o.runKafka()) {
            list.add(() -> new KafkaBroker(ws, KAFKA, "Apache Kafka 4.4.0", o.kafkaPort()));
        }
        if (o.runSamsa() && o.kafkaAsSamsa()) {
            list.add(() -> new KafkaBroker(ws, "kafka-as-samsa", "Kafka as Samsa", o.samsaPort()));
        } else if (o.runSamsa()) {
            for (int i = 0; i < o.engines().size(); i++) {
                String engine = o.engines().get(i);
                int offset = 10 * i;
                list.add(() -> new SamsaBroker(ws, engine, o.heapOptions(), offset));
            }
        }
        return list;
    }

    private static String workloadLine(BenchOptions o, boolean scale) {
        String base = "- workload: " + o.records() + " records of " + o.recordSize() + " B per measured produce run"
                + " (a warm-up run of " + o.warmup() + " records discarded before each), --throughput -1, topics with "
                + o.partitions() + " partitions";
        if (!scale) {
            base += "; acks=all with 1 KiB records: " + o.kibRecords() + " records";
        }
        base += "; " + o.latencyRecords() + " records at a fixed " + o.latencyRate() + " records/s with acks=all (first "
                + o.latencyWarmup() + " are warm-up, left out of the latencies)";
        if (!scale) {
            base += ", once with " + o.recordSize() + " B records and default segments, once with 1 KiB records and "
                    + "segment.bytes=" + o.segmentBytes();
        }
        base += "; consume: a warm-up run, then " + o.consumeRuns() + " measured runs (median shown)";
        if (scale) {
            base += "\n- connection load (held through the whole workload, from the harness's own JVM): " + o.connections()
                    + " idle connections (one ApiVersions each) and " + o.longPolls()
                    + " long-polling Fetch connections (max.wait.ms 500) on an empty topic";
        }
        return base + "\n- broker heap: " + o.heapOptions() + "; brokers run one at a time";
    }
}
