package io.samsa.broker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;

import java.util.Map;

import org.junit.Test;

import io.samsa.api.storage.CleanerConfig;
import io.samsa.api.storage.LogConfig;

public class BrokerSettingsTest {

    private static BrokerSettings settings(Map<String, ?> overrides) {
        return BrokerSettings.from(TestConfig.of(overrides), BrokerFixture.LOCAL_ENDPOINT);
    }

    @Test
    public void retentionTimeTakesTheFinestUnitSet() {
        assertEquals(168 * 3_600_000L, settings(Map.of()).logDefaults().retentionMs());
        assertEquals(3_600_000L, settings(Map.of("log.retention.hours", "1")).logDefaults().retentionMs());
        assertEquals(300_000L, settings(Map.of("log.retention.hours", "1", "log.retention.minutes", "5"))
                .logDefaults().retentionMs());
        assertEquals(60_000L, settings(Map.of("log.retention.hours", "1", "log.retention.minutes", "5",
                "log.retention.ms", "60000")).logDefaults().retentionMs());
        assertEquals(-1L, settings(Map.of("log.retention.hours", "-1")).logDefaults().retentionMs());
    }

    @Test
    public void rollTimeTakesMsOverHours() {
        assertEquals(2 * 3_600_000L, settings(Map.of("log.roll.hours", "2")).logDefaults().segmentMs());
        assertEquals(1000L, settings(Map.of("log.roll.hours", "2", "log.roll.ms", "1000")).logDefaults().segmentMs());
    }

    @Test
    public void cleanerKeysAreTheTopicCompactionDefaults() {
        LogConfig defaults = settings(Map.of("log.cleaner.delete.retention.ms", "1000",
                "log.cleaner.min.cleanable.ratio", "0.1", "log.cleaner.min.compaction.lag.ms", "5000")).logDefaults();
        assertEquals(1000L, defaults.deleteRetentionMs());
        assertEquals(0.1, defaults.minCleanableDirtyRatio(), 0);
        assertEquals(5000L, defaults.minCompactionLagMs());
        assertEquals(LogConfig.DEFAULTS, settings(Map.of()).logDefaults());
    }

    @Test
    public void cleanerThreadsAndRateGoToTheEngine() {
        assertEquals(CleanerConfig.DEFAULTS, settings(Map.of()).cleaner());
        BrokerSettings before = settings(Map.of());
        BrokerSettings after = settings(Map.of("log.cleaner.threads", "4",
                "log.cleaner.io.max.bytes.per.second", "1048576"));
        assertEquals(new CleanerConfig(4, 1048576), after.cleaner());
        assertEquals(java.util.List.of("log.cleaner.io.max.bytes.per.second: 1.7976931348623157E308 -> 1048576.0",
                "log.cleaner.threads: 1 -> 4"), before.changesTo(after));
        assertFalse(before.sameExceptTargets(after));
        assertEquals(java.util.List.of(), before.identityChangesTo(after));
    }

    @Test
    public void theCleanerBackoffIsKafkasByDefault() {
        assertEquals(15_000L, settings(Map.of()).cleanerBackoffMs());
        assertEquals(100L, settings(Map.of("log.cleaner.backoff.ms", "100")).cleanerBackoffMs());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(Map.of("log.cleaner.backoff.ms", "-1")));
        assertEquals("log.cleaner.backoff.ms must be at least 0, not -1", e.getMessage());
    }

    @Test
    public void aCleanerThreadCountBelowOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(Map.of("log.cleaner.threads", "0")));
        assertEquals("log.cleaner.threads must be at least 1, not 0", e.getMessage());
    }
}
