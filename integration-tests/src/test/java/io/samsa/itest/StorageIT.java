package io.samsa.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.Test;

/**
 * The storage layer seen from outside: Apache Kafka's DumpLogSegments reads Samsa's files, a
 * broker killed with SIGKILL in the middle of a produce load (and left with a torn batch at the
 * tail) comes back with every acknowledged record, and retention, DeleteRecords and timestamp
 * look-ups behave as Kafka's.
 */
public class StorageIT {

    @Test
    public void kafkasDumpLogSegmentsDecodesSamsasSegments() throws Exception {
        Path data = SamsaOsgiTestSupport.tempDir("samsa-dump");
        try (SamsaProcess samsa = new SamsaProcess(data, Map.of("log.index.interval.bytes", "256")).start()) {
            KafkaClients.createTopic(samsa.bootstrap(), "dumped", 1);
            try (KafkaProducer<String, String> p = KafkaClients.producer(samsa.bootstrap(),
                    Map.of(ProducerConfig.LINGER_MS_CONFIG, 0))) {
                for (int i = 0; i < 200; i++) {
                    p.send(new ProducerRecord<>("dumped", "k" + i, "dump-me-" + i)).get();
                }
            }
            samsa.stop();
        }
        Path dir = data.resolve("kafka-logs").resolve("dumped-0");
        String log = dir.resolve("00000000000000000000.log").toString();
        String index = dir.resolve("00000000000000000000.index").toString();
        String timeIndex = dir.resolve("00000000000000000000.timeindex").toString();
        String out = dumpLogSegments("--files", log + "," + index + "," + timeIndex, "--print-data-log");
        assertTrue(out, out.contains("payload: dump-me-0"));
        assertTrue(out, out.contains("payload: dump-me-199"));
        assertTrue(out, out.contains("lastOffset: 199"));
        assertTrue("the offset index has entries: " + out, out.contains("offset: ") && out.contains(" position: "));
        assertTrue("no index mismatch: " + out, !out.contains("Mismatches in") && !out.contains("mismatch"));
        assertTrue("every batch valid: " + out, !out.contains("isvalid: false"));
    }

    /** Kafka's kafka-log-dirs.sh lists both log dirs and the size of every partition in them. */
    @Test
    public void kafkasLogDirsToolDescribesSamsasLogDirs() throws Exception {
        Path data = SamsaOsgiTestSupport.tempDir("samsa-logdirs");
        Path d1 = data.resolve("disk1");
        Path d2 = data.resolve("disk2");
        try (SamsaProcess samsa = new SamsaProcess(data, Map.of("log.dirs", d1 + "," + d2)).start()) {
            KafkaClients.createTopic(samsa.bootstrap(), "spread", 4);
            try (KafkaProducer<String, String> p = KafkaClients.producer(samsa.bootstrap(), Map.of())) {
                for (int i = 0; i < 40; i++) {
                    p.send(new ProducerRecord<>("spread", i % 4, "k", "in-some-dir-" + i)).get();
                }
            }
            String out = kafkaTool("org.apache.kafka.tools.LogDirsCommand", "--bootstrap-server", samsa.bootstrap(),
                    "--describe", "--topic-list", "spread");
            String json = out.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow(() -> new AssertionError(out));
            assertTrue(json, json.contains("\"logDir\":\"" + d1 + "\"") && json.contains("\"logDir\":\"" + d2 + "\""));
            for (int p = 0; p < 4; p++) {
                java.util.regex.Matcher m = java.util.regex.Pattern
                        .compile("\"partition\":\"spread-" + p + "\",\"size\":(\\d+)").matcher(json);
                assertTrue("spread-" + p + " in " + json, m.find());
                assertTrue("spread-" + p + " holds its 10 records", Long.parseLong(m.group(1)) > 10 * 12);
            }
            assertTrue("no error on a healthy dir: " + json, !json.contains("\"error\":\"org"));
        }
    }

    /**
     * The operator's storage tools through the repository's bin/ scripts: a topic config changed
     * live with kafka-configs, offsets read with kafka-get-offsets, records deleted with
     * kafka-delete-records, a segment decoded with kafka-dump-log.
     */
    @Test
    public void storageToolsOfKafkaThroughBin() throws Exception {
        Path data = SamsaOsgiTestSupport.tempDir("samsa-tools");
        Duration timeout = Duration.ofSeconds(120);
        try (SamsaProcess samsa = new SamsaProcess(data, Map.of()).start()) {
            String host = samsa.bootstrap();
            KafkaClients.createTopic(host, "tooled", 1);
            try (KafkaProducer<String, String> p = KafkaClients.producer(host, Map.of())) {
                for (int i = 0; i < 30; i++) {
                    p.send(new ProducerRecord<>("tooled", "k", "tool-" + i)).get();
                }
            }
            Tool alter = Tool.run(timeout, null, "kafka-configs.sh", "--bootstrap-server", host, "--alter",
                    "--entity-type", "topics", "--entity-name", "tooled", "--add-config", "retention.ms=3600000");
            assertEquals(alter.toString(), 0, alter.exitCode);
            Tool describe = Tool.run(timeout, null, "kafka-configs.sh", "--bootstrap-server", host, "--describe",
                    "--entity-type", "topics", "--entity-name", "tooled");
            assertTrue(describe.toString(), describe.stdout.contains("retention.ms=3600000"));

            Tool latest = Tool.run(timeout, null, "kafka-get-offsets.sh", "--bootstrap-server", host,
                    "--topic", "tooled", "--time", "-1");
            assertEquals(latest.toString(), List.of("tooled:0:30"), latest.lines());
            Path json = data.resolve("delete.json");
            Files.writeString(json, "{\"partitions\":[{\"topic\":\"tooled\",\"partition\":0,\"offset\":12}],\"version\":1}");
            Tool delete = Tool.run(timeout, null, "kafka-delete-records.sh", "--bootstrap-server", host,
                    "--offset-json-file", json.toString());
            assertTrue(delete.toString(), delete.stdout.contains("low_watermark: 12"));
            Tool earliest = Tool.run(timeout, null, "kafka-get-offsets.sh", "--bootstrap-server", host,
                    "--topic", "tooled", "--time", "-2");
            assertEquals(earliest.toString(), List.of("tooled:0:12"), earliest.lines());

            Tool dump = Tool.run(timeout, null, "kafka-dump-log.sh", "--files",
                    data.resolve("kafka-logs/tooled-0/00000000000000000000.log").toString(), "--print-data-log");
            assertTrue(dump.toString(), dump.stdout.contains("payload: tool-29"));
        }
    }

    private static String dumpLogSegments(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("org.apache.kafka.tools.DumpLogSegments"));
        all.addAll(List.of(args));
        return kafkaTool(all.toArray(String[]::new));
    }

    /** Runs one of Apache Kafka 4.4's tool classes from the runtime's tools/ folder; its output. */
    private static String kafkaTool(String... mainClassAndArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", SamsaProcess.HOME.resolve("tools") + File.separator + "*"));
        cmd.addAll(List.of(mainClassAndArgs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(mainClassAndArgs[0] + " finished", p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(mainClassAndArgs[0] + " exit code, output:\n" + out, 0, p.exitValue());
        return out;
    }

    @Test
    public void acknowledgedRecordsSurviveSigkillAndATornTail() throws Exception {
        Path data = SamsaOsgiTestSupport.tempDir("samsa-kill");
        Set<String> acknowledged = new ConcurrentSkipListSet<>();
        String topic = "crash";
        try (SamsaProcess samsa = new SamsaProcess(data, Map.of()).start()) {
            KafkaClients.createTopic(samsa.bootstrap(), topic, 3);
            AtomicBoolean stop = new AtomicBoolean();
            Thread load = new Thread(() -> {
                try (KafkaProducer<String, String> p = KafkaClients.producer(samsa.bootstrap(), Map.of(
                        ProducerConfig.LINGER_MS_CONFIG, 1, ProducerConfig.RETRIES_CONFIG, 0,
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000))) {
                    for (int i = 0; !stop.get(); i++) {
                        String v = "r" + i;
                        p.send(new ProducerRecord<>(topic, i % 3, null, v), (md, e) -> {
                            if (e == null) {
                                acknowledged.add(v);
                            }
                        });
                    }
                } catch (Exception ignored) {
                    // the broker went away under the producer, as intended
                }
            }, "crash-load");
            load.start();
            KafkaClients.waitUntil("some records to be acknowledged", Duration.ofSeconds(60), () -> acknowledged.size() > 5000);
            samsa.kill();
            stop.set(true);
            load.join(30_000);
        }
        // A half-written batch at the end of one partition, as a crash during write() can leave.
        Path segment = data.resolve("kafka-logs").resolve(topic + "-0").resolve("00000000000000000000.log");
        long sizeBefore = Files.size(segment);
        assertTrue("partition 0 had records before the crash", sizeBefore > 0);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer torn = ByteBuffer.allocate(40);
            torn.putLong(Long.MAX_VALUE / 2).putInt(500).putInt(0).put((byte) 2).flip();
            ch.write(torn);
        }

        long endOffsetBefore;
        try (SamsaProcess samsa = new SamsaProcess(data, Map.of()).start()) {
            assertEquals("recovery truncated the torn tail", sizeBefore, Files.size(segment));
            Set<String> stored = new java.util.HashSet<>();
            try (KafkaConsumer<String, String> c = KafkaClients.consumer(samsa.bootstrap(), null, Map.of())) {
                List<TopicPartition> tps = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1),
                        new TopicPartition(topic, 2));
                c.assign(tps);
                c.seekToBeginning(tps);
                Map<TopicPartition, Long> ends = c.endOffsets(tps);
                endOffsetBefore = ends.get(tps.get(0));
                long total = ends.values().stream().mapToLong(Long::longValue).sum();
                for (ConsumerRecord<String, String> r : KafkaClients.pollAtLeast(c, (int) total, Duration.ofSeconds(60))) {
                    stored.add(r.value());
                }
                assertEquals("every stored record is readable", total, stored.size());
            }
            List<String> lost = new ArrayList<>();
            for (String v : acknowledged) {
                if (!stored.contains(v)) {
                    lost.add(v);
                }
            }
            assertTrue(lost.size() + " acknowledged records lost, e.g. " + lost.subList(0, Math.min(5, lost.size())),
                    lost.isEmpty());
            // The recovered log takes new writes at the right offsets.
            try (KafkaProducer<String, String> p = KafkaClients.producer(samsa.bootstrap(), Map.of())) {
                long next = p.send(new ProducerRecord<>(topic, 0, null, "after-restart")).get().offset();
                assertEquals("the next offset of partition 0 follows what survived", endOffsetBefore, next);
            }
        }
    }

    @Test
    public void retentionDeleteRecordsAndTimestampLookups() throws Exception {
        Path data = SamsaOsgiTestSupport.tempDir("samsa-retention");
        try (SamsaProcess samsa = new SamsaProcess(data, Map.of("log.retention.check.interval.ms", "500")).start();
             Admin admin = KafkaClients.admin(samsa.bootstrap())) {
            String topic = "retained";
            KafkaClients.createTopic(samsa.bootstrap(), topic, 1);
            TopicPartition tp = new TopicPartition(topic, 0);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(
                    new AlterConfigOp(new ConfigEntry("segment.bytes", "2048"), AlterConfigOp.OpType.SET)))).all().get();
            long t0 = System.currentTimeMillis();
            try (KafkaProducer<String, String> p = KafkaClients.producer(samsa.bootstrap(),
                    Map.of(ProducerConfig.LINGER_MS_CONFIG, 0))) {
                for (int i = 0; i < 300; i++) {
                    long ts = t0 + i * 1000L;
                    p.send(new ProducerRecord<>(topic, 0, ts, "k" + i, "value-" + i)).get();
                }
            }
            Map<TopicPartition, ListOffsetsResultInfo> byTime = admin.listOffsets(
                    Map.of(tp, OffsetSpec.forTimestamp(t0 + 150_500L))).all().get();
            assertEquals("first record at or after the timestamp", 151, byTime.get(tp).offset());
            assertEquals(300, admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset());
            assertEquals(0, admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get().get(tp).offset());
            ListOffsetsResultInfo max = admin.listOffsets(Map.of(tp, OffsetSpec.maxTimestamp())).all().get().get(tp);
            assertEquals(299, max.offset());
            assertEquals(t0 + 299_000L, max.timestamp());

            admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(100))).all().get();
            assertEquals(100, admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get().get(tp).offset());
            try (KafkaConsumer<String, String> c = KafkaClients.consumer(samsa.bootstrap(), null, Map.of())) {
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                List<ConsumerRecord<String, String>> got = KafkaClients.pollAtLeast(c, 1, Duration.ofSeconds(30));
                assertEquals("reads start at the new log start offset", 100, got.get(0).offset());
            }

            // Retention by size, changed at runtime: old segments go, the log start offset moves.
            admin.incrementalAlterConfigs(Map.of(resource, List.of(
                    new AlterConfigOp(new ConfigEntry("retention.bytes", "4096"), AlterConfigOp.OpType.SET)))).all().get();
            KafkaClients.waitUntil("retention to delete old segments", Duration.ofSeconds(60), () -> {
                try {
                    return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get().get(tp).offset() > 200;
                } catch (Exception e) {
                    return false;
                }
            });
            Collection<ConfigEntry> entries = admin.describeConfigs(List.of(resource)).all().get().get(resource).entries();
            assertTrue(entries.stream().anyMatch(e -> e.name().equals("retention.bytes") && e.value().equals("4096")));
            try (var files = Files.list(data.resolve("kafka-logs").resolve(topic + "-0"))) {
                assertTrue("the oldest segment file was deleted",
                        files.noneMatch(f -> f.getFileName().toString().equals("00000000000000000000.log")));
            }
        }
    }

    @Test
    public void compactedTopicKeepsTheLatestValuePerKey() throws Exception {
        Path data = SamsaOsgiTestSupport.tempDir("samsa-compact");
        try (SamsaProcess samsa = new SamsaProcess(data, Map.of("log.retention.check.interval.ms", "500")).start();
             Admin admin = KafkaClients.admin(samsa.bootstrap())) {
            String topic = "compacted";
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact", "segment.bytes", "4096")))).all().get();
            TopicPartition tp = new TopicPartition(topic, 0);
            int keys = 10;
            int rounds = 60;
            try (KafkaProducer<String, String> p = KafkaClients.producer(samsa.bootstrap(),
                    Map.of(ProducerConfig.LINGER_MS_CONFIG, 0))) {
                for (int r = 0; r < rounds; r++) {
                    for (int k = 0; k < keys; k++) {
                        p.send(new ProducerRecord<>(topic, "key-" + k, "round-" + r)).get();
                    }
                }
                // A tombstone: key-0 is deleted.
                p.send(new ProducerRecord<>(topic, "key-0", null)).get();
            }
            long end = keys * rounds + 1;
            KafkaClients.waitUntil("the cleaner to compact the old segments", Duration.ofSeconds(60), () -> {
                try (KafkaConsumer<String, String> c = KafkaClients.consumer(samsa.bootstrap(), null, Map.of())) {
                    c.assign(List.of(tp));
                    c.seekToBeginning(List.of(tp));
                    List<ConsumerRecord<String, String>> all = new ArrayList<>();
                    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    while (System.nanoTime() < deadline && (all.isEmpty() || all.get(all.size() - 1).offset() < end - 1)) {
                        c.poll(Duration.ofMillis(200)).forEach(all::add);
                    }
                    return all.size() < end / 2;
                }
            });
            Map<String, String> latest = new java.util.HashMap<>();
            try (KafkaConsumer<String, String> c = KafkaClients.consumer(samsa.bootstrap(), null, Map.of())) {
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                long last = -1;
                while (System.nanoTime() < deadline && last < end - 1) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                        assertTrue("offsets keep increasing across the gaps", r.offset() > last);
                        last = r.offset();
                        latest.put(r.key(), r.value());
                    }
                }
                assertEquals("read to the end", end - 1, last);
            }
            for (int k = 1; k < keys; k++) {
                assertEquals("key-" + k, "round-" + (rounds - 1), latest.get("key-" + k));
            }
            assertEquals("the newest record of key-0 is its tombstone", null, latest.get("key-0"));
            assertEquals("the log end offset never moves back", end,
                    admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset());
        }
    }
}
