package io.samsa.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcessInfoTest {

    @Test
    void samplesThisJvm() {
        ProcessInfo.Sample s = ProcessInfo.sample(ProcessHandle.current().pid());
        assertTrue(s.rssKb() > 1000, "rss " + s.rssKb());
        assertTrue(s.threads() >= Thread.activeCount(), "threads " + s.threads());
        assertTrue(s.cpuTicks() > 0, "a JVM that ran tests has used CPU");
        assertTrue(ProcessInfo.commandLine(ProcessHandle.current().pid()).contains("java"));
    }

    @Test
    void aProcessThatIsGoneReadsAsGone() {
        assertTrue(ProcessInfo.sample(Integer.MAX_VALUE).gone());
    }

    @Test
    void cpuTicksCountFromAfterTheCommandName() {
        // field 2 may hold spaces and parentheses; utime and stime are fields 14 and 15
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1500 250 0 0 20 0 42 0 100 0 0";
        assertEquals(1750, ProcessInfo.cpuTicks(stat));
        assertEquals(42, ProcessInfo.statusField("Name:\tjava\nThreads:\t42\n", "Threads:"));
    }
}
