package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.Test;

/**
 * Broker settings changed with Apache Kafka's own {@code kafka-configs.sh} while the broker runs:
 * applied without a restart (a producer connected before the change keeps producing, and the new
 * segment size rolls its segments), refused with Kafka's errors when a key cannot change or a
 * value is bad, reported with Kafka's sources by DescribeConfigs, and still in force after the
 * broker restarts. A retention time in hours and the log cleaner's settings apply the same way.
 */
public class DynamicBrokerConfigIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int SEGMENT_BYTES = 1024 * 1024;

    @Test
    public void brokerSettingsChangedLiveAndKeptAcrossRestarts() throws Exception {
        Path data = SamsaOsgiTestSupport.tempDir("samsa-dynamic-config");
        String topic = "rolled-live";
        try (SamsaProcess samsa = new SamsaProcess(data, Map.of()).start()) {
            String host = samsa.bootstrap();
            KafkaClients.createTopic(host, topic, 1);
            try (KafkaProducer<String, String> producer = KafkaClients.producer(host, Map.of())) {
                producer.send(new ProducerRecord<>(topic, "before")).get();
                assertEquals("one segment at the default size", 1, segments(data, topic));

                Tool alter = configs(host, "--entity-type", "brokers", "--entity-name", "0", "--alter",
                        "--add-config", "log.segment.bytes=" + SEGMENT_BYTES);
                assertEquals(alter.toString(), 0, alter.exitCode);
                Tool clusterDefault = configs(host, "--entity-type", "brokers", "--entity-default", "--alter",
                        "--add-config", "log.retention.ms=86400000");
                assertEquals(clusterDefault.toString(), 0, clusterDefault.exitCode);
                KafkaClients.waitUntil("the broker to apply the new segment size", Duration.ofSeconds(60),
                        () -> brokerValue(host, "log.segment.bytes").equals(String.valueOf(SEGMENT_BYTES)));

                String value = "x".repeat(10_000);
                for (int i = 0; i < 300; i++) {
                    producer.send(new ProducerRecord<>(topic, value)).get();
                }
                assertTrue("3 MB at a 1 MiB segment size rolled segments: " + segments(data, topic),
                        segments(data, topic) >= 3);
            }
            assertEquals("no restart for a dynamic setting:\n" + samsa.output(), 0, logCount(data, "restarting the broker"));

            Tool notDynamic = configs(host, "--entity-type", "brokers", "--entity-name", "0", "--alter",
                    "--add-config", "log.dirs=/elsewhere");
            assertTrue(notDynamic.toString(), notDynamic.exitCode != 0
                    && (notDynamic.stdout + notDynamic.stderr).contains("Cannot update these configs dynamically: [log.dirs]"));
            Tool badValue = configs(host, "--entity-type", "brokers", "--entity-name", "0", "--alter",
                    "--add-config", "log.segment.bytes=ten");
            assertTrue(badValue.toString(), badValue.exitCode != 0
                    && (badValue.stdout + badValue.stderr).contains("log.segment.bytes"));

            Tool describe = configs(host, "--entity-type", "brokers", "--entity-name", "0", "--describe");
            assertTrue(describe.toString(), describe.stdout.contains("log.segment.bytes=" + SEGMENT_BYTES)
                    && describe.stdout.contains("DYNAMIC_BROKER_CONFIG"));
            Tool all = configs(host, "--entity-type", "brokers", "--entity-name", "0", "--describe", "--all");
            assertTrue(all.toString(), all.stdout.contains("log.retention.ms=86400000")
                    && all.stdout.contains("DYNAMIC_DEFAULT_BROKER_CONFIG") && all.stdout.contains("broker.id=0"));
            assertEquals(0, samsa.stop());
        }

        try (SamsaProcess again = new SamsaProcess(data, Map.of()).start()) {
            String host = again.bootstrap();
            KafkaClients.waitUntil("the dynamic setting back after the restart", Duration.ofSeconds(60),
                    () -> brokerValue(host, "log.segment.bytes").equals(String.valueOf(SEGMENT_BYTES)));
            ConfigEntry entry = brokerEntry(host, "log.segment.bytes");
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG, entry.source());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, brokerEntry(host, "log.retention.ms").source());

            Tool delete = configs(host, "--entity-type", "brokers", "--entity-name", "0", "--alter",
                    "--delete-config", "log.segment.bytes");
            assertEquals(delete.toString(), 0, delete.exitCode);
            KafkaClients.waitUntil("the default segment size back", Duration.ofSeconds(60),
                    () -> brokerValue(host, "log.segment.bytes").equals("1073741824"));
            assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, brokerEntry(host, "log.segment.bytes").source());
        }
    }

    @Test
    public void retentionHoursAndCleanerSettingsChangeLive() throws Exception {
        Path data = SamsaOsgiTestSupport.tempDir("samsa-dynamic-retention");
        String topic = "expired-live";
        try (SamsaProcess samsa = new SamsaProcess(data, Map.of("log.retention.check.interval.ms", "1000",
                "log.segment.bytes", "4096", "log.cleaner.min.compaction.lag.ms", "5000")).start()) {
            String host = samsa.bootstrap();
            KafkaClients.createTopic(host, topic, 1);
            long twoHoursAgo = System.currentTimeMillis() - 2 * 3_600_000L;
            try (KafkaProducer<String, String> producer = KafkaClients.producer(host, Map.of())) {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>(topic, 0, twoHoursAgo, null, "x".repeat(1000))).get();
                }
            }
            assertTrue("1 kB records roll 4 kB segments: " + segments(data, topic), segments(data, topic) >= 3);
            assertEquals("168 hours keep two-hour-old records", 0L, earliestOffset(host, topic));
            ConfigEntry lag = brokerEntry(host, "log.cleaner.min.compaction.lag.ms");
            assertEquals("5000", lag.value());
            assertEquals(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG, lag.source());

            Tool hours = configs(host, "--entity-type", "brokers", "--entity-name", "0", "--alter",
                    "--add-config", "log.retention.hours=1");
            assertEquals(hours.toString(), 0, hours.exitCode);
            KafkaClients.waitUntil("retention by the new log.retention.hours to delete the old segments",
                    Duration.ofSeconds(60), () -> earliestOffset(host, topic) > 0);
            ConfigEntry retention = brokerEntry(host, "log.retention.hours");
            assertEquals("1", retention.value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG, retention.source());
            assertEquals("the synonyms name the default below the dynamic value: " + retention.synonyms(),
                    List.of("DYNAMIC_BROKER_CONFIG:1", "DEFAULT_CONFIG:168"), retention.synonyms().stream()
                            .map(syn -> syn.source() + ":" + syn.value()).toList());
            assertEquals("3600000", topicValue(host, topic, "retention.ms"));

            Tool cleaner = configs(host, "--entity-type", "brokers", "--entity-default", "--alter",
                    "--add-config", "log.cleaner.threads=2,log.cleaner.min.cleanable.ratio=0.2,log.cleaner.backoff.ms=1000");
            assertEquals(cleaner.toString(), 0, cleaner.exitCode);
            KafkaClients.waitUntil("the broker to apply the cleaner settings", Duration.ofSeconds(60),
                    () -> topicValue(host, topic, "min.cleanable.dirty.ratio").equals("0.2"));
            ConfigEntry threads = brokerEntry(host, "log.cleaner.threads");
            assertEquals("2", threads.value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, threads.source());
            assertEquals("1000", brokerValue(host, "log.cleaner.backoff.ms"));
            KafkaClients.waitUntil("the storage engine to get two cleaner threads", Duration.ofSeconds(30),
                    () -> logCountOrZero(data, "log.cleaner.threads: 1 -> 2") > 0);

            Tool badThreads = configs(host, "--entity-type", "brokers", "--entity-name", "0", "--alter",
                    "--add-config", "log.cleaner.threads=0");
            assertTrue(badThreads.toString(), badThreads.exitCode != 0
                    && (badThreads.stdout + badThreads.stderr).contains("Invalid value 0 for configuration log.cleaner.threads"));
            Tool badHours = configs(host, "--entity-type", "brokers", "--entity-default", "--alter",
                    "--add-config", "log.retention.hours=soon");
            assertTrue(badHours.toString(), badHours.exitCode != 0
                    && (badHours.stdout + badHours.stderr).contains("Invalid value soon for configuration log.retention.hours"));
            assertEquals("refused values change nothing", "2", brokerValue(host, "log.cleaner.threads"));
            assertEquals("1", brokerValue(host, "log.retention.hours"));
            assertEquals("no restart for a dynamic setting:\n" + samsa.output(), 0,
                    logCount(data, "restarting the broker"));
        }
    }

    private static long earliestOffset(String host, String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = KafkaClients.admin(host)) {
            return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get().get(tp).offset();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String topicValue(String host, String topic, String key) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = KafkaClients.admin(host)) {
            ConfigEntry entry = admin.describeConfigs(List.of(resource)).all().get().get(resource).get(key);
            return entry == null ? "" : entry.value();
        } catch (Exception e) {
            return "";
        }
    }

    private static long logCountOrZero(Path data, String text) {
        try {
            return logCount(data, text);
        } catch (IOException e) {
            return 0;
        }
    }

    private static Tool configs(String host, String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "--bootstrap-server";
        all[1] = host;
        System.arraycopy(args, 0, all, 2, args.length);
        return Tool.run(TIMEOUT, null, "kafka-configs.sh", all);
    }

    private static String brokerValue(String host, String key) {
        try {
            ConfigEntry entry = brokerEntry(host, key);
            return entry == null ? "" : entry.value();
        } catch (Exception e) {
            return "";
        }
    }

    private static ConfigEntry brokerEntry(String host, String key) throws Exception {
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "0");
        try (Admin admin = KafkaClients.admin(host)) {
            Config config = admin.describeConfigs(List.of(broker), new DescribeConfigsOptions().includeSynonyms(true))
                    .all().get().get(broker);
            return config.get(key);
        }
    }

    private static int segments(Path data, String topic) throws IOException {
        int count = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(data.resolve("kafka-logs").resolve(topic + "-0"), "*.log")) {
            for (Path ignored : files) {
                count++;
            }
        }
        return count;
    }

    private static long logCount(Path data, String text) throws IOException {
        try (var lines = Files.lines(data.resolve("logs/samsa.log"))) {
            return lines.filter(l -> l.contains(text)).count();
        }
    }
}
