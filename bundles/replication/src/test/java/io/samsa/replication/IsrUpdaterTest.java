package io.samsa.replication;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.kafka.common.Uuid;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.samsa.api.coordination.Coordinator;
import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.LeaderReplica;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.ReplicaSettings;
import io.samsa.api.replication.StateUpdate;
import io.samsa.cluster.metadata.CoordinatorMetadataStore;
import io.samsa.testsupport.InMemoryCoordinator;
import io.samsa.testsupport.Poll;

/**
 * ISR changes written to the real cluster metadata store (over the in-memory coordinator): one
 * in flight per partition, a lost compare re-read and decided again, a coordinator outage
 * retried with backoff, and never a retry of a stale version.
 */
public class IsrUpdaterTest {
    static final long LAG = LeaderStateTest.LAG;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    final ManualClock clock = new ManualClock(7_000_000);
    final TestHost host = new TestHost(1, 1, 2, 3);
    final PartitionAssignment assignment = PartitionAssignment.of(List.of(1, 2, 3));
    InMemoryCoordinator coordinator;
    CoordinatorMetadataStore store;
    BrokerReplication runtime;
    LogReplica replica;

    @Before
    public void setUp() throws IOException {
        coordinator = new InMemoryCoordinator();
        store = new CoordinatorMetadataStore(coordinator);
        assertTrue(store.createTopic(LeaderStateTest.TP.topic(), Uuid.randomUuid(),
                new TreeMap<>(Map.of(0, assignment)), Map.of()));
        StateUpdate first = store.updatePartitionState(LeaderStateTest.TP, Coordinator.ABSENT,
                new PartitionState(1, 5, List.of(1, 2, 3), -1, 1, LeaderRecoveryState.RECOVERED), Optional.empty());
        assertTrue(first.applied());
        replica = new LogReplica(LeaderStateTest.TP, Uuid.randomUuid(), tmp.getRoot().toPath());
        runtime = new BrokerReplication(host, store, ReplicationConfig.DEFAULTS, clock, (e, c, t) -> {
            throw new IOException("no network in this test");
        }, false);
    }

    @After
    public void tearDown() throws IOException {
        runtime.close();
        replica.close();
        coordinator.close();
    }

    PartitionState stored() {
        return store.partitionState(LeaderStateTest.TP).orElseThrow();
    }

    LeaderState lead() {
        Optional<LeaderReplica> l = runtime.apply(replica, assignment, stored(), new ReplicaSettings(1));
        assertTrue(l.isPresent());
        return (LeaderState) l.get();
    }

    void fetched(LeaderState l, int follower, long offset) {
        l.followerFetched(follower, 100, offset, replica.logEndOffset(), clock.getAsLong());
    }

    @Test
    public void aShrinkIsWrittenWithThePartitionEpochItWasDecidedFrom() throws Exception {
        LeaderState l = lead();
        replica.appendAsLeader(10, 5);
        l.appended(10);
        fetched(l, 2, 10);
        clock.advance(LAG + 1);
        fetched(l, 2, 10);
        runtime.runIsrWork(); // the shrink check is due: 3 never fetched
        PartitionState now = stored();
        assertEquals(List.of(1, 2), now.isr());
        assertEquals(1, now.partitionEpoch());
        assertEquals("the leader epoch does not change with the ISR", 5, now.leaderEpoch());
        assertEquals(now, l.committedState());
        assertNull(l.pendingChange());
        assertEquals(10, l.highWatermark());
    }

    @Test
    public void oneChangeInFlightAndACoordinatorOutageIsRetriedWithBackoff() throws Exception {
        LeaderState l = lead();
        replica.appendAsLeader(10, 5);
        l.appended(10);
        coordinator.setReachable(false);
        clock.advance(LAG + 1);
        fetched(l, 2, 10);
        runtime.runIsrWork();
        assertEquals("still pending", List.of(1, 2), l.pendingChange().isr());
        assertEquals(1, runtime.isrUpdater().queued());

        fetched(l, 3, 10); // 3 caught up meanwhile: no second change while one is in flight
        assertEquals(List.of(1, 2), l.pendingChange().isr());
        assertEquals("no new decision while one is pending", l.pendingChange(), l.pendingChange());

        coordinator.setReachable(true);
        runtime.runIsrWork();
        assertEquals("backing off: not yet", 0, stored().partitionEpoch());
        clock.advance(IsrUpdater.MIN_RETRY_MS);
        runtime.runIsrWork();
        assertEquals(List.of(1, 2), stored().isr());
        assertEquals(1, stored().partitionEpoch());
        // 3 is caught up: the next change starts from what was just written, and is written next.
        assertEquals(List.of(1, 2, 3), l.pendingChange().isr());
        assertEquals(1, l.pendingChange().expectedPartitionEpoch());
        runtime.runIsrWork();
        assertEquals(List.of(1, 2, 3), stored().isr());
        assertEquals(2, stored().partitionEpoch());
        assertNull(l.pendingChange());
    }

    @Test
    public void aLostCompareIsReReadAdoptedAndDecidedAgain() throws Exception {
        LeaderState l = lead();
        replica.appendAsLeader(10, 5);
        l.appended(10);
        // The controller removes broker 3 behind the leader's back.
        PartitionState controllers = stored().withIsr(List.of(1, 2));
        assertTrue(store.updatePartitionState(LeaderStateTest.TP, 0, controllers, Optional.empty()).applied());

        clock.advance(LAG + 1);
        l.maybeShrinkIsr(); // the leader, still at partition epoch 0, wants {1}: 2 and 3 lag
        assertEquals(List.of(1), l.pendingChange().isr());
        runtime.runIsrWork();
        // Lost to epoch 1; adopted {1, 2} at epoch 1; 2 still lags: {1} again, from epoch 1.
        assertEquals(List.of(1), l.pendingChange().isr());
        assertEquals(1, l.pendingChange().expectedPartitionEpoch());
        assertEquals(1, l.committedState().partitionEpoch());
        runtime.runIsrWork();
        assertEquals(List.of(1), stored().isr());
        assertEquals(2, stored().partitionEpoch());
        assertNull(l.pendingChange());
    }

    @Test
    public void aLostCompareToAnotherLeaderStopsIsrChangesUntilTheBrokerAppliesTheNewState() throws Exception {
        LeaderState l = lead();
        PartitionState elsewhere = new PartitionState(2, 6, List.of(2, 3), -1, 2, LeaderRecoveryState.RECOVERED);
        assertTrue(store.updatePartitionState(LeaderStateTest.TP, 0, elsewhere, Optional.empty()).applied());
        clock.advance(LAG + 1);
        runtime.runIsrWork();
        assertNull(l.pendingChange());
        assertEquals("nothing written over the new leader's state", 2, stored().leader());
        assertEquals(1, stored().partitionEpoch());
        clock.advance(LAG);
        runtime.runIsrWork();
        assertNull("no more attempts with a stale state", l.pendingChange());
        assertEquals(1, stored().partitionEpoch());
        assertTrue("still leading until the broker applies the new state", l.active());

        assertTrue(runtime.apply(replica, assignment, stored(), new ReplicaSettings(1)).isEmpty());
        assertFalse(l.active());
        assertTrue(runtime.leader(LeaderStateTest.TP).isEmpty());
        assertEquals(2, runtime.fetchers().fetcherOf(LeaderStateTest.TP).sourceBroker());
    }

    @Test
    public void theIsrThreadShrinksAndWritesOnItsOwn() throws Exception {
        ReplicationConfig shortLag = new ReplicationConfig(200, 50, 1, 1 << 20, 10 << 20, 50, 1000, 1,
                Optional.empty());
        BrokerReplication threaded = new BrokerReplication(host, store, shortLag, System::currentTimeMillis,
                (e, c, t) -> {
                    throw new IOException("no network in this test");
                }, true);
        try {
            LeaderState l = (LeaderState) threaded.apply(replica, assignment, stored(), new ReplicaSettings(1))
                    .orElseThrow();
            Poll.until("the lagging followers left the stored ISR",
                    () -> stored().isr().equals(List.of(1)));
            Poll.until("the leader adopted what it wrote",
                    () -> l.committedState().isr().equals(List.of(1)) && l.pendingChange() == null);
            assertEquals(1, stored().partitionEpoch());
        } finally {
            threaded.close();
        }
    }

    @Test
    public void aNewerStateOfTheSameEpochFromTheBrokerIsAdopted() throws Exception {
        LeaderState l = lead();
        PartitionState controllers = stored().withIsr(List.of(1, 3));
        StateUpdate written = store.updatePartitionState(LeaderStateTest.TP, 0, controllers, Optional.empty());
        Optional<LeaderReplica> again = runtime.apply(replica, assignment, written.state().orElseThrow(),
                new ReplicaSettings(2));
        assertEquals("the same leadership", l, again.orElseThrow());
        assertEquals(List.of(1, 3), l.isr());
        assertEquals(1, l.committedState().partitionEpoch());

        // An older one (a reconciler behind the leader's own write) changes nothing.
        runtime.apply(replica, assignment, stored().withIsr(List.of(1, 2, 3)).atPartitionEpoch(0),
                new ReplicaSettings(2));
        assertEquals(List.of(1, 3), l.isr());
    }
}
