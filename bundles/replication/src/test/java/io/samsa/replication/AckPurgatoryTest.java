package io.samsa.replication;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.ReplicaSettings;

/**
 * acks=all produces waiting for the high watermark: answered in offset order, with the ISR's
 * verdict when it passes, at their deadline, or when the leadership ends; and no deadline left in
 * the shared timer once a produce is answered.
 */
public class AckPurgatoryTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    final ManualClock clock = new ManualClock(5_000_000);
    final TestHost host = new TestHost(1, 1, 2, 3);
    final TimerWheel timer = new TimerWheel(10, 512, clock.getAsLong());
    LogReplica replica;
    LeaderState leader;

    @After
    public void close() throws IOException {
        if (replica != null) {
            replica.close();
        }
    }

    void lead() throws IOException {
        replica = new LogReplica(LeaderStateTest.TP, Uuid.randomUuid(), tmp.getRoot().toPath());
        replica.assignEpochStartOffset(LeaderStateTest.EPOCH, 0);
        leader = new LeaderState(replica, host, PartitionAssignment.of(List.of(1, 2, 3)),
                LeaderStateTest.state(List.of(1, 2, 3), 0), new ReplicaSettings(2), 0, clock, LeaderStateTest.LAG,
                timer, l -> { });
        leader.start();
    }

    long append(int count) throws IOException {
        long leo = replica.appendAsLeader(count, LeaderStateTest.EPOCH);
        leader.appended(leo);
        return leo;
    }

    CompletableFuture<Errors> await(long offset, int timeoutMs) {
        return leader.awaitCommit(offset, timeoutMs).toCompletableFuture();
    }

    void fetched(int follower, long offset) {
        leader.followerFetched(follower, 100, offset, replica.logEndOffset(), clock.getAsLong());
    }

    @Test
    public void producesCompleteInOffsetOrderAsTheHighWatermarkPassesThem() throws Exception {
        lead();
        append(20);
        CompletableFuture<Errors> at10 = await(10, 30_000);
        CompletableFuture<Errors> at20 = await(20, 30_000);
        CompletableFuture<Errors> at5 = await(5, 30_000); // registered late: another append's produce
        assertEquals(3, leader.waiting());
        assertEquals(3, timer.size());

        fetched(2, 7);
        fetched(3, 12);
        assertEquals(7, leader.highWatermark());
        assertEquals(Errors.NONE, at5.getNow(null));
        assertFalse(at10.isDone());
        fetched(2, 15);
        assertEquals(Errors.NONE, at10.getNow(null));
        assertFalse(at20.isDone());
        fetched(2, 20);
        fetched(3, 20);
        assertEquals(Errors.NONE, at20.getNow(null));
        assertEquals(0, leader.waiting());
        assertEquals("every answered produce's deadline left the timer", 0, timer.size());
        assertEquals("already committed: answered at once", Errors.NONE, await(15, 30_000).getNow(null));
        assertEquals(0, timer.size());
    }

    @Test
    public void aProduceIsAnsweredNotEnoughReplicasAfterAppendWhenTheIsrShrankBelowMinIsrMeanwhile()
            throws Exception {
        lead();
        append(10);
        CompletableFuture<Errors> produce = await(10, 60_000);
        clock.advance(LeaderStateTest.LAG + 1);
        leader.maybeShrinkIsr(); // neither follower fetched within the lag: shrink to {1} pending
        assertEquals(List.of(1), leader.isr());
        assertEquals(Errors.NOT_ENOUGH_REPLICAS, leader.checkAppend((short) -1));
        fetched(2, 10);
        fetched(3, 10); // the leaving members got the data: the high watermark passes it
        assertEquals(10, leader.highWatermark());
        assertEquals(Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND, produce.getNow(null));
        assertEquals(0, timer.size());
    }

    @Test
    public void aProduceTimesOutAtItsDeadlineAndLeavesNothingBehind() throws Exception {
        lead();
        append(10);
        CompletableFuture<Errors> first = await(5, 1000);
        CompletableFuture<Errors> second = await(10, 3000);
        clock.advance(990);
        assertEquals(0, timer.advance(clock.getAsLong()));
        assertFalse(first.isDone());
        clock.advance(10);
        assertEquals(1, timer.advance(clock.getAsLong()));
        assertEquals(Errors.REQUEST_TIMED_OUT, first.getNow(null));
        assertEquals("the timed-out head left the queue", 1, leader.waiting());
        fetched(2, 10);
        fetched(3, 10);
        assertEquals(Errors.NONE, second.getNow(null));
        assertEquals(0, timer.size());
        clock.advance(5000);
        assertEquals("the completed produce's deadline was cancelled", 0, timer.advance(clock.getAsLong()));
    }

    @Test
    public void aTimedOutProduceBehindTheHeadLeavesWhenTheHeadDoes() throws Exception {
        lead();
        append(10);
        CompletableFuture<Errors> head = await(5, 5000);
        CompletableFuture<Errors> behind = await(10, 1000);
        clock.advance(1000);
        timer.advance(clock.getAsLong());
        assertEquals(Errors.REQUEST_TIMED_OUT, behind.getNow(null));
        fetched(2, 10);
        fetched(3, 10);
        assertEquals(Errors.NONE, head.getNow(null));
        assertEquals(Errors.REQUEST_TIMED_OUT, behind.getNow(null));
        assertEquals(0, leader.waiting());
        assertEquals(0, timer.size());
    }

    @Test
    public void endingTheLeadershipAnswersEveryWaitingProduceAndCancelsTheirDeadlines() throws Exception {
        lead();
        append(10);
        List<CompletableFuture<Errors>> waiting = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            waiting.add(await(i, 30_000));
        }
        assertEquals(10, timer.size());
        leader.end();
        for (CompletableFuture<Errors> f : waiting) {
            assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, f.getNow(null));
        }
        assertEquals(0, timer.size());
        assertEquals(0, leader.waiting());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, await(11, 30_000).getNow(null));
    }

    @Test
    public void manyCompletedProducesLeaveNoTimerTask() throws Exception {
        lead();
        for (int i = 0; i < 1000; i++) {
            await(append(1), 30_000);
            if (i % 100 == 99) {
                fetched(2, replica.logEndOffset());
                fetched(3, replica.logEndOffset());
            }
        }
        assertEquals(0, leader.waiting());
        assertEquals(0, timer.size());
    }

    @Test
    public void theRingKeepsOrderAcrossGrowthAndTimeouts() {
        AckPurgatory p = new AckPurgatory();
        List<AckPurgatory.Waiter> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            AckPurgatory.Waiter w = new AckPurgatory.Waiter(i % 2 == 0 ? i : i - 2L); // some out of order
            all.add(w);
            p.add(w);
        }
        assertTrue(p.expire(all.get(0)));
        assertFalse("expires once", p.expire(all.get(0)));
        List<AckPurgatory.Waiter> done = new ArrayList<>();
        p.completeUpTo(19, Errors.NONE, done);
        long previous = -1;
        for (AckPurgatory.Waiter w : done) {
            assertTrue("offset order", w.requiredOffset >= previous);
            assertTrue(w.requiredOffset <= 19);
            previous = w.requiredOffset;
        }
        assertEquals("the 21 at or below 19 but the expired one", 20, done.size());
        assertEquals(Errors.REQUEST_TIMED_OUT, all.get(0).outcome);
        done.clear();
        p.completeAll(Errors.NOT_LEADER_OR_FOLLOWER, done);
        assertEquals(19, done.size());
        assertEquals(0, p.size());
    }
}
