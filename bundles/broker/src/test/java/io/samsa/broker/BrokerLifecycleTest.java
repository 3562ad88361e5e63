package io.samsa.broker;

import static io.samsa.broker.BrokerFixture.fetch;
import static io.samsa.broker.BrokerFixture.produce;
import static io.samsa.broker.BrokerFixture.values;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.broker.ListenerEndpoints;
import io.samsa.api.broker.ProduceResult;
import io.samsa.api.broker.TopicView;
import io.samsa.api.coordination.BrokerRegistration;
import io.samsa.api.storage.LogConfig;
import io.samsa.api.storage.PartitionLog;
import io.samsa.api.storage.StorageEngine;
import io.samsa.testsupport.Poll;

public class BrokerLifecycleTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private BrokerFixture fixture;

    @Before
    public void setUp() {
        fixture = new BrokerFixture(tmp.getRoot().toPath());
    }

    @After
    public void tearDown() {
        fixture.close();
    }

    @Test
    public void registersWithItsAdvertisedEndpointAndRack() throws Exception {
        BrokerServer b = fixture.start(3, Map.of("advertised.listeners", "PLAINTEXT://broker3.example:19092",
                "broker.rack", "r1"));
        BrokerRegistration reg = fixture.coordinator.liveBrokers().get(0);
        assertEquals(3, reg.brokerId());
        assertEquals("broker3.example", reg.host());
        assertEquals(19092, reg.port());
        assertEquals(Optional.of("r1"), reg.rack());
        assertEquals("test-cluster", b.clusterView().clusterId());
        assertEquals(3, b.clusterView().localBrokerId());
        // The controller bundle, not the broker, runs for controller: none is elected here.
        assertEquals(-1, b.clusterView().controllerId());
        Poll.until("broker list refreshed", () -> b.clusterView().brokers().size() == 1);
        fixture.stop(b);
        assertTrue(fixture.coordinator.liveBrokers().isEmpty());
        assertEquals("watches closed", 0, fixture.coordinator.watchCount());
    }

    @Test
    public void metadataAndDataSurviveARestart() throws Exception {
        BrokerServer first = fixture.start(0, Map.of());
        BrokerFixture.createTopic(first, "durable", 2);
        first.topicAdmin().alterTopicConfig("durable", Map.of("retention.ms", "12345"), true, false);
        TopicPartition tp = new TopicPartition("durable", 1);
        produce(first, tp, Records.batch("one", "two"));
        produce(first, tp, Records.idempotent(77, (short) 0, 0, "idem"));
        Uuid id = first.clusterView().topic("durable").orElseThrow().topicId();
        fixture.stop(first);

        BrokerServer second = fixture.start(0, Map.of());
        TopicView t = second.clusterView().topic("durable").orElseThrow();
        assertEquals(id, t.topicId());
        assertEquals(2, t.partitions().size());
        assertEquals(Map.of("retention.ms", "12345"), t.configs());
        assertEquals(12345, second.registry().get(tp).log().config().retentionMs());
        assertEquals(List.of("one", "two", "idem"), values(fetch(second, tp, 0)));
        ProduceResult retry = produce(second, tp, Records.idempotent(77, (short) 0, 0, "idem"));
        assertEquals("producer state rebuilt from the log", 2, retry.baseOffset());
        assertEquals(3, produce(second, tp, Records.batch("three")).baseOffset());
    }

    @Test
    public void storageEngineSwapReopensLogsAndKeepsData() throws Exception {
        StorageEngine a = BrokerFixture.engine();
        StorageEngine b = BrokerFixture.engine();
        BrokerServer broker = fixture.start(0, Map.of(), a);
        BrokerFixture.createTopic(broker, "swap", 3);
        TopicPartition tp = new TopicPartition("swap", 2);
        produce(broker, tp, Records.batch(Compression.gzip().build(), "before"));
        produce(broker, tp, Records.idempotent(5, (short) 0, 0, "idem"));
        List<PartitionLog> oldLogs = broker.registry().all().stream().map(Partition::log).toList();

        broker.swapStorage(b);
        assertSame(b, broker.engine());
        for (Partition p : broker.registry().all()) {
            assertSame("reopened through the new engine", b, p.engine());
            assertFalse(oldLogs.contains(p.log()));
        }
        for (PartitionLog old : oldLogs) {
            assertThrows("old log closed", KafkaStorageException.class, () -> old.enforceRetention(0));
        }
        assertEquals(List.of("before", "idem"), values(fetch(broker, tp, 0)));
        assertEquals("producer state kept", 1,
                produce(broker, tp, Records.idempotent(5, (short) 0, 0, "idem")).baseOffset());
        assertEquals(2, produce(broker, tp, Records.batch("after")).baseOffset());
        assertEquals(List.of("before", "idem", "after"), values(fetch(broker, tp, 0)));
        BrokerFixture.createTopic(broker, "later", 1);
        assertSame("new partitions open through the new engine", b,
                broker.registry().get(new TopicPartition("later", 0)).engine());
    }

    @Test
    public void appendsDuringASwapWaitAndLoseNothing() throws Exception {
        BrokerServer broker = fixture.start(0, Map.of());
        BrokerFixture.createTopic(broker, "busy", 1);
        TopicPartition tp = new TopicPartition("busy", 0);
        ExecutorService producer = Executors.newSingleThreadExecutor();
        try {
            Future<List<ProduceResult>> results = producer.submit(() -> {
                List<ProduceResult> out = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    out.add(produce(broker, tp, Records.batch("m" + i)));
                }
                return out;
            });
            for (int i = 0; i < 3; i++) {
                broker.swapStorage(BrokerFixture.engine());
            }
            List<ProduceResult> all = results.get(30, TimeUnit.SECONDS);
            for (int i = 0; i < all.size(); i++) {
                assertEquals(Errors.NONE, all.get(i).error());
                assertEquals(i, all.get(i).baseOffset());
            }
            assertEquals(200, values(fetch(broker, tp, 0)).size());
        } finally {
            producer.shutdownNow();
        }
    }

    @Test
    public void otherBrokersFollowTopicChangesThroughWatches() throws Exception {
        BrokerServer b0 = fixture.start(0, Map.of());
        BrokerServer b1 = fixture.start(1, Map.of());
        Poll.until("both brokers known", () -> b0.clusterView().brokers().size() == 2);
        assertEquals(Errors.NONE, b0.topicAdmin().createTopic("shared", 4, (short) 2, Map.of(), Map.of(), false)
                .error());
        Poll.until("b1 sees the topic", () -> b1.clusterView().topic("shared").isPresent()
                && b1.clusterView().topic("shared").get().partitions().stream().allMatch(p -> p.leader() >= 0));
        TopicView seen = b1.clusterView().topic("shared").orElseThrow();
        assertEquals(b0.clusterView().topic("shared").orElseThrow(), seen);
        assertEquals(4, b1.registry().all().size());
        for (var p : seen.partitions()) {
            TopicPartition tp = new TopicPartition("shared", p.partition());
            BrokerServer leader = p.leader() == 0 ? b0 : b1;
            BrokerServer follower = p.leader() == 0 ? b1 : b0;
            assertTrue(leader.registry().get(tp).leader());
            assertFalse(follower.registry().get(tp).leader());
            assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, produce(follower, tp, Records.batch("x")).error());
        }
        assertEquals(Errors.NONE, b1.topicAdmin().deleteTopic("shared").error());
        Poll.until("b0 deleted its logs", () -> b0.registry().all().isEmpty() && b0.clusterView().topic("shared").isEmpty());
    }

    @Test
    public void theCleanerChecksCompactedLogsEveryBackoffAndTheBackoffChangesLive() throws Exception {
        // the retention check (first after 30 s) cannot be what compacts here
        BrokerServer b = fixture.start(0, Map.of("log.cleaner.backoff.ms", 3_600_000));
        b.topicAdmin().createTopic("compacted", 1, (short) 1, Map.of(),
                Map.of("cleanup.policy", "compact", "segment.bytes", "100"), false);
        TopicPartition tp = new TopicPartition("compacted", 0);
        for (int i = 0; i < 10; i++) {
            produce(b, tp, MemoryRecords.withRecords(Compression.NONE,
                    new SimpleRecord(System.currentTimeMillis(), "key".getBytes(), ("v" + i).getBytes())).buffer());
        }
        assertEquals(10, fetchedValues(b, tp).size());

        b.reconfigure(BrokerSettings.from(TestConfig.of(Map.of("broker.id", 0, "log.dirs",
                b.settings().logDirs().get(0).toString(), "log.cleaner.backoff.ms", 20)), BrokerFixture.LOCAL_ENDPOINT));
        Poll.until("the cleaner to compact the sealed segments down to the latest value of the key",
                () -> fetchedValues(b, tp).equals(List.of("v8", "v9")));
        assertEquals("offsets stay", 10, b.registry().get(tp).log().logEndOffset());
    }

    /** Every value in the log, fetch after fetch: one fetch may stop at a segment's end. */
    private static List<String> fetchedValues(BrokerServer b, TopicPartition tp) {
        List<String> all = new ArrayList<>();
        try {
            long offset = 0;
            while (offset < b.registry().get(tp).log().logEndOffset()) {
                var result = fetch(b, tp, offset);
                all.addAll(values(result));
                // a compacted batch may keep no record, only its offsets
                long last = offset;
                for (var batch : Records.read(result.records()).batches()) {
                    last = batch.lastOffset();
                }
                offset = last + 1;
            }
            return all;
        } catch (Exception e) {
            return List.of("fetch failed: " + e);
        }
    }

    @Test
    public void retentionDeletesOldSegments() throws Exception {
        BrokerServer b = fixture.start(0, Map.of("log.retention.ms", 60_000));
        // Segments of one batch each, so that retention has whole old segments to delete.
        b.topicAdmin().createTopic("old", 1, (short) 1, Map.of(), Map.of("segment.bytes", "100"), false);
        TopicPartition tp = new TopicPartition("old", 0);
        long now = System.currentTimeMillis();
        produce(b, tp, Records.batchAt(Compression.NONE, now - 3_600_000, "ancient"));
        produce(b, tp, Records.batchAt(Compression.NONE, now - 3_600_000, "old"));
        produce(b, tp, Records.batchAt(Compression.NONE, now, "fresh"));
        assertEquals(2, b.retention().runOnce(now));
        assertEquals(2, b.registry().get(tp).log().logStartOffset());
        assertEquals(List.of("fresh"), values(fetch(b, tp, 2)));
        assertEquals(0, b.retention().runOnce(now));
    }

    @Test
    public void flushMsFsyncsLogsOnATimer() throws Exception {
        BrokerServer b = fixture.start(0, Map.of());
        b.topicAdmin().createTopic("timed", 1, (short) 1, Map.of(), Map.of("flush.ms", "100"), false);
        b.topicAdmin().createTopic("untimed", 1, (short) 1, Map.of(), Map.of(), false);
        produce(b, new TopicPartition("timed", 0), Records.batch("a"));
        produce(b, new TopicPartition("untimed", 0), Records.batch("b"));
        long now = System.currentTimeMillis();
        assertEquals("nothing is due at first", 0, b.retention().flushDue(now));
        assertEquals("only the log with flush.ms is flushed once it is due", 1, b.retention().flushDue(now + 150));
        assertEquals("and not again before flush.ms passes", 0, b.retention().flushDue(now + 200));
        assertEquals(1, b.retention().flushDue(now + 300));
    }

    @Test
    public void logsSpreadOverLogDirsAndStrayDirectoriesAreKeptAside() throws Exception {
        Path d1 = tmp.newFolder("d1").toPath();
        Path d2 = tmp.newFolder("d2").toPath();
        BrokerServer b = fixture.start(0, Map.of("log.dirs", d1 + "," + d2));
        BrokerFixture.createTopic(b, "spread", 4);
        try (var l1 = Files.list(d1); var l2 = Files.list(d2)) {
            assertEquals(2, l1.count());
            assertEquals(2, l2.count());
        }
        Path dir = b.registry().get(new TopicPartition("spread", 0)).dir();
        assertTrue(Files.readString(dir.resolve("partition.metadata")).contains(
                b.clusterView().topic("spread").orElseThrow().topicId().toString()));

        // A directory of an earlier topic with the same name is moved aside, not reused.
        Files.createDirectories(d1.resolve("reborn-0"));
        Files.writeString(d1.resolve("reborn-0/partition.metadata"), "version: 0\ntopic_id: " + Uuid.randomUuid());
        BrokerFixture.createTopic(b, "reborn", 1);
        try (var l1 = Files.list(d1)) {
            assertTrue(l1.anyMatch(p -> p.getFileName().toString().matches("reborn-0\\..*-stray")));
        }
        assertNotNull(b.registry().get(new TopicPartition("reborn", 0)));
    }

    @Test
    public void settingsTakeTheFrontEndsEndpointAndParseRetention() {
        ListenerEndpoints.Endpoint endpoint = BrokerFixture.endpoint("PLAINTEXT://broker.example:9093");
        BrokerSettings s = BrokerSettings.from(TestConfig.of(Map.of("log.retention.minutes", 5, "log.roll.ms", 1000,
                "log.dirs", "a, b")), endpoint);
        assertEquals("broker.example", s.host());
        assertEquals(9093, s.port());
        assertEquals(300_000, s.logDefaults().retentionMs());
        assertEquals(1000, s.logDefaults().segmentMs());
        assertEquals(2, s.logDirs().size());
        BrokerSettings other = BrokerSettings.from(TestConfig.of(Map.of("log.retention.hours", -1)),
                BrokerFixture.endpoint("PLAINTEXT://::1:3"));
        assertEquals("::1", other.host());
        assertEquals(3, other.port());
        assertEquals(-1, other.logDefaults().retentionMs());
        assertEquals(LogConfig.DEFAULTS, BrokerSettings.from(TestConfig.of(Map.of()), endpoint).logDefaults());
        assertThrows(IllegalArgumentException.class,
                () -> BrokerSettings.from(TestConfig.of(Map.of("log.dirs", " ")), endpoint));
        assertTrue(s.sameExceptTargets(BrokerSettings.from(TestConfig.of(Map.of("log.retention.minutes", 5,
                "log.roll.ms", 1000, "log.dirs", "a, b", "storage.target", "(storage.engine=mmap)")), endpoint)));
        assertFalse(s.sameExceptTargets(other));
    }

    @Test
    public void unreachableCoordinatorFailsStartAndAdminOperationsCleanly() throws Exception {
        BrokerServer b = fixture.start(0, Map.of());
        fixture.coordinator.setReachable(false);
        assertEquals(Errors.REQUEST_TIMED_OUT, b.topicAdmin().createTopic("t", 1, (short) 1, Map.of(), Map.of(),
                false).error());
        fixture.coordinator.setReachable(true);
        fixture.stop(b);
        fixture.coordinator.setReachable(false);
        assertThrows(RuntimeException.class, () -> fixture.start(0, Map.of()));
        fixture.coordinator.setReachable(true);
        assertTrue("nothing left registered", fixture.coordinator.liveBrokers().isEmpty());
    }
}
