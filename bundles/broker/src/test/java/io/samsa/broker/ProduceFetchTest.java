package io.samsa.broker;

import static io.samsa.broker.BrokerFixture.fetch;
import static io.samsa.broker.BrokerFixture.produce;
import static io.samsa.broker.BrokerFixture.values;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.broker.FetchPosition;
import io.samsa.api.broker.FetchResult;
import io.samsa.api.broker.ProduceResult;

public class ProduceFetchTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private BrokerFixture fixture;
    private BrokerServer broker;
    private final TopicPartition tp = new TopicPartition("events", 0);

    @Before
    public void setUp() throws Exception {
        fixture = new BrokerFixture(tmp.getRoot().toPath());
        broker = fixture.start(0, Map.of());
        BrokerFixture.createTopic(broker, "events", 2);
    }

    @After
    public void tearDown() {
        fixture.close();
    }

    @Test
    public void roundTripUncompressedAndGzipWithOffsetsAssigned() throws Exception {
        ProduceResult first = produce(broker, tp, Records.batch("a", "b", "c"));
        assertEquals(Errors.NONE, first.error());
        assertEquals(0, first.baseOffset());
        ProduceResult second = produce(broker, tp, Records.batch(Compression.gzip().build(), "d", "e"));
        assertEquals(3, second.baseOffset());
        assertEquals(5, produce(broker, tp, Records.batch("f")).baseOffset());

        FetchResult all = fetch(broker, tp, 0);
        assertEquals(List.of("a", "b", "c", "d", "e", "f"), values(all));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), Records.offsets(all.records()));
        assertEquals(6, all.highWatermark());
        assertEquals(0, all.logStartOffset());
        for (RecordBatch b : Records.read(all.records()).batches()) {
            assertTrue("stored batches keep a valid CRC", b.isValid());
        }
        assertEquals(List.of("d", "e", "f"), values(fetch(broker, tp, 4)));
        FetchResult atEnd = fetch(broker, tp, 6);
        assertEquals(Errors.NONE, atEnd.error());
        assertEquals(0, atEnd.records().sizeInBytes());
    }

    @Test
    public void anAcksAllWriteIsAnsweredOnceCommittedAndTheBrokerQueuesNoTimeoutForIt() throws Exception {
        fixture.apply(broker, tp, 0, 0, 1);
        // As if a second in-sync replica had stopped fetching: the high watermark stays where it is.
        fixture.replication.stall(tp);
        // A timeout no other delayed operation of the broker has, so only this write's would be counted.
        long farAway = 10 * 60_000;
        CompletableFuture<Map<TopicPartition, ProduceResult>> pending = broker.partitionService()
                .append(Map.of(tp, Records.batch("replicated")), (short) -1, (int) farAway + 60_000, false);
        assertFalse(pending.isDone());
        assertEquals("the leadership times the wait, not the broker", 0, broker.delayedOperationsDueAfter(farAway));
        assertEquals("not committed, so consumers do not see it", 0, fetch(broker, tp, 0).highWatermark());

        fixture.replication.resume(tp);
        ProduceResult committed = pending.get(5, TimeUnit.SECONDS).get(tp);
        assertEquals(Errors.NONE, committed.error());
        assertEquals(0, committed.baseOffset());
        assertEquals(List.of("replicated"), values(fetch(broker, tp, 0)));
    }

    @Test
    public void acksAllWithTooFewInSyncReplicasAppendsNothing() throws Exception {
        produce(broker, tp, Records.batch("before"));
        fixture.apply(broker, tp, 0, 0, 2);
        ProduceResult refused = produce(broker, tp, Records.batch("unsafe"));
        assertEquals(Errors.NOT_ENOUGH_REPLICAS, refused.error());
        assertEquals(1, broker.registry().get(tp).logEndOffset());
        // acks=1 does not ask for in-sync replicas.
        assertEquals(Errors.NONE, broker.partitionService().append(Map.of(tp, Records.batch("one")), (short) 1, 1000,
                false).get(5, TimeUnit.SECONDS).get(tp).error());
        assertEquals(List.of("before", "one"), values(fetch(broker, tp, 0)));
    }

    @Test
    public void minInsyncReplicasComesFromTheTopicElseTheBroker() throws Exception {
        broker.topicAdmin().alterTopicConfig("events", Map.of("min.insync.replicas", "2"), true, false);
        fixture.coordinator.awaitCallbacks();
        broker.awaitMetadata();
        assertEquals(Errors.NOT_ENOUGH_REPLICAS, produce(broker, tp, Records.batch("unsafe")).error());
        assertEquals("nothing appended", 0, broker.registry().get(tp).logEndOffset());
        assertEquals("every partition of the topic", Errors.NOT_ENOUGH_REPLICAS,
                produce(broker, new TopicPartition("events", 1), Records.batch("unsafe")).error());
        BrokerFixture.createTopic(broker, "loose", 1);
        assertEquals("the broker default (1) for other topics", Errors.NONE,
                produce(broker, new TopicPartition("loose", 0), Records.batch("fine")).error());

        broker.topicAdmin().alterTopicConfig("events", Map.of("min.insync.replicas", "1"), true, false);
        fixture.coordinator.awaitCallbacks();
        broker.awaitMetadata();
        assertEquals(Errors.NONE, produce(broker, tp, Records.batch("safe")).error());

        BrokerServer strict = fixture.start(1, Map.of("min.insync.replicas", 2));
        assertFalse(strict.topicAdmin().createTopic("strict", -1, (short) -1, Map.of(0, List.of(1)), Map.of(), false)
                .isFailure());
        TopicPartition onStrict = new TopicPartition("strict", 0);
        fixture.coordinator.awaitCallbacks();
        strict.awaitMetadata();
        assertEquals("broker 1's default min.insync.replicas", Errors.NOT_ENOUGH_REPLICAS, strict.partitionService()
                .append(Map.of(onStrict, Records.batch("x")), (short) -1, 1000, false).get(5, TimeUnit.SECONDS)
                .get(onStrict).error());
    }

    @Test
    public void anAcksAllWriteNotCommittedInTimeTimesOut() throws Exception {
        fixture.apply(broker, tp, 0, 0, 1);
        fixture.replication.stall(tp);
        ProduceResult r = broker.partitionService().append(Map.of(tp, Records.batch("late")), (short) -1, 50, false)
                .get(5, TimeUnit.SECONDS).get(tp);
        assertEquals(Errors.REQUEST_TIMED_OUT, r.error());
    }

    @Test
    public void corruptBatchIsRejectedAndEarlierDataIsIntact() throws Exception {
        produce(broker, tp, Records.batch("good"));
        ByteBuffer bad = Records.batch("evil");
        bad.put(bad.limit() - 2, (byte) 0x7f);
        ByteBuffer mixed = Records.concat(Records.batch("fine"), bad);
        ProduceResult r = produce(broker, tp, mixed);
        assertEquals(Errors.CORRUPT_MESSAGE, r.error());
        assertEquals(List.of("good"), values(fetch(broker, tp, 0)));
        assertEquals(1, produce(broker, tp, Records.batch("next")).baseOffset());
    }

    @Test
    public void wrongMagicTooLargeAndTruncatedAreRejected() throws Exception {
        ByteBuffer v0 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V0, Compression.NONE,
                new SimpleRecord("x".getBytes())).buffer();
        assertEquals(Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT, produce(broker, tp, v0).error());
        broker.topicAdmin().alterTopicConfig("events", Map.of("max.message.bytes", "200"), true, false);
        assertEquals(Errors.MESSAGE_TOO_LARGE, produce(broker, tp, Records.batch("y".repeat(300))).error());
        ByteBuffer whole = Records.batch("z");
        assertEquals(Errors.CORRUPT_MESSAGE, produce(broker, tp, whole.slice(0, whole.remaining() - 1)).error());
        assertEquals(0, fetch(broker, tp, 0).records().sizeInBytes());
    }

    @Test
    public void unknownPartitionsAndInternalTopics() throws Exception {
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                produce(broker, new TopicPartition("nope", 0), Records.batch("a")).error());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                produce(broker, new TopicPartition("events", 7), Records.batch("a")).error());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, fetch(broker, new TopicPartition("nope", 0), 0).error());
        BrokerFixture.createTopic(broker, "__consumer_offsets", 1);
        TopicPartition internal = new TopicPartition("__consumer_offsets", 0);
        assertEquals(Errors.INVALID_TOPIC_EXCEPTION, produce(broker, internal, Records.batch("a")).error());
        Map<TopicPartition, ProduceResult> ok = broker.partitionService()
                .append(Map.of(internal, Records.batch("a")), (short) 1, 1000, true).get(5, TimeUnit.SECONDS);
        assertEquals(Errors.NONE, ok.get(internal).error());
    }

    @Test
    public void idempotentRetryIsNotAppendedTwice() throws Exception {
        assertEquals(0, produce(broker, tp, Records.idempotent(1000, (short) 0, 0, "a", "b")).baseOffset());
        assertEquals(2, produce(broker, tp, Records.idempotent(1000, (short) 0, 2, "c")).baseOffset());
        ProduceResult retry = produce(broker, tp, Records.idempotent(1000, (short) 0, 0, "a", "b"));
        assertEquals(Errors.NONE, retry.error());
        assertEquals(0, retry.baseOffset());
        ProduceResult gap = produce(broker, tp, Records.idempotent(1000, (short) 0, 9, "z"));
        assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, gap.error());
        assertEquals(3, produce(broker, tp, Records.idempotent(1000, (short) 1, 0, "new")).baseOffset());
        assertEquals(Errors.INVALID_PRODUCER_EPOCH,
                produce(broker, tp, Records.idempotent(1000, (short) 0, 3, "old")).error());
        assertEquals(List.of("a", "b", "c", "new"), values(fetch(broker, tp, 0)));
    }

    @Test
    public void fetchErrors() throws Exception {
        produce(broker, tp, Records.batch("a", "b"));
        assertEquals(Errors.OFFSET_OUT_OF_RANGE, fetch(broker, tp, 3).error());
        assertEquals(Errors.OFFSET_OUT_OF_RANGE, fetch(broker, tp, -1).error());
        assertEquals(2, fetch(broker, tp, 3).highWatermark());
        Map<TopicPartition, FetchPosition> req = new LinkedHashMap<>();
        req.put(tp, new FetchPosition(0, 1 << 20, 5));
        FetchResult future = broker.partitionService().fetch(-1, 0, 1, 1 << 20, IsolationLevel.READ_UNCOMMITTED, req)
                .get(5, TimeUnit.SECONDS).get(tp);
        assertEquals(Errors.UNKNOWN_LEADER_EPOCH, future.error());
        fixture.apply(broker, tp, 0, 3, 1);
        req.put(tp, new FetchPosition(0, 1 << 20, 2));
        assertEquals(Errors.FENCED_LEADER_EPOCH, broker.partitionService()
                .fetch(-1, 0, 1, 1 << 20, IsolationLevel.READ_UNCOMMITTED, req).get(5, TimeUnit.SECONDS).get(tp).error());
        fixture.apply(broker, tp, 1, 4, 1);
        req.put(tp, new FetchPosition(0, 1 << 20, 4));
        assertEquals("a follower knows the epoch it follows", Errors.NOT_LEADER_OR_FOLLOWER, broker.partitionService()
                .fetch(-1, 0, 1, 1 << 20, IsolationLevel.READ_UNCOMMITTED, req).get(5, TimeUnit.SECONDS).get(tp).error());
        req.put(tp, new FetchPosition(0, 1 << 20, 5));
        assertEquals(Errors.UNKNOWN_LEADER_EPOCH, broker.partitionService()
                .fetch(-1, 0, 1, 1 << 20, IsolationLevel.READ_UNCOMMITTED, req).get(5, TimeUnit.SECONDS).get(tp).error());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, fetch(broker, tp, 0).error());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, produce(broker, tp, Records.batch("c")).error());
    }

    @Test
    public void sizeLimitsAlwaysLetTheFirstBatchThrough() throws Exception {
        TopicPartition other = new TopicPartition("events", 1);
        ByteBuffer big = Records.batch("x".repeat(500));
        int bigSize = big.remaining();
        produce(broker, tp, big);
        produce(broker, tp, Records.batch("y".repeat(500)));
        produce(broker, other, Records.batch("z".repeat(500)));
        Map<TopicPartition, FetchPosition> req = new LinkedHashMap<>();
        req.put(tp, new FetchPosition(0, 100, -1));
        req.put(other, new FetchPosition(0, 1 << 20, -1));
        Map<TopicPartition, FetchResult> r = broker.partitionService()
                .fetch(-1, 0, 1, 100, IsolationLevel.READ_UNCOMMITTED, req).get(5, TimeUnit.SECONDS);
        assertEquals("first batch whole despite the limits", bigSize, r.get(tp).records().sizeInBytes());
        assertEquals("total limit reached", 0, r.get(other).records().sizeInBytes());
        assertEquals(Errors.NONE, r.get(other).error());

        req.put(tp, new FetchPosition(2, 100, -1));
        r = broker.partitionService().fetch(-1, 0, 1, 1 << 20, IsolationLevel.READ_UNCOMMITTED, req)
                .get(5, TimeUnit.SECONDS);
        assertEquals(0, r.get(tp).records().sizeInBytes());
        assertEquals("first non-empty partition may exceed", List.of("z".repeat(500)), values(r.get(other)));
    }

    @Test
    public void acksZeroStillAppends() throws Exception {
        Map<TopicPartition, ProduceResult> r = broker.partitionService()
                .append(Map.of(tp, Records.batch("fire", "forget")), (short) 0, 0, false).get(5, TimeUnit.SECONDS);
        assertEquals(Errors.NONE, r.get(tp).error());
        assertEquals(List.of("fire", "forget"), values(fetch(broker, tp, 0)));
    }
}
