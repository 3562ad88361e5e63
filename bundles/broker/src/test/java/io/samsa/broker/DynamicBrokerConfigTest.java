package io.samsa.broker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.junit.Test;

import io.samsa.api.broker.ConfigEntry;
import io.samsa.api.broker.ConfigEntry.Synonym;
import io.samsa.cluster.metadata.CoordinatorMetadataStore;
import io.samsa.testsupport.InMemoryCoordinator;

public class DynamicBrokerConfigTest {

    private final DynamicBrokerConfig config = new DynamicBrokerConfig(
            new CoordinatorMetadataStore(new InMemoryCoordinator()));

    private static List<ConfigEntry> brokerConfig(Map<String, ?> overrides) {
        return BrokerSettings.from(TestConfig.of(overrides), BrokerFixture.LOCAL_ENDPOINT).brokerConfig();
    }

    private static ConfigEntry entry(List<ConfigEntry> entries, String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no entry " + name + " in " + entries));
    }

    @Test
    public void theTimeUnitsAndCleanerKeysAreDynamic() {
        for (String key : List.of("log.retention.hours", "log.retention.minutes", "log.roll.hours",
                "log.cleaner.threads", "log.cleaner.io.max.bytes.per.second", "log.cleaner.backoff.ms",
                "log.cleaner.delete.retention.ms",
                "log.cleaner.min.cleanable.ratio", "log.cleaner.min.compaction.lag.ms")) {
            assertTrue(key, DynamicBrokerConfig.isDynamic(key));
            assertEquals(key, Errors.NONE, config.alter("0", Map.of(key, "1"), true, false).error());
        }
        assertFalse(DynamicBrokerConfig.isDynamic("log.cleaner.dedupe.buffer.size"));
        assertFalse(DynamicBrokerConfig.isDynamic("log.dirs"));
        assertEquals("1", config.read("0").get("log.cleaner.min.cleanable.ratio"));
    }

    @Test
    public void aBadValueIsRefusedNamingKeyAndValueAndNothingIsStored() {
        config.alter("0", Map.of("log.retention.hours", "2"), true, false);
        Map<String, String> bad = Map.ofEntries(
                Map.entry("log.retention.hours", "soon"),
                Map.entry("log.roll.hours", "0"),
                Map.entry("log.cleaner.threads", "0"),
                Map.entry("log.cleaner.io.max.bytes.per.second", "-5"),
                Map.entry("log.cleaner.backoff.ms", "-1"),
                Map.entry("log.cleaner.min.cleanable.ratio", "1.5"),
                Map.entry("log.cleaner.min.compaction.lag.ms", "-1"),
                Map.entry("log.cleaner.delete.retention.ms", "x"));
        bad.forEach((key, value) -> {
            ApiError error = config.alter("0", Map.of(key, value, "log.retention.minutes", "5"), true, false);
            assertEquals(key, Errors.INVALID_CONFIG, error.error());
            assertTrue(error.message(), error.message().contains(key) && error.message().contains(value));
        });
        assertEquals(Map.of("log.retention.hours", "2"), config.read("0"));
        assertNull(DynamicBrokerConfig.validate("log.cleaner.io.max.bytes.per.second", "1048576.5"));
        assertNull(DynamicBrokerConfig.validate("log.retention.hours", "-1"));
    }

    @Test
    public void aDynamicHoursValueListsTheLevelsBelowAsKafkaDoes() {
        config.alter("", Map.of("log.retention.hours", "48"), true, false);
        config.alter("0", Map.of("log.retention.hours", "1"), true, false);
        List<ConfigEntry> entries = config.describe("0", brokerConfig(Map.of("log.retention.hours", "1")));

        ConfigEntry hours = entry(entries, "log.retention.hours");
        assertEquals("1", hours.value());
        assertEquals(ConfigEntry.SOURCE_DYNAMIC_BROKER, hours.source());
        assertFalse(hours.readOnly());
        assertEquals(List.of(new Synonym("log.retention.hours", "1", ConfigEntry.SOURCE_DYNAMIC_BROKER),
                new Synonym("log.retention.hours", "48", ConfigEntry.SOURCE_DYNAMIC_DEFAULT_BROKER),
                new Synonym("log.retention.hours", "168", ConfigEntry.SOURCE_DEFAULT)), hours.synonyms());

        // Kafka leaves out the synonyms before the key's own: log.retention.ms is not set anywhere
        ConfigEntry ms = entry(entries, "log.retention.ms");
        assertEquals(ConfigEntry.SOURCE_DEFAULT, ms.source());
        assertEquals(List.of(), ms.synonyms());

        List<ConfigEntry> clusterDefault = config.describe("", List.of());
        assertEquals(List.of("log.retention.hours"), clusterDefault.stream().map(ConfigEntry::name).toList());
        assertEquals(ConfigEntry.SOURCE_DYNAMIC_DEFAULT_BROKER, clusterDefault.get(0).source());
        assertEquals("48", clusterDefault.get(0).value());
    }

    @Test
    public void aStaticMsValueOutranksADynamicHoursValueAndIsItsSynonym() {
        config.alter("0", Map.of("log.retention.hours", "1"), true, false);
        List<ConfigEntry> entries = config.describe("0",
                brokerConfig(Map.of("log.retention.ms", "60000", "log.retention.hours", "1")));

        ConfigEntry ms = entry(entries, "log.retention.ms");
        assertEquals("60000", ms.value());
        assertEquals(ConfigEntry.SOURCE_STATIC_BROKER, ms.source());
        assertEquals(List.of(new Synonym("log.retention.ms", "60000", ConfigEntry.SOURCE_STATIC_BROKER),
                new Synonym("log.retention.hours", "168", ConfigEntry.SOURCE_DEFAULT)), ms.synonyms());

        ConfigEntry hours = entry(entries, "log.retention.hours");
        assertEquals(List.of(new Synonym("log.retention.hours", "1", ConfigEntry.SOURCE_DYNAMIC_BROKER),
                new Synonym("log.retention.ms", "60000", ConfigEntry.SOURCE_STATIC_BROKER),
                new Synonym("log.retention.hours", "168", ConfigEntry.SOURCE_DEFAULT)), hours.synonyms());
    }

    @Test
    public void cleanerKeysReportTheirSourceAndKafkasDefaults() {
        config.alter("", Map.of("log.cleaner.threads", "3"), true, false);
        List<ConfigEntry> entries = config.describe("0", brokerConfig(Map.of("log.cleaner.threads", "3")));

        ConfigEntry threads = entry(entries, "log.cleaner.threads");
        assertEquals("3", threads.value());
        assertEquals(ConfigEntry.SOURCE_DYNAMIC_DEFAULT_BROKER, threads.source());
        assertEquals(List.of(new Synonym("log.cleaner.threads", "3", ConfigEntry.SOURCE_DYNAMIC_DEFAULT_BROKER),
                new Synonym("log.cleaner.threads", "1", ConfigEntry.SOURCE_DEFAULT)), threads.synonyms());

        ConfigEntry ratio = entry(entries, "log.cleaner.min.cleanable.ratio");
        assertEquals("0.5", ratio.value());
        assertEquals(ConfigEntry.SOURCE_DEFAULT, ratio.source());
        assertEquals("1.7976931348623157E308", entry(entries, "log.cleaner.io.max.bytes.per.second").value());
        assertTrue("log.dirs cannot change dynamically", entry(entries, "log.dirs").readOnly());
    }
}
