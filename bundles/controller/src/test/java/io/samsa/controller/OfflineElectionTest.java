package io.samsa.controller;

import static io.samsa.controller.ControllerTestCluster.tp;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.After;
import org.junit.Test;

import io.samsa.api.coordination.Coordinator;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.StateUpdate;
import io.samsa.testsupport.InMemoryCoordinator;
import io.samsa.testsupport.Poll;

/** Elections when brokers go away, come back, or restart, as event sequences over an in-memory coordinator. */
public class OfflineElectionTest {
    private final ControllerTestCluster cluster = new ControllerTestCluster();

    @After
    public void close() {
        cluster.close();
    }

    /** Brokers 1-3 live, the controller elected, and the topic's first states written. */
    private ElectedController started(String topic, List<Integer>... replicas) {
        cluster.brokers(1, 2, 3);
        ElectedController term = ControllerTestCluster.awaitTerm(cluster.controller(1));
        cluster.createTopic(topic, replicas);
        for (int p = 0; p < replicas.length; p++) {
            cluster.awaitState(tp(topic, p), "has a state", PartitionState::exists);
        }
        return term;
    }

    @Test
    public void aLostLeaderIsReplacedByTheFirstLiveInSyncReplicaAtTheNextLeaderEpoch() {
        ElectedController term = started("t", List.of(1, 2, 3), List.of(1, 3, 2), List.of(2, 1, 3));
        cluster.killBroker(1);
        PartitionState p0 = cluster.awaitLeader(tp("t", 0), 2, 1);
        assertEquals(List.of(2, 3), p0.isr());
        assertEquals("the partition epoch bumps with every write", 1, p0.partitionEpoch());
        assertEquals(term.epoch(), p0.controllerEpoch());
        PartitionState p1 = cluster.awaitLeader(tp("t", 1), 3, 1);
        assertEquals("assignment order decides", List.of(3, 2), p1.isr());
        PartitionState p2 = cluster.awaitState(tp("t", 2), "drops 1 from its ISR",
                s -> s.isr().equals(List.of(2, 3)));
        assertEquals("a follower's loss keeps the leader and its epoch", 2, p2.leader());
        assertEquals(0, p2.leaderEpoch());
        assertEquals(1, p2.partitionEpoch());
    }

    @Test
    public void aReplicaOutOfTheIsrIsNotElected() {
        started("t", List.of(1, 2, 3));
        // leader 1 had dropped 2 from the ISR
        cluster.writeState(tp("t", 0), 1, 0, List.of(1, 3));
        cluster.killBroker(1);
        PartitionState s = cluster.awaitLeader(tp("t", 0), 3, 1);
        assertEquals(List.of(3), s.isr());
    }

    @Test
    public void aDeadFollowerLeavesTheIsrAtTheSameLeaderEpoch() {
        started("t", List.of(1, 2, 3));
        cluster.killBroker(3);
        PartitionState s = cluster.awaitState(tp("t", 0), "drops 3 from its ISR", st -> st.isr().equals(List.of(1, 2)));
        assertEquals(1, s.leader());
        assertEquals(0, s.leaderEpoch());
        assertEquals(1, s.partitionEpoch());
    }

    @Test
    public void withNoLiveInSyncReplicaThePartitionIsLeaderlessUntilItsLastMemberReturns() {
        started("t", List.of(1, 2));
        cluster.killBroker(2);
        cluster.awaitState(tp("t", 0), "drops 2 from its ISR", s -> s.isr().equals(List.of(1)));
        cluster.killBroker(1);
        PartitionState leaderless = cluster.awaitLeader(tp("t", 0), -1, 1);
        assertEquals("the last in-sync member stays", List.of(1), leaderless.isr());

        cluster.startBroker(2); // out of sync: not elected while unclean election is off
        cluster.startBroker(1);
        PartitionState back = cluster.awaitLeader(tp("t", 0), 1, 2);
        assertEquals(List.of(1), back.isr());
        assertEquals("two elections and the ISR change, nothing else", 3, back.partitionEpoch());
    }

    @Test
    public void allInSyncReplicasLostAtOnceKeepTheLeader() {
        InMemoryCoordinator brokers = cluster.brokersInOneSession(1, 2, 3);
        ControllerTestCluster.awaitTerm(cluster.controller(1));
        cluster.createTopic("t", List.of(2, 1, 3));
        cluster.awaitLeader(tp("t", 0), 2, 0);
        brokers.close();
        PartitionState s = cluster.awaitLeader(tp("t", 0), -1, 1);
        assertEquals("the leader stays the one in-sync member", List.of(2), s.isr());
        assertEquals(1, s.partitionEpoch());
    }

    @Test
    public void aRestartedBrokerLosesItsLeadershipsAndIsrPlacesAndIsReelectedWhereItWasAlone() {
        started("t", List.of(1, 2, 3), List.of(2, 1, 3), List.of(1));
        long before = cluster.brokerEpoch(1);
        cluster.restartBroker(1);
        assertTrue(cluster.brokerEpoch(1) > before);
        PartitionState led = cluster.awaitLeader(tp("t", 0), 2, 1);
        assertEquals(List.of(2, 3), led.isr());
        PartitionState followed = cluster.awaitState(tp("t", 1), "drops 1 from its ISR",
                s -> s.isr().equals(List.of(2, 3)));
        assertEquals(2, followed.leader());
        assertEquals(0, followed.leaderEpoch());
        PartitionState alone = cluster.awaitLeader(tp("t", 2), 1, 2);
        assertEquals("lost (leaderless, epoch 1), then back (epoch 2)", List.of(1), alone.isr());
        assertEquals(2, alone.partitionEpoch());
    }

    /** The controller's session misses the restart's events; the resync after them still sees a new epoch. */
    @Test
    public void aRestartWhileTheControllerMissedEventsIsStillARestart() {
        cluster.brokers(1, 2);
        InMemoryCoordinator session = cluster.session();
        ControllerTestCluster.awaitTerm(cluster.controller(1, ControllerSettings.DEFAULTS,
                c -> ControllerTestCluster.store(session)));
        cluster.createTopic("t", List.of(1));
        cluster.awaitLeader(tp("t", 0), 1, 0);
        session.dropConnection();
        cluster.restartBroker(1);
        PartitionState s = cluster.awaitLeader(tp("t", 0), 1, 2);
        assertEquals("lost, then back", 2, s.partitionEpoch());
    }

    @Test
    public void aLostCompareAndSetDecidesAgainFromTheStateFound() {
        cluster.brokers(1, 2, 3);
        AtomicBoolean raced = new AtomicBoolean();
        InterceptingStore store = new InterceptingStore(ControllerTestCluster.store(cluster.session()));
        store.before((partition, expected, next) -> {
            if (expected != Coordinator.ABSENT && raced.compareAndSet(false, true)) {
                // the dying leader's last ISR change lands first: 2 fell out of sync
                cluster.writeState(partition, 1, 0, List.of(1, 3));
            }
        });
        ControllerTestCluster.awaitTerm(cluster.controller(1, ControllerSettings.DEFAULTS, c -> store));
        cluster.createTopic("t", List.of(1, 2, 3));
        cluster.awaitState(tp("t", 0), "has a state", PartitionState::exists);
        cluster.killBroker(1);
        PartitionState s = cluster.awaitLeader(tp("t", 0), 3, 1);
        assertEquals(List.of(3), s.isr());
        assertEquals(1, store.count(StateUpdate.Outcome.CONFLICT));
        InterceptingStore.Write conflict = store.writes().stream()
                .filter(w -> w.outcome().outcome() == StateUpdate.Outcome.CONFLICT).findFirst().orElseThrow();
        assertEquals("it had decided for 2 from the state it read", 2, conflict.next().leader());
        assertEquals(2, s.partitionEpoch());
    }

    @Test
    public void aTopicStateWrittenWithAnOfflineLeaderIsCorrected() {
        started("t", List.of(1, 2, 3));
        cluster.killBroker(3);
        cluster.awaitState(tp("t", 0), "drops 3 from its ISR", s -> s.isr().equals(List.of(1, 2)));
        // a stale writer puts the dead broker back as leader
        cluster.writeState(tp("t", 0), 3, 0, List.of(3, 1, 2));
        PartitionState s = cluster.awaitLeader(tp("t", 0), 1, 1);
        assertEquals(List.of(1, 2), s.isr());
    }

    @Test
    public void anUnreachableCoordinatorIsRetriedByReadingEverythingAgain() {
        cluster.brokers(1, 2, 3);
        InMemoryCoordinator session = cluster.session();
        ControllerComponent controller = cluster.controller(1, ControllerSettings.DEFAULTS, c -> ControllerTestCluster
                .store(session));
        ElectedController term = ControllerTestCluster.awaitTerm(controller);
        cluster.createTopic("t", List.of(1, 2, 3));
        cluster.awaitState(tp("t", 0), "has a state", PartitionState::exists);
        session.setReachable(false);
        cluster.killBroker(1);
        Poll.until("the controller failed to read the brokers", () -> term.failedEvents().contains("brokers changed"));
        session.setReachable(true);
        PartitionState s = cluster.awaitLeader(tp("t", 0), 2, 1);
        assertEquals(List.of(2, 3), s.isr());
    }
}
