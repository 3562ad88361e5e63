package io.samsa.controller;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.apache.kafka.common.TopicPartition;
import org.junit.After;
import org.junit.Test;

import io.samsa.api.coordination.Election;
import io.samsa.api.coordination.ElectionListener;
import io.samsa.api.coordination.Op;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.StateUpdate;
import io.samsa.testsupport.InMemoryCoordinator;
import io.samsa.testsupport.Poll;

/** A controller that lost its election writes nothing, whether or not it has been told. */
public class ControllerFencingTest {
    private final ControllerTestCluster cluster = new ControllerTestCluster();
    private static final TopicPartition TP = new TopicPartition("t", 0);

    @After
    public void close() {
        cluster.close();
    }

    private static final class Noop implements ElectionListener {
        @Override
        public void elected(int epoch) {
        }

        @Override
        public void resigned() {
        }
    }

    @Test
    public void aDeposedControllerThatWasNotToldIsFencedAndWritesNothing() throws Exception {
        cluster.brokers(1, 2, 3);
        cluster.createTopic("t", List.of(1, 2, 3));
        cluster.writeState(TP, 1, 0, List.of(1, 2, 3));
        cluster.killBroker(1); // the partition needs an election

        InMemoryCoordinator a = cluster.session();
        Election first = a.electController(1, new Noop());
        cluster.root().awaitCallbacks();
        Op staleFence = first.fence();
        InMemoryCoordinator b = cluster.session();
        Election second = b.electController(2, new Noop());
        first.close(); // broker 2 wins epoch 2; the controller below never hears of it
        cluster.root().awaitCallbacks();
        assertEquals(2, second.controllerId().getAsInt());

        InterceptingStore store = new InterceptingStore(ControllerTestCluster.store(a));
        ElectedController deposed = new ElectedController(1, 1, staleFence, a, store, ControllerSettings.DEFAULTS);
        deposed.start();
        Poll.until("the deposed controller found itself fenced", deposed::fenced);
        assertFalse(deposed.active());
        assertEquals(1, store.writes().size());
        assertEquals(StateUpdate.Outcome.FENCED, store.writes().get(0).outcome().outcome());
        assertEquals(0, deposed.writes());
        PartitionState s = cluster.state(TP);
        assertEquals("nothing written", 0, s.partitionEpoch());
        assertEquals(1, s.leader());
        assertTrue(deposed.awaitStopped(java.time.Duration.ofSeconds(5)));
    }

    @Test
    public void aResignedControllerStopsDecidingAndTheNextDecides() {
        cluster.brokers(1, 2, 3);
        ControllerComponent a = cluster.controller(1);
        ElectedController first = ControllerTestCluster.awaitTerm(a);
        cluster.createTopic("t", List.of(1, 2, 3));
        cluster.awaitState(TP, "has a state", PartitionState::exists);
        int written = first.writes();
        a.election().close();
        Poll.until("the first controller resigned", () -> !first.active());
        cluster.killBroker(1);

        ElectedController next = ControllerTestCluster.awaitTerm(cluster.controller(2));
        PartitionState s = cluster.awaitLeader(TP, 2, 1);
        assertEquals("the second controller elected it", next.epoch(), s.controllerEpoch());
        assertEquals(written, first.writes());
        assertFalse("resigning is not being fenced", first.fenced());
    }

    @Test
    public void aDeactivatedComponentWithdrawsAndAnotherCandidateTakesOver() {
        cluster.brokers(1, 2);
        ControllerComponent a = cluster.controller(1);
        ElectedController first = ControllerTestCluster.awaitTerm(a);
        ControllerComponent b = cluster.controller(2);
        a.deactivate();
        assertFalse(first.active());
        assertEquals(null, a.term());
        ElectedController next = ControllerTestCluster.awaitTerm(b);
        assertTrue(next.epoch() > first.epoch());
    }
}
