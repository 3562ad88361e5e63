package io.samsa.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
    private static final Path LAUNCHER = Path.of("/repo/bin/broker");

    private static BenchOptions parse(String... args) throws BenchOptions.UsageException {
        return BenchOptions.parse(args, LAUNCHER);
    }

    private static String rejected(String... args) {
        return assertThrows(BenchOptions.UsageException.class, () -> parse(args)).getMessage();
    }

    @Test
    void defaultsAreTheStandardComparisonOfBothEngines() throws Exception {
        BenchOptions o = parse();
        assertEquals(BenchOptions.Mode.COMPARISON, o.mode());
        assertEquals(2_000_000, o.records());
        assertEquals(200_000, o.warmup());
        assertEquals(List.of("filechannel", "mmap"), o.engines());
        assertEquals(400_000, o.latencyRecords());
        assertEquals(16 * 1024 * 1024, o.segmentBytes());
        assertEquals("-Xms1g -Xmx1g", o.heapOptions());
        assertTrue(o.runKafka() && o.runSamsa());
        assertEquals(LAUNCHER, o.samsaLauncher());
    }

    @Test
    void quickShortensTheRuns() throws Exception {
        BenchOptions o = parse("--quick", "--engine", "mmap");
        assertEquals(300_000, o.records());
        assertEquals(30_000, o.warmup());
        assertEquals(200_000, o.latencyRecords());
        assertEquals(List.of("mmap"), o.engines());
        assertEquals("bench/run.sh --quick --engine mmap", o.commandLine());
    }

    @Test
    void samsaOnlyChecksLeaveOutKafka() throws Exception {
        assertFalse(parse("--swap", "3").runKafka());
        assertEquals(BenchOptions.Mode.BIG_LOG, parse("--big-log", "2").mode());
        BenchOptions scale = parse("--connection-scale", "--connections", "500", "--long-polls", "50");
        assertEquals(BenchOptions.Mode.CONNECTION_SCALE, scale.mode());
        assertEquals(500, scale.connections());
        assertTrue(scale.runKafka());
    }

    @Test
    void badValuesAreRejectedNamingTheOption() {
        assertEquals("records must be a number >= 1, got 'abc'", rejected("--records", "abc"));
        assertEquals("--engine must be filechannel, mmap or both, got 'rocksdb'", rejected("--engine", "rocksdb"));
        assertEquals("consume-runs must be a number >= 1, got '0'", rejected("--consume-runs", "0"));
        assertEquals("swap must be a number of swaps >= 1, got '0'", rejected("--swap", "0"));
        assertEquals("big-log must be a whole number of GiB >= 1, got '0'", rejected("--big-log", "0"));
        assertEquals("unknown option '--fast' (see --help)", rejected("--fast"));
        assertEquals("--heap needs a value", rejected("--heap"));
        assertEquals("--kafka-only and --samsa-only exclude each other", rejected("--kafka-only", "--samsa-only"));
    }
}
