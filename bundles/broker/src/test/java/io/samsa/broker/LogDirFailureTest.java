package io.samsa.broker;

import static io.samsa.broker.BrokerFixture.fetch;
import static io.samsa.broker.BrokerFixture.produce;
import static io.samsa.broker.BrokerFixture.values;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.broker.FetchPosition;
import io.samsa.api.broker.FetchResult;
import io.samsa.api.broker.PartitionView;
import io.samsa.api.broker.ProduceResult;
import io.samsa.api.storage.PartitionLog;
import io.samsa.broker.FaultInjectingEngine.Op;

/** A disk failure in one log dir takes that dir offline and leaves the other serving (Kafka's JBOD behaviour). */
public class LogDirFailureTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private BrokerFixture fixture;
    private Path d1;
    private Path d2;
    private FaultInjectingEngine engine;
    private BrokerServer broker;
    /** Partitions of topic "t" by the log dir holding them. */
    private final List<TopicPartition> inD1 = new ArrayList<>();
    private final List<TopicPartition> inD2 = new ArrayList<>();

    @Before
    public void setUp() throws Exception {
        fixture = new BrokerFixture(tmp.getRoot().toPath());
        d1 = tmp.newFolder("d1").toPath();
        d2 = tmp.newFolder("d2").toPath();
        engine = new FaultInjectingEngine(BrokerFixture.engine());
    }

    @After
    public void tearDown() {
        fixture.close();
    }

    private Map<String, Object> twoDirs() {
        return Map.of("log.dirs", d1 + "," + d2);
    }

    /** Starts the broker on d1 and d2 with topic "t" of four partitions, each holding one record. */
    private void startWithTopic() throws Exception {
        broker = fixture.start(0, twoDirs(), engine);
        BrokerFixture.createTopic(broker, "t", 4);
        for (int p = 0; p < 4; p++) {
            TopicPartition tp = new TopicPartition("t", p);
            assertEquals(Errors.NONE, produce(broker, tp, Records.batch("before-" + p)).error());
            Path logDir = broker.registry().get(tp).dir().getParent();
            (logDir.equals(d1) ? inD1 : inD2).add(tp);
        }
        assertEquals("spread over both dirs", 2, inD1.size());
        assertEquals(2, inD2.size());
    }

    private static String before(TopicPartition tp) {
        return "before-" + tp.partition();
    }

    private List<Integer> offlineReplicas(String topic, int partition) {
        PartitionView view = broker.clusterView().topic(topic).orElseThrow().partitions().get(partition);
        assertEquals(partition, view.partition());
        return view.offline();
    }

    private void assertOffline(TopicPartition tp) throws Exception {
        assertEquals(Errors.KAFKA_STORAGE_ERROR, produce(broker, tp, Records.batch("x")).error());
        assertEquals(Errors.KAFKA_STORAGE_ERROR, fetch(broker, tp, 0).error());
        assertEquals(Errors.KAFKA_STORAGE_ERROR,
                broker.partitionService().listOffset(tp, -1, IsolationLevel.READ_UNCOMMITTED).error());
        assertEquals(Errors.KAFKA_STORAGE_ERROR,
                broker.partitionService().listOffset(tp, 0, IsolationLevel.READ_UNCOMMITTED).error());
        assertEquals(Errors.KAFKA_STORAGE_ERROR, broker.partitionService().deleteRecords(tp, 0).error());
        assertNull("log closed and forgotten", broker.registry().get(tp));
        assertEquals("Metadata lists the offline replica", List.of(0), offlineReplicas(tp.topic(), tp.partition()));
    }

    /** The partitions in d2 still take writes and serve everything written before. */
    private void assertD2Serves(String value) throws Exception {
        for (TopicPartition tp : inD2) {
            ProduceResult r = produce(broker, tp, Records.batch(value));
            assertEquals(Errors.NONE, r.error());
            List<String> all = values(fetch(broker, tp, 0));
            assertEquals(before(tp), all.get(0));
            assertEquals(value, all.get(all.size() - 1));
            assertEquals(List.of(), offlineReplicas("t", tp.partition()));
        }
    }

    @Test
    public void fullDiskOnAppendTakesOnlyItsLogDirOffline() throws Exception {
        startWithTopic();
        engine.fail(d1, () -> new IOException("No space left on device"), Op.APPEND);

        ProduceResult failed = produce(broker, inD1.get(0), Records.batch("never-acknowledged"));
        assertEquals(Errors.KAFKA_STORAGE_ERROR, failed.error());
        assertTrue(failed.message(), failed.message().contains("No space left on device"));
        assertEquals(List.of(d2), broker.registry().logDirs().online());
        String reason = broker.registry().logDirs().offline().get(d1);
        assertTrue(reason, reason.contains(inD1.get(0).toString()) && reason.contains("No space left on device"));

        // DescribeLogDirs (kafka-log-dirs.sh) shows d1 failed and what d2 holds.
        List<io.samsa.api.broker.LogDirDescription> dirs = broker.partitionService().describeLogDirs();
        assertEquals(List.of(d1.toString(), d2.toString()), dirs.stream().map(d -> d.path()).toList());
        assertEquals(Errors.KAFKA_STORAGE_ERROR, dirs.get(0).error());
        assertTrue(dirs.get(0).partitionSizes().isEmpty());
        assertEquals(Errors.NONE, dirs.get(1).error());
        assertTrue("file system sizes: " + dirs.get(1), dirs.get(1).totalBytes() > 0 && dirs.get(1).usableBytes() >= 0);
        assertEquals(java.util.Set.copyOf(inD2), dirs.get(1).partitionSizes().keySet());
        for (TopicPartition tp : inD2) {
            assertEquals(tp.toString(), broker.registry().get(tp).log().sizeInBytes(),
                    (long) dirs.get(1).partitionSizes().get(tp));
            assertTrue(tp + " holds a batch", dirs.get(1).partitionSizes().get(tp) > 61);
        }

        engine.heal(); // the dir stays offline although writes would work again
        for (TopicPartition tp : inD1) {
            assertOffline(tp);
            Path segment = d1.resolve(tp.topic() + "-" + tp.partition()).resolve("00000000000000000000.log");
            assertTrue("files kept", Files.size(segment) > 0);
        }
        assertD2Serves("after");

        // Swapping the engine re-opens the healthy logs only; closed logs do not count as disk failures.
        broker.swapStorage(BrokerFixture.engine());
        assertEquals(List.of(d2), broker.registry().logDirs().online());
        assertOffline(inD1.get(1));
        assertD2Serves("after-swap");

        // A restart on a working disk brings d1 back with exactly what was acknowledged.
        fixture.stop(broker);
        broker = fixture.start(0, twoDirs());
        assertTrue(broker.registry().logDirs().offline().isEmpty());
        for (TopicPartition tp : inD1) {
            assertEquals(List.of(before(tp)), values(fetch(broker, tp, 0)));
            assertEquals(1, produce(broker, tp, Records.batch("next")).baseOffset());
            assertEquals(List.of(), offlineReplicas("t", tp.partition()));
        }
        for (TopicPartition tp : inD2) {
            assertEquals(List.of(before(tp), "after", "after-swap"), values(fetch(broker, tp, 0)));
        }
    }

    @Test
    public void newPartitionsGoToTheHealthyDir() throws Exception {
        startWithTopic();
        engine.fail(d1, () -> new IOException("Input/output error"), Op.APPEND);
        assertEquals(Errors.KAFKA_STORAGE_ERROR, produce(broker, inD1.get(0), Records.batch("x")).error());

        BrokerFixture.createTopic(broker, "fresh", 3);
        for (int p = 0; p < 3; p++) {
            TopicPartition tp = new TopicPartition("fresh", p);
            assertEquals(d2, broker.registry().get(tp).dir().getParent());
            assertEquals(Errors.NONE, produce(broker, tp, Records.batch("v" + p)).error());
            assertEquals(List.of("v" + p), values(fetch(broker, tp, 0)));
        }
        try (var inD1Now = Files.list(d1)) {
            assertFalse(inD1Now.anyMatch(d -> d.getFileName().toString().startsWith("fresh-")));
        }
        engine.heal();

        // Deleting the topic forgets its offline replicas; re-created, it lives in d2.
        assertEquals(Errors.NONE, broker.topicAdmin().deleteTopic("t").error());
        assertTrue(broker.registry().offlinePartitions().isEmpty());
        BrokerFixture.createTopic(broker, "t", 2);
        for (int p = 0; p < 2; p++) {
            TopicPartition tp = new TopicPartition("t", p);
            assertEquals(d2, broker.registry().get(tp).dir().getParent());
            assertEquals(0, produce(broker, tp, Records.batch("reborn")).baseOffset());
        }
    }

    @Test
    public void readFailureTakesTheDirOfflineAndAnswersParkedFetches() throws Exception {
        startWithTopic();
        TopicPartition parkedOn = inD1.get(1);
        CompletableFuture<Map<TopicPartition, FetchResult>> parked = broker.partitionService().fetch(-1, 30_000, 1,
                1 << 20, IsolationLevel.READ_UNCOMMITTED, Map.of(parkedOn, new FetchPosition(1, 1 << 20, -1)));
        assertFalse("waits for data", parked.isDone());

        engine.fail(d1, () -> new UncheckedIOException(new IOException("Input/output error")), Op.READ);
        assertEquals(Errors.KAFKA_STORAGE_ERROR, fetch(broker, inD1.get(0), 0).error());
        assertEquals("parked fetch answered at once", Errors.KAFKA_STORAGE_ERROR,
                parked.get(5, TimeUnit.SECONDS).get(parkedOn).error());
        assertEquals(List.of(d1), List.copyOf(broker.registry().logDirs().offline().keySet()));
        for (TopicPartition tp : inD1) {
            assertOffline(tp); // writes fail too: the whole dir is offline, not just its reads
        }
        assertD2Serves("after");
    }

    @Test
    public void listOffsetsRetentionAndDeleteRecordsFailuresAreDiskFailuresToo() throws Exception {
        startWithTopic();
        engine.fail(d1, () -> new IOException("Input/output error"), Op.TIMESTAMP_LOOKUP);
        assertEquals(Errors.KAFKA_STORAGE_ERROR,
                broker.partitionService().listOffset(inD1.get(0), 0, IsolationLevel.READ_UNCOMMITTED).error());
        assertOffline(inD1.get(1));

        engine.fail(d2, () -> new IOException("Read-only file system"), Op.RETENTION);
        assertEquals(0, broker.retention().runOnce(System.currentTimeMillis()));
        assertTrue("all dirs offline", broker.registry().logDirs().online().isEmpty());
        for (TopicPartition tp : inD2) {
            assertOffline(tp);
        }
        // Kept running: new topics are accepted in the metadata, and their replicas here are offline.
        engine.heal();
        BrokerFixture.createTopic(broker, "nowhere", 1);
        assertOffline(new TopicPartition("nowhere", 0));
    }

    @Test
    public void deleteRecordsFailureTakesTheDirOffline() throws Exception {
        startWithTopic();
        // The unchecked wrapper the storage engines use for I/O errors counts as a disk failure.
        engine.fail(d2, () -> new KafkaStorageException("segment write failed", new IOException("Input/output error")),
                Op.DELETE_RECORDS);
        TopicPartition tp = inD2.get(0);
        produce(broker, tp, Records.batch("more"));
        assertEquals(Errors.KAFKA_STORAGE_ERROR, broker.partitionService().deleteRecords(tp, 1).error());
        assertEquals(List.of(d1), broker.registry().logDirs().online());
        assertOffline(tp);
        for (TopicPartition ok : inD1) {
            assertEquals(Errors.NONE, produce(broker, ok, Records.batch("fine")).error());
            assertEquals(List.of(before(ok), "fine"), values(fetch(broker, ok, 0)));
        }
    }

    @Test
    public void openFailureTakesTheDirOfflineAndOtherPartitionsOpen() throws Exception {
        broker = fixture.start(0, twoDirs(), engine);
        engine.fail(d1, () -> new IOException("Permission denied"), Op.OPEN);
        BrokerFixture.createTopic(broker, "t", 2);
        TopicPartition first = new TopicPartition("t", 0);
        TopicPartition second = new TopicPartition("t", 1);
        assertOffline(first);
        assertEquals(d2, broker.registry().get(second).dir().getParent());
        assertEquals(Errors.NONE, produce(broker, second, Records.batch(Compression.gzip().build(), "ok")).error());
        assertEquals(List.of("ok"), values(fetch(broker, second, 0)));
        assertEquals(List.of(), offlineReplicas("t", 1));
        assertTrue(broker.registry().logDirs().offline().get(d1).contains("Permission denied"));
    }

    @Test
    public void otherErrorsDoNotTakeTheDirOffline() throws Exception {
        startWithTopic();
        engine.fail(d1, () -> new IllegalStateException("a bug, not a disk"), Op.APPEND);
        TopicPartition tp = inD1.get(0);
        ProduceResult r = produce(broker, tp, Records.batch("x"));
        assertEquals(Errors.UNKNOWN_SERVER_ERROR, r.error());
        assertTrue(broker.registry().logDirs().offline().isEmpty());
        engine.heal();
        assertEquals(1, produce(broker, tp, Records.batch("y")).baseOffset());
        assertEquals(List.of(before(tp), "y"), values(fetch(broker, tp, 0)));
        assertEquals(List.of(), offlineReplicas("t", tp.partition()));
    }

    @Test
    public void writesWaitingForAcksAreNotAcknowledgedWhenTheDirGoesOffline() throws Exception {
        startWithTopic();
        TopicPartition waiting = inD1.get(1);
        fixture.apply(broker, waiting, 0, 0, 1);
        // As if a second in-sync replica never fetched: the high watermark stays back.
        fixture.replication.stall(waiting);
        CompletableFuture<Map<TopicPartition, ProduceResult>> pending = broker.partitionService()
                .append(Map.of(waiting, Records.batch("unreplicated")), (short) -1, 30_000, false);
        assertFalse(pending.isDone());

        engine.fail(d1, () -> new IOException("Input/output error"), Op.APPEND);
        assertEquals(Errors.KAFKA_STORAGE_ERROR, produce(broker, inD1.get(0), Records.batch("x")).error());
        assertEquals(Errors.KAFKA_STORAGE_ERROR, pending.get(5, TimeUnit.SECONDS).get(waiting).error());
        assertD2Serves("after");
    }

    @Test
    public void aLogClosedUnderAReaderIsNoDiskFailure() throws Exception {
        startWithTopic();
        TopicPartition tp = inD1.get(0);
        Partition p = broker.registry().get(tp);
        PartitionLog old = p.log(); // what a fetch in flight holds while the engine is swapped
        broker.swapStorage(BrokerFixture.engine());
        Exception closed = assertThrows(Exception.class, () -> old.read(0, 1 << 20, 1));
        assertTrue("looks like a disk failure: " + closed, LogDirs.isStorageFailure(closed));
        assertEquals(Errors.KAFKA_STORAGE_ERROR, p.readFailed(old, "read", closed));
        assertEquals("the swap's close is not a disk failure", List.of(d1, d2),
                broker.registry().logDirs().online());
        assertEquals(List.of(before(tp)), values(fetch(broker, tp, 0)));

        // The same error from the live log is one.
        assertEquals(Errors.KAFKA_STORAGE_ERROR, p.readFailed(p.log(), "read", closed));
        assertEquals(List.of(d2), broker.registry().logDirs().online());
        assertOffline(tp);
    }

    @Test
    public void unwritableDirAtStartupIsOfflineWhileTheOtherWorks() throws Exception {
        Path blocker = tmp.newFile("blocker").toPath();
        Path unusable = blocker.resolve("logs"); // its parent is a regular file
        broker = fixture.start(0, Map.of("log.dirs", unusable + "," + d2), engine);
        assertEquals(List.of(d2), broker.registry().logDirs().online());
        assertTrue(broker.registry().logDirs().offline().get(unusable).startsWith("cannot create or write it"));

        BrokerFixture.createTopic(broker, "t", 3);
        for (int p = 0; p < 3; p++) {
            TopicPartition tp = new TopicPartition("t", p);
            assertEquals(d2, broker.registry().get(tp).dir().getParent());
            assertEquals(Errors.NONE, produce(broker, tp, Records.batch("v")).error());
            assertEquals(List.of("v"), values(fetch(broker, tp, 0)));
            assertEquals(List.of(), offlineReplicas("t", p));
        }
    }

    @Test
    public void partitionsOfADirLostAcrossARestartAreOfflineNotRecreatedEmpty() throws Exception {
        startWithTopic();
        fixture.stop(broker);
        Files.move(d1, tmp.getRoot().toPath().resolve("d1-unplugged"));
        Files.writeString(d1, "not a directory");

        broker = fixture.start(0, twoDirs(), BrokerFixture.engine());
        assertEquals(List.of(d2), broker.registry().logDirs().online());
        for (TopicPartition tp : inD1) {
            assertOffline(tp);
            assertFalse("no empty replacement", Files.exists(d2.resolve(tp.topic() + "-" + tp.partition())));
        }
        for (TopicPartition tp : inD2) {
            assertEquals(List.of(before(tp)), values(fetch(broker, tp, 0)));
        }
        BrokerFixture.createTopic(broker, "later", 1);
        assertNotNull("partitions created after startup are new", broker.registry().get(
                new TopicPartition("later", 0)));
    }

    @Test
    public void noUsableLogDirFailsTheStart() throws Exception {
        Path blocker = tmp.newFile("blocker").toPath();
        IOException e = assertThrows(IOException.class, () -> fixture.start(0,
                Map.of("log.dirs", blocker.resolve("a") + "," + blocker.resolve("b"))));
        assertTrue(e.getMessage(), e.getMessage().contains(blocker.resolve("a").toString())
                && e.getMessage().contains(blocker.resolve("b").toString()));
        assertTrue("nothing left registered", fixture.coordinator.liveBrokers().isEmpty());
    }
}
