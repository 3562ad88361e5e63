package io.samsa.broker;

import static io.samsa.broker.BrokerFixture.produce;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.broker.FetchPosition;
import io.samsa.api.broker.FetchResult;

public class LongPollFetchTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private BrokerFixture fixture;
    private BrokerServer broker;
    private final TopicPartition tp = new TopicPartition("poll", 0);

    @Before
    public void setUp() throws Exception {
        fixture = new BrokerFixture(tmp.getRoot().toPath());
        broker = fixture.start(0, Map.of());
        BrokerFixture.createTopic(broker, "poll", 1);
    }

    @After
    public void tearDown() {
        fixture.close();
    }

    private CompletableFuture<Map<TopicPartition, FetchResult>> longPoll(long offset, long maxWaitMs, int minBytes) {
        Map<TopicPartition, FetchPosition> req = new LinkedHashMap<>();
        req.put(tp, new FetchPosition(offset, 1 << 20, -1));
        return broker.partitionService().fetch(-1, maxWaitMs, minBytes, 1 << 20, IsolationLevel.READ_UNCOMMITTED,
                req);
    }

    @Test
    public void parkedFetchCompletesWhenDataArrives() throws Exception {
        CompletableFuture<Map<TopicPartition, FetchResult>> f = longPoll(0, 60_000, 1);
        assertFalse("waits while there is nothing to read", f.isDone());
        assertEquals(1, broker.parkedFetches());
        produce(broker, tp, Records.batch("wake", "up"));
        FetchResult r = f.get(5, TimeUnit.SECONDS).get(tp);
        assertEquals(List.of("wake", "up"), BrokerFixture.values(r));
        assertEquals(0, broker.parkedFetches());
    }

    @Test
    public void aConsumerWaitsForTheHighWatermarkNotForTheAppend() throws Exception {
        fixture.coordinator.awaitCallbacks();
        broker.awaitMetadata();
        // As if a follower had not fetched yet: appends do not move the high watermark.
        fixture.replication.stall(tp);
        CompletableFuture<Map<TopicPartition, FetchResult>> f = longPoll(0, 60_000, 1);
        assertEquals(Errors.NONE, broker.partitionService().append(Map.of(tp, Records.batch("pending")), (short) 1,
                1000, false).get(5, TimeUnit.SECONDS).get(tp).error());
        assertFalse("an unreplicated write does not answer a consumer (with nothing)", f.isDone());
        assertEquals(1, broker.parkedFetches());

        fixture.replication.resume(tp); // the high watermark moves, on no append
        FetchResult r = f.get(5, TimeUnit.SECONDS).get(tp);
        assertEquals(List.of("pending"), BrokerFixture.values(r));
        assertEquals(1, r.highWatermark());
        assertEquals(0, broker.parkedFetches());
    }

    @Test
    public void parkedFetchTimesOutEmpty() throws Exception {
        long start = System.nanoTime();
        CompletableFuture<Map<TopicPartition, FetchResult>> f = longPoll(0, 200, 1);
        FetchResult r = f.get(5, TimeUnit.SECONDS).get(tp);
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(Errors.NONE, r.error());
        assertEquals(0, r.records().sizeInBytes());
        assertTrue("waited " + waitedMs + " ms", waitedMs >= 190);
        assertEquals(0, broker.parkedFetches());
    }

    @Test
    public void minBytesIsHonoured() throws Exception {
        int one = Records.batch("x".repeat(100)).remaining();
        CompletableFuture<Map<TopicPartition, FetchResult>> f = longPoll(0, 60_000, one * 2 + 1);
        produce(broker, tp, Records.batch("x".repeat(100)));
        produce(broker, tp, Records.batch("x".repeat(100)));
        assertFalse("two batches are not enough yet", f.isDone());
        produce(broker, tp, Records.batch("x".repeat(100)));
        assertEquals(3, BrokerFixture.values(f.get(5, TimeUnit.SECONDS).get(tp)).size());

        // Enough data already there: answered without waiting.
        CompletableFuture<Map<TopicPartition, FetchResult>> immediate = longPoll(0, 60_000, one);
        assertTrue(immediate.isDone());
    }

    @Test
    public void errorsAndZeroWaitAnswerAtOnce() throws Exception {
        assertTrue(longPoll(0, 0, 1000).isDone());
        CompletableFuture<Map<TopicPartition, FetchResult>> outOfRange = longPoll(5, 60_000, 1);
        assertTrue(outOfRange.isDone());
        assertEquals(Errors.OFFSET_OUT_OF_RANGE, outOfRange.get().get(tp).error());
    }

    @Test
    public void deletingTheTopicAnswersParkedFetches() throws Exception {
        CompletableFuture<Map<TopicPartition, FetchResult>> f = longPoll(0, 60_000, 1);
        broker.topicAdmin().deleteTopic("poll");
        // Watch events of the creation may still be applied while the deletion runs, so the
        // fetch may see the leader go away before the topic does; both errors are retriable.
        Errors error = f.get(5, TimeUnit.SECONDS).get(tp).error();
        assertTrue(error.name(), error == Errors.UNKNOWN_TOPIC_OR_PARTITION || error == Errors.NOT_LEADER_OR_FOLLOWER);
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, BrokerFixture.fetch(broker, tp, 0).error());
    }

    @Test
    public void stoppingTheBrokerAnswersParkedFetches() throws Exception {
        CompletableFuture<Map<TopicPartition, FetchResult>> f = longPoll(0, 60_000, 1);
        fixture.stop(broker);
        assertEquals(0, f.get(5, TimeUnit.SECONDS).get(tp).records().sizeInBytes());
    }
}
