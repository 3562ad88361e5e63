package io.samsa.broker;

import static io.samsa.broker.BrokerFixture.produce;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
import io.samsa.api.replication.FollowerFetchCheck;
import io.samsa.api.replication.LeaderReplica;
import io.samsa.api.storage.EpochEndOffset;

/** A follower's fetch as the broker serves it: checked by the leadership, read to the log end, reported back. */
public class FollowerFetchTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private BrokerFixture fixture;
    private BrokerServer broker;
    private final TopicPartition tp = new TopicPartition("led", 0);
    private final ScriptedLeadership leadership = new ScriptedLeadership();
    private Partition partition;

    @Before
    public void setUp() throws Exception {
        fixture = new BrokerFixture(tmp.getRoot().toPath());
        broker = fixture.start(0, Map.of());
        BrokerFixture.createTopic(broker, "led", 1);
        fixture.apply(broker, tp, 0, 5, 1);
        produce(broker, tp, Records.batch("committed"));
        fixture.replication.stall(tp);
        broker.partitionService().append(Map.of(tp, Records.batch("tail")), (short) 1, 1000, false)
                .get(5, TimeUnit.SECONDS);
        partition = broker.registry().get(tp);
        partition.applyLeadership(Optional.of(leadership), 5);
        assertEquals(1, partition.highWatermark());
        assertEquals(2, partition.logEndOffset());
    }

    @After
    public void tearDown() {
        fixture.close();
    }

    private CompletableFuture<Map<TopicPartition, FetchResult>> followerFetch(long offset, int lastFetchedEpoch,
            long maxWaitMs) {
        Map<TopicPartition, FetchPosition> req = new LinkedHashMap<>();
        req.put(tp, new FetchPosition(offset, 1 << 20, 5, lastFetchedEpoch, 0));
        return broker.partitionService().fetch(2, 77, maxWaitMs, 1, 1 << 20, IsolationLevel.READ_UNCOMMITTED, req);
    }

    @Test
    public void aFollowerReadsToTheLogEndAndTheLeadershipHearsWhereItGot() throws Exception {
        FetchResult r = followerFetch(0, -1, 0).get(5, TimeUnit.SECONDS).get(tp);
        assertEquals(Errors.NONE, r.error());
        assertEquals("beyond the high watermark", List.of("committed", "tail"), Records.values(r.records()));
        assertEquals(List.of("check 2/77 at 0 after epoch -1", "fetched 2/77 at 0, leader end 2"), leadership.calls);
        assertEquals(1, r.highWatermark());
        assertEquals(0, r.logStartOffset());
    }

    @Test
    public void aDivergedFollowerGetsTheEpochEndAndNoRecords() throws Exception {
        leadership.check = FollowerFetchCheck.diverged(new EpochEndOffset(3, 1));
        FetchResult r = followerFetch(2, 4, 0).get(5, TimeUnit.SECONDS).get(tp);
        assertEquals(Errors.NONE, r.error());
        assertEquals(Optional.of(new EpochEndOffset(3, 1)), r.divergingEpoch());
        assertEquals(0, r.records().sizeInBytes());
        assertEquals("nothing is learnt from a diverged follower", List.of("check 2/77 at 2 after epoch 4"),
                leadership.calls);
    }

    @Test
    public void aRefusedFollowerGetsTheError() throws Exception {
        leadership.check = FollowerFetchCheck.refuse(Errors.NOT_LEADER_OR_FOLLOWER);
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, followerFetch(0, -1, 0).get(5, TimeUnit.SECONDS).get(tp).error());
        leadership.check = FollowerFetchCheck.refuse(Errors.OFFSET_OUT_OF_RANGE);
        FetchResult outOfRange = followerFetch(0, -1, 0).get(5, TimeUnit.SECONDS).get(tp);
        assertEquals(Errors.OFFSET_OUT_OF_RANGE, outOfRange.error());
        assertEquals("the follower learns where the leader's log starts", 0, outOfRange.logStartOffset());
        assertFalse(leadership.calls.stream().anyMatch(c -> c.startsWith("fetched")));
    }

    @Test
    public void aStaleLeaderEpochIsFencedBeforeTheLeadershipIsAsked() throws Exception {
        Map<TopicPartition, FetchPosition> req = new LinkedHashMap<>();
        req.put(tp, new FetchPosition(0, 1 << 20, 4, -1, 0));
        assertEquals(Errors.FENCED_LEADER_EPOCH, broker.partitionService()
                .fetch(2, 77, 0, 1, 1 << 20, IsolationLevel.READ_UNCOMMITTED, req).get(5, TimeUnit.SECONDS).get(tp)
                .error());
        assertEquals(List.of(), leadership.calls);
    }

    @Test
    public void aParkedFollowerFetchKeepsItsBrokerEpochWhenReadAgain() throws Exception {
        CompletableFuture<Map<TopicPartition, FetchResult>> parked = followerFetch(2, 5, 60_000);
        assertFalse("nothing beyond its offset yet", parked.isDone());
        broker.partitionService().append(Map.of(tp, Records.batch("new")), (short) 1, 1000, false)
                .get(5, TimeUnit.SECONDS);
        FetchResult r = parked.get(5, TimeUnit.SECONDS).get(tp);
        assertEquals(List.of("new"), Records.values(r.records()));
        assertTrue(leadership.calls.toString(), leadership.calls.size() >= 4);
        assertTrue(leadership.calls.toString(), leadership.calls.stream().allMatch(c -> c.contains("2/77")));
        assertEquals("fetched 2/77 at 2, leader end 3", leadership.calls.get(leadership.calls.size() - 1));
    }

    /** A leadership that answers follower checks as told and records what it heard. */
    private static final class ScriptedLeadership implements LeaderReplica {
        final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile FollowerFetchCheck check = FollowerFetchCheck.READ;

        @Override
        public int leaderEpoch() {
            return 5;
        }

        @Override
        public boolean active() {
            return true;
        }

        @Override
        public List<Integer> isr() {
            return List.of(0, 2);
        }

        @Override
        public Errors checkAppend(short acks) {
            return Errors.NONE;
        }

        @Override
        public void appended(long logEndOffset) {
        }

        @Override
        public CompletionStage<Errors> awaitCommit(long requiredOffset, int timeoutMs) {
            return new CompletableFuture<>();
        }

        @Override
        public FollowerFetchCheck checkFollowerFetch(int replicaId, long replicaEpoch, long fetchOffset,
                int lastFetchedEpoch) {
            calls.add("check " + replicaId + "/" + replicaEpoch + " at " + fetchOffset + " after epoch "
                    + lastFetchedEpoch);
            return check;
        }

        @Override
        public void followerFetched(int replicaId, long replicaEpoch, long fetchOffset, long leaderLogEndOffset,
                long nowMs) {
            calls.add("fetched " + replicaId + "/" + replicaEpoch + " at " + fetchOffset + ", leader end "
                    + leaderLogEndOffset);
        }
    }
}
