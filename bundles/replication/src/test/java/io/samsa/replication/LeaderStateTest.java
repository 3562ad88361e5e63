package io.samsa.replication;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.replication.FollowerFetchCheck;
import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.ReplicaSettings;
import io.samsa.api.replication.StateUpdate;
import io.samsa.api.storage.EpochEndOffset;

/**
 * The leader's follower tracking, high watermark and ISR decisions, on a real log, with a clock
 * the test moves. Broker 1 leads; 2 and 3 follow.
 */
public class LeaderStateTest {
    static final TopicPartition TP = new TopicPartition("orders", 0);
    static final long LAG = 30_000;
    static final int EPOCH = 5;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    final ManualClock clock = new ManualClock(1_000_000);
    final TestHost host = new TestHost(1, 1, 2, 3);
    final TimerWheel timer = new TimerWheel(10, 512, clock.getAsLong());
    final List<LeaderState> submitted = new ArrayList<>();
    LogReplica replica;

    @After
    public void close() throws IOException {
        if (replica != null) {
            replica.close();
        }
    }

    static PartitionState state(List<Integer> isr, int partitionEpoch) {
        return new PartitionState(1, EPOCH, isr, partitionEpoch, 1, LeaderRecoveryState.RECOVERED);
    }

    LogReplica replica() throws IOException {
        if (replica == null) {
            replica = new LogReplica(TP, Uuid.randomUuid(), tmp.getRoot().toPath());
        }
        return replica;
    }

    /** Leadership of epoch 5 over the log as it is, as the runtime starts it. */
    LeaderState lead(List<Integer> replicas, List<Integer> isr, int minIsr) throws IOException {
        LogReplica r = replica();
        long leo = r.logEndOffset();
        r.assignEpochStartOffset(EPOCH, leo);
        LeaderState l = new LeaderState(r, host, PartitionAssignment.of(replicas), state(isr, 0),
                new ReplicaSettings(minIsr), leo, clock, LAG, timer, submitted::add);
        l.start();
        return l;
    }

    LeaderState lead3() throws IOException {
        return lead(List.of(1, 2, 3), List.of(1, 2, 3), 2);
    }

    long append(LeaderState l, int count) throws IOException {
        long leo = replica().appendAsLeader(count, EPOCH);
        l.appended(leo);
        return leo;
    }

    /** A follower's fetch at {@code offset}: the check, then the read's report. */
    void fetch(LeaderState l, int follower, long epoch, long offset) {
        FollowerFetchCheck check = l.checkFollowerFetch(follower, epoch, offset, -1);
        assertTrue(check.toString(), check.reads());
        l.followerFetched(follower, epoch, offset, replica.logEndOffset(), clock.getAsLong());
    }

    @Test
    public void theHighWatermarkIsTheLowestLogEndOverTheIsrAndWaitsForFollowersItHasNotHeardFrom() throws Exception {
        LeaderState l = lead3();
        append(l, 10);
        assertEquals("the followers' log ends are unknown until they fetch", 0, l.highWatermark());
        fetch(l, 2, 100, 10);
        assertEquals(0, l.highWatermark());
        fetch(l, 3, 100, 4);
        assertEquals(4, l.highWatermark());
        fetch(l, 3, 100, 10);
        assertEquals(10, l.highWatermark());
        assertEquals("published to the replica as it moved", List.of(4L, 10L), replica.highWatermarks);
        fetch(l, 3, 100, 7); // a restarted follower's shorter log: the high watermark never goes back
        assertEquals(10, l.highWatermark());
    }

    @Test
    public void aNewLeaderStartsAtTheStoredHighWatermarkNotAtItsLogEnd() throws Exception {
        LogReplica r = replica();
        r.appendAsLeader(10, 4);
        r.updateHighWatermark(6);
        LeaderState l = lead3();
        assertEquals("records 6-9 may never have been committed", 6, l.highWatermark());
        assertEquals(10, l.epochStartOffset());
        assertEquals("the epoch starts at the log end before anything is served", new EpochEndOffset(5, 10),
                r.endOffsetForEpoch(5));
        LeaderState.FollowerProgress f = l.progress(2);
        assertEquals("in-sync members count as caught up now", clock.getAsLong(), f.lastCaughtUpTimeMs);
        assertEquals("their log ends are unknown", -1, f.logEndOffset);
    }

    @Test
    public void aLeaderAloneInItsIsrCommitsWhatItHas() throws Exception {
        LogReplica r = replica();
        r.appendAsLeader(10, 4);
        LeaderState l = lead(List.of(1), List.of(1), 1);
        assertEquals(10, l.highWatermark());
        append(l, 3);
        assertEquals(13, l.highWatermark());
        assertEquals(Errors.NONE, l.checkAppend((short) -1));
    }

    @Test
    public void underMinIsrNothingBecomesVisibleAndAcksAllIsRefused() throws Exception {
        LeaderState l = lead(List.of(1, 2, 3), List.of(1, 2), 3);
        append(l, 10);
        fetch(l, 2, 100, 10);
        assertEquals("strict min ISR: acks=1 data stays invisible too (KAFKA-15583)", 0, l.highWatermark());
        assertEquals(Errors.NOT_ENOUGH_REPLICAS, l.checkAppend((short) -1));
        assertEquals(Errors.NONE, l.checkAppend((short) 1));
        assertEquals(Errors.NONE, l.checkAppend((short) 0));

        fetch(l, 3, 100, 10); // caught up: joins, and once the store has it the ISR is big enough
        IsrChange expansion = l.pendingChange();
        assertEquals(List.of(1, 2, 3), expansion.isr());
        assertEquals("not before the expansion is stored", 0, l.highWatermark());
        l.isrWriteCompleted(expansion, StateUpdate.applied(expansion.next().atPartitionEpoch(1)));
        assertEquals(10, l.highWatermark());
        assertEquals(Errors.NONE, l.checkAppend((short) -1));
    }

    @Test
    public void minIsrAboveTheReplicationFactorCountsAsTheReplicationFactor() throws Exception {
        LeaderState l = lead(List.of(1), List.of(1), 2);
        append(l, 5);
        assertEquals(5, l.highWatermark());
        assertEquals(Errors.NONE, l.checkAppend((short) -1));
    }

    @Test
    public void aPendingShrinkKeepsTheLeavingMemberInTheHighWatermark() throws Exception {
        LeaderState l = lead3();
        append(l, 10);
        fetch(l, 2, 100, 10);
        fetch(l, 3, 100, 4);
        assertEquals(4, l.highWatermark());
        clock.advance(LAG + 1);
        fetch(l, 2, 100, 10); // 2 is caught up now; 3 has not been since the leadership began
        l.maybeShrinkIsr();
        IsrChange shrink = l.pendingChange();
        assertEquals(List.of(1, 2), shrink.isr());
        assertFalse(shrink.expansion());
        assertEquals(List.of(l), submitted);
        assertEquals("the leader counts the smaller ISR", List.of(1, 2), l.isr());
        append(l, 2);
        fetch(l, 2, 100, 12);
        assertEquals("3 is still in the stored ISR: a failover may elect it", 4, l.highWatermark());

        l.isrWriteCompleted(shrink, StateUpdate.applied(shrink.next().atPartitionEpoch(1)));
        assertNull(l.pendingChange());
        assertEquals(12, l.highWatermark());
        assertEquals(1, l.committedState().partitionEpoch());
    }

    @Test
    public void aFollowerTrailingTheLeaderStaysInSyncWhileEachFetchReachesWhatTheLeaderHadAtThePrevious()
            throws Exception {
        LeaderState l = lead3();
        long start = clock.getAsLong();
        append(l, 10);
        fetch(l, 2, 100, 10);
        fetch(l, 3, 100, 0); // leader had 10 when this read began
        assertEquals("not caught up by this fetch", start, l.progress(3).lastCaughtUpTimeMs);
        clock.advance(20_000);
        long second = clock.getAsLong();
        append(l, 10);
        fetch(l, 3, 100, 10); // has what the leader had at the previous fetch, not what it has now
        assertEquals("caught up as of the previous fetch", start, l.progress(3).lastCaughtUpTimeMs);
        clock.advance(20_000);
        append(l, 10);
        fetch(l, 3, 100, 20);
        assertEquals(second, l.progress(3).lastCaughtUpTimeMs);
        fetch(l, 2, 100, 30);

        clock.advance(5_000); // 25 s since 3 was last caught up
        l.maybeShrinkIsr();
        assertNull("within replica.lag.time.max.ms", l.pendingChange());
        clock.advance(10_000); // 35 s
        l.maybeShrinkIsr();
        assertEquals(List.of(1, 2), l.pendingChange().isr());
    }

    @Test
    public void aFetchOfANewerBrokerEpochForgetsTheOldIncarnationAndAnOlderOneIsRefused() throws Exception {
        LeaderState l = lead3();
        append(l, 10);
        fetch(l, 2, 100, 10);
        assertEquals(10, l.progress(2).logEndOffset);

        // Broker 2 restarted and lost the tail of its log: its old log end must not count (KIP-903).
        host.register(2, 101);
        assertTrue(l.checkFollowerFetch(2, 101, 6, -1).reads());
        assertEquals("reset by the new incarnation", -1, l.progress(2).logEndOffset);
        assertEquals(101, l.progress(2).brokerEpoch);
        l.followerFetched(2, 101, 6, 10, clock.getAsLong());
        assertEquals("what it has now, not the larger old value", 6, l.progress(2).logEndOffset);

        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, l.checkFollowerFetch(2, 100, 10, -1).error());
        l.followerFetched(2, 100, 10, 10, clock.getAsLong());
        assertEquals("a late fetch of the old incarnation changes nothing", 6, l.progress(2).logEndOffset);

        host.register(3, 107);
        assertEquals("older than the registered epoch", Errors.NOT_LEADER_OR_FOLLOWER,
                l.checkFollowerFetch(3, 106, 0, -1).error());
        assertTrue("no epoch in the request (before v15): not checked", l.checkFollowerFetch(3, -1, 0, -1).reads());
    }

    @Test
    public void aBrokerWithoutAnAssignedReplicaIsRefused() throws Exception {
        LeaderState l = lead3();
        append(l, 5);
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, l.checkFollowerFetch(4, 100, 0, -1).error());
        assertEquals("the leader itself is no follower", Errors.NOT_LEADER_OR_FOLLOWER,
                l.checkFollowerFetch(1, 100, 0, -1).error());
        l.followerFetched(4, 100, 5, 5, clock.getAsLong());
        assertNull(l.progress(4));
        assertEquals(0, l.highWatermark());
    }

    @Test
    public void aFollowerWhoseLastEpochEndsEarlierHereIsToldWhereItDiverged() throws Exception {
        LogReplica r = replica();
        r.appendAsLeader(5, 0); // 0-4 in epoch 0
        r.appendAsLeader(5, 2); // 5-9 in epoch 2
        LeaderState l = lead3(); // epoch 5 from 10
        assertEquals("epoch 1 is not ours: epoch 0 ends at 5", FollowerFetchCheck.diverged(new EpochEndOffset(0, 5)),
                l.checkFollowerFetch(2, 100, 7, 1));
        assertEquals("ours ends earlier than the follower's offset",
                FollowerFetchCheck.diverged(new EpochEndOffset(2, 10)), l.checkFollowerFetch(2, 100, 12, 2));
        assertEquals(FollowerFetchCheck.diverged(new EpochEndOffset(2, 10)), l.checkFollowerFetch(2, 100, 10, 3));
        assertEquals(FollowerFetchCheck.READ, l.checkFollowerFetch(2, 100, 8, 2));
        assertEquals(FollowerFetchCheck.READ, l.checkFollowerFetch(2, 100, 10, 5));
        assertEquals("no follower state from a check", -1, l.progress(2).logEndOffset);

        assertEquals("beyond the log end without an epoch", Errors.OFFSET_OUT_OF_RANGE,
                l.checkFollowerFetch(2, 100, 11, -1).error());
        r.updateHighWatermark(10);
        r.maybeIncrementLogStartOffset(5);
        assertEquals("below the log start, diverged or not", Errors.OFFSET_OUT_OF_RANGE,
                l.checkFollowerFetch(2, 100, 3, 0).error());
        assertEquals(Errors.OFFSET_OUT_OF_RANGE, l.checkFollowerFetch(2, 100, 4, -1).error());
    }

    @Test
    public void aCaughtUpFollowerJoinsOnceItHasTheHighWatermarkAndTheEpochStart() throws Exception {
        LogReplica r = replica();
        r.appendAsLeader(10, 4);
        r.updateHighWatermark(4);
        LeaderState l = lead(List.of(1, 2, 3), List.of(1, 2), 1);
        fetch(l, 3, 100, 6);
        assertNull("above the high watermark but below the epoch's start offset 10", l.pendingChange());
        host.deregister(3);
        fetch(l, 3, 100, 10);
        assertNull("not live: not eligible", l.pendingChange());
        host.register(3, 100);
        fetch(l, 3, 100, 10);
        assertEquals(List.of(1, 2, 3), l.pendingChange().isr());
        assertTrue(l.pendingChange().expansion());
        assertEquals(0, l.pendingChange().expectedPartitionEpoch());
        assertEquals("the joining member counts in the high watermark", List.of(1, 2, 3), l.isr());
    }

    @Test
    public void anEndedLeadershipRefusesEverything() throws Exception {
        LeaderState l = lead3();
        assertEquals(Errors.NONE, l.checkAppend((short) 1));
        host.lease = false;
        assertEquals("the session lease ran out", Errors.NOT_LEADER_OR_FOLLOWER, l.checkAppend((short) 1));
        host.lease = true;
        l.end();
        assertFalse(l.active());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, l.checkAppend((short) 1));
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, l.checkFollowerFetch(2, 100, 0, -1).error());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER,
                l.awaitCommit(1, 1000).toCompletableFuture().getNow(Errors.UNKNOWN_SERVER_ERROR));
    }
}
