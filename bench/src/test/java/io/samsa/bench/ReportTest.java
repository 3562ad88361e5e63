package io.samsa.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {
    private final BenchOptions options = parse();
    private final Plan plan = Plan.standard(options, null);

    private static BenchOptions parse() {
        try {
            return BenchOptions.parse(new String[0], java.nio.file.Path.of("bin/broker"));
        } catch (BenchOptions.UsageException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void tableHasRatiosVerdictsAndMarksAFailedBroker() {
        Results results = new Results();
        Results.BrokerResults kafka = results.broker("kafka", "Apache Kafka 4.4.0");
        Results.BrokerResults samsa = results.broker("samsa-mmap", "Samsa (mmap)");
        Results.BrokerResults broken = results.broker("samsa-filechannel", "Samsa (filechannel)");
        Results.Metric p99 = ((FixedRateScenario) plan.scenarios().get(3)).p99();
        results.put(kafka, p99, 8.0);
        results.put(samsa, p99, 6.0);
        results.put(kafka, ConsumeScenario.RPS, 100_000);
        results.put(samsa, ConsumeScenario.RPS, 150_000);
        broken.fail("broker died while ProducerPerformance ran (JVM pid 1 is gone)");

        String tables = new Report(results, plan.verdicts()).tables("kafka");
        assertTrue(tables.contains("| fixed 20000 records/s acks=all, 100 B: p99 latency (ms) | 8.0 | 6.0 | 0.75 |"), tables);
        assertTrue(tables.contains("| consume (records/s) | 100000 | 150000 | 1.50 |"), tables);
        assertTrue(tables.contains("fixed 20000 records/s acks=all, 100 B: p99 Samsa (mmap) 6.0 ms, Kafka 8.0 ms: **meets** the "
                + "target (<= Kafka's)."), tables);
        assertTrue(tables.contains("| consume (records/s) | 100000 | failed | n/a |"), tables);
        assertTrue(tables.contains("**Samsa (filechannel) FAILED**: broker died while ProducerPerformance ran"), tables);

        String tsv = new Report(results, plan.verdicts()).tsv();
        assertTrue(tsv.contains("samsa-mmap\tconsume.rps\t150000.00\tconsume (records/s)\n"), tsv);
        assertTrue(tsv.contains("samsa-filechannel\tfailed\t\tbroker died"), tsv);
    }

    @Test
    void theStandardPlanHasTheOneKibAndRollingRunsAndAThroughputVerdict() {
        List<String> names = plan.scenarios().stream().map(Scenario::name).toList();
        assertEquals(List.of("produce acks=1 100 B", "produce acks=all 100 B", "produce acks=all 1 KiB",
                "produce at a fixed 20000 records/s to bench-fixedrate", "produce at a fixed 20000 records/s to bench-rolling",
                "consume (5 measured runs)"), names);
        // p99 fixed, p99 rolling, throughput
        assertEquals(3, plan.verdicts().size());
    }

    @Test
    void connectionScaleVerdicts() {
        ConnectionScale scale = new ConnectionScale(10_000, 500, 60);
        Results results = new Results();
        Results.BrokerResults kafka = results.broker("kafka", "Apache Kafka 4.4.0");
        Results.BrokerResults samsa = results.broker("samsa-mmap", "Samsa (mmap)");
        results.put(kafka, BrokerRun.PEAK_RSS, 1200);
        results.put(samsa, BrokerRun.PEAK_RSS, 500);
        results.put(samsa, ConnectionScale.THREADS_0, 60);
        assertTrue(scale.rssVerdict(kafka, samsa).orElseThrow().endsWith("(0.42x): **meets** the target (<= 0.5x Kafka's)."));
        assertTrue(scale.threadVerdict(kafka, samsa).isEmpty(), "not measured with connections: no verdict");
    }
}
