package io.samsa.controller;

import static io.samsa.controller.ControllerTestCluster.tp;
import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;
import org.junit.Test;

import io.samsa.api.replication.PartitionState;
import io.samsa.testsupport.Poll;

/** A broker's request for a controlled shutdown, as the controller answers it. */
public class ControlledShutdownTest {
    private final ControllerTestCluster cluster = new ControllerTestCluster();

    @After
    public void close() {
        cluster.close();
    }

    private ElectedController started(String topic, List<Integer>... replicas) {
        cluster.brokers(1, 2, 3);
        ElectedController term = ControllerTestCluster.awaitTerm(cluster.controller(1));
        cluster.createTopic(topic, replicas);
        for (int p = 0; p < replicas.length; p++) {
            cluster.awaitState(tp(topic, p), "has a state", PartitionState::exists);
        }
        return term;
    }

    /** Runs after every event queued so far: the controller's queue is one thread, in order. */
    private static void drain(ElectedController term) {
        term.electLeaders(ElectionType.PREFERRED, Optional.of(Set.of(tp("no-such-topic", 0)))).join();
    }

    @Test
    public void everyLeadershipAndIsrPlaceMovesOffTheStoppingBroker() {
        // broker 1 is the controller too: its term hands its own broker's partitions over
        ElectedController term = started("t", List.of(1, 2, 3), List.of(1, 3, 2), List.of(2, 1, 3), List.of(3, 2, 1));
        cluster.requestShutdown(1);
        PartitionState p0 = cluster.awaitLeader(tp("t", 0), 2, 1);
        assertEquals("it leaves the ISR with its leadership", List.of(2, 3), p0.isr());
        PartitionState p1 = cluster.awaitLeader(tp("t", 1), 3, 1);
        assertEquals(List.of(3, 2), p1.isr());
        PartitionState p2 = cluster.awaitState(tp("t", 2), "drops 1 from its ISR", s -> s.isr().equals(List.of(2, 3)));
        assertEquals("a follower's shutdown keeps the leader and its epoch", 2, p2.leader());
        assertEquals(0, p2.leaderEpoch());
        PartitionState p3 = cluster.awaitState(tp("t", 3), "drops 1 from its ISR", s -> s.isr().equals(List.of(3, 2)));
        assertEquals(0, p3.leaderEpoch());
        assertEquals(Set.of(1), term.shuttingDown());
    }

    @Test
    public void aPartitionInSyncOnTheStoppingBrokerAloneKeepsItsLeader() {
        ElectedController term = started("t", List.of(1), List.of(1, 2));
        PartitionState lonely = cluster.writeState(tp("t", 1), 1, 0, List.of(1));
        Poll.until("the controller sees the ISR of t-1 shrink",
                () -> term.knownState(tp("t", 1)).join().partitionEpoch() == lonely.partitionEpoch());
        cluster.requestShutdown(1);
        Poll.until("the request is seen", () -> term.shuttingDown().contains(1));
        drain(term);
        assertEquals("nobody else can take it over", lonely, cluster.state(tp("t", 1)));
        assertEquals(1, cluster.state(tp("t", 0)).leader());
    }

    @Test
    public void aLeaderAddingTheStoppingBrokerBackToItsIsrIsUndone() {
        ElectedController term = started("t", List.of(2, 1, 3));
        cluster.requestShutdown(1);
        cluster.awaitState(tp("t", 0), "drops 1 from its ISR", s -> s.isr().equals(List.of(2, 3)));
        // the leader saw broker 1 catch up before it stopped fetching
        cluster.writeState(tp("t", 0), 2, 0, List.of(2, 3, 1));
        PartitionState s = cluster.awaitState(tp("t", 0), "drops 1 again", st -> st.isr().equals(List.of(2, 3)));
        assertEquals(2, s.leader());
        assertEquals(Set.of(1), term.shuttingDown());
    }

    @Test
    public void aRequestNamingAnotherRegistrationOfTheBrokerIsIgnored() {
        ElectedController term = started("t", List.of(1, 2, 3));
        PartitionState before = cluster.state(tp("t", 0));
        cluster.requestShutdown(1, cluster.brokerEpoch(1) + 1000);
        drain(term);
        cluster.createTopic("later", List.of(2, 3));
        cluster.awaitState(tp("later", 0), "has a state", PartitionState::exists);
        drain(term);
        assertEquals(Set.of(), term.shuttingDown());
        assertEquals(before, cluster.state(tp("t", 0)));
    }

    @Test
    public void aStoppingBrokerIsNotElectedWhenAnotherLeaderGoes() {
        started("t", List.of(2, 1, 3));
        cluster.requestShutdown(1);
        cluster.awaitState(tp("t", 0), "drops 1 from its ISR", s -> s.isr().equals(List.of(2, 3)));
        cluster.killBroker(2);
        PartitionState s = cluster.awaitLeader(tp("t", 0), 3, 1);
        assertEquals(List.of(3), s.isr());
    }

    @Test
    public void aRestartedBrokerIsEligibleAgainAndPreferredElectionBringsItBack() {
        ElectedController term = started("t", List.of(1, 2, 3));
        cluster.requestShutdown(1);
        cluster.awaitLeader(tp("t", 0), 2, 1);
        cluster.restartBroker(1); // a new registration: the old request means nothing
        Poll.until("the restarted broker is not shutting down", () -> term.shuttingDown().isEmpty());
        // it caught up and its leader added it back
        PartitionState caughtUp = cluster.writeState(tp("t", 0), 2, 1, List.of(2, 3, 1));
        Poll.until("the controller sees 1 back in the ISR",
                () -> term.knownState(tp("t", 0)).join().partitionEpoch() == caughtUp.partitionEpoch());
        assertEquals(Errors.NONE, term.electLeaders(ElectionType.PREFERRED, Optional.of(Set.of(tp("t", 0)))).join()
                .get(tp("t", 0)).error());
        cluster.awaitLeader(tp("t", 0), 1, 2);
    }
}
