package io.samsa.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PerfOutputTest {
    private static final String PRODUCE_OUT = """
            99963 records sent, 19988.6 records/sec (1.91 MB/sec), 3.1 ms avg latency, 120.0 ms max latency.
            100000 records sent, 19992.003199 records/sec (1.91 MB/sec), 2.95 ms avg latency, 120.00 ms max latency, 2 ms 50th, 5 ms 95th, 9 ms 99th, 31 ms 99.9th.
            90000 steady state records sent, 19990.1 records/sec (1.91 MB/sec), 2.61 ms avg latency, 40.00 ms max latency, 2 ms 50th, 4 ms 95th, 7 ms 99th, 12 ms 99.9th.
            """;

    @Test
    void producerSummaryOverallAndSteadyState() {
        PerfOutput.Produce all = PerfOutput.produce(PRODUCE_OUT, false);
        assertEquals(100_000, all.records());
        assertEquals(19992.003199, all.recordsPerSecond(), 1e-9);
        assertEquals(9, all.p99Ms());
        assertEquals(120, all.maxMs());
        PerfOutput.Produce steady = PerfOutput.produce(PRODUCE_OUT, true);
        assertEquals(90_000, steady.records());
        assertEquals(2, steady.p50Ms());
        assertEquals(7, steady.p99Ms());
        assertEquals(12, steady.p999Ms());
        assertEquals(1, PerfOutput.produceWindows(PRODUCE_OUT).size());
    }

    @Test
    void producerOutputWithoutSummaryIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PerfOutput.produce("org.apache.kafka.common.errors.TimeoutException: expired\n", false));
        assertEquals("no ProducerPerformance summary in its output: org.apache.kafka.common.errors.TimeoutException: expired",
                e.getMessage());
    }

    @Test
    void consumerRowByColumnName() {
        PerfOutput.Consume c = PerfOutput.consume("""
                start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
                2026-12-02 08:06:50:120, 2026-12-02 08:06:57:001, 4.7684, 0.6930, 50000, 7266.3, 2347, 752, 6.3410, 66489.4
                """);
        assertEquals(50_000, c.records());
        assertEquals(66489.4, c.recordsPerSecond());
        assertEquals(6.341, c.mbPerSecond());
        assertEquals(2347, c.joinMs());
        assertThrows(IllegalArgumentException.class, () -> PerfOutput.consume("WARN: no records\n"));
    }
}
