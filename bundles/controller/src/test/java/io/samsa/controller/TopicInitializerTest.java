package io.samsa.controller;

import static io.samsa.controller.ControllerTestCluster.tp;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.After;
import org.junit.Test;

import io.samsa.api.coordination.Coordinator;
import io.samsa.api.replication.PartitionState;
import io.samsa.api.replication.StateUpdate;
import io.samsa.testsupport.Poll;

/** First states of new partitions, written by the controller, and finished by the next one when it dies half-way. */
public class TopicInitializerTest {
    private final ControllerTestCluster cluster = new ControllerTestCluster();

    @After
    public void close() {
        cluster.close();
    }

    @Test
    public void aNewTopicsPartitionsGetTheirFirstLeaderAndEveryLiveReplicaInSync() {
        cluster.brokers(1, 2, 3);
        ElectedController term = ControllerTestCluster.awaitTerm(cluster.controller(1));
        cluster.createTopic("orders", List.of(1, 2, 3), List.of(2, 3, 1), List.of(3, 1, 2));
        for (int p = 0; p < 3; p++) {
            PartitionState s = cluster.awaitState(tp("orders", p), "has a state", PartitionState::exists);
            List<Integer> expected = List.of(List.of(1, 2, 3), List.of(2, 3, 1), List.of(3, 1, 2)).get(p);
            assertEquals(expected.get(0).intValue(), s.leader());
            assertEquals(0, s.leaderEpoch());
            assertEquals(expected, s.isr());
            assertEquals(term.epoch(), s.controllerEpoch());
            assertEquals("written once", 0, s.partitionEpoch());
        }
    }

    @Test
    public void offlineReplicasStayOutOfTheFirstIsrAndAPartitionWithNoneLiveStartsLeaderless() {
        cluster.brokers(2, 3);
        ControllerTestCluster.awaitTerm(cluster.controller(2));
        cluster.createTopic("t", List.of(1, 2, 3), List.of(1));
        PartitionState first = cluster.awaitState(tp("t", 0), "has a state", PartitionState::exists);
        assertEquals(2, first.leader());
        assertEquals(List.of(2, 3), first.isr());
        PartitionState none = cluster.awaitState(tp("t", 1), "has a state", PartitionState::exists);
        assertEquals(-1, none.leader());
        assertEquals(0, none.leaderEpoch());
        assertEquals(List.of(1), none.isr());

        cluster.startBroker(1);
        PartitionState elected = cluster.awaitLeader(tp("t", 1), 1, 1);
        assertEquals(List.of(1), elected.isr());
        assertEquals("a broker coming back does not join an ISR by itself", List.of(2, 3),
                cluster.state(tp("t", 0)).isr());
    }

    @Test
    public void aNewControllerWritesTheStatesTopicsCreatedWithoutOneLack() {
        cluster.brokers(1, 2);
        cluster.createTopic("early", List.of(1, 2), List.of(2, 1));
        assertFalse(cluster.state(tp("early", 0)).exists());
        ControllerTestCluster.awaitTerm(cluster.controller(1));
        cluster.awaitLeader(tp("early", 0), 1, 0);
        cluster.awaitLeader(tp("early", 1), 2, 0);
    }

    @Test
    public void aControllerWhoseWatchFailedWatchesAgain() {
        cluster.brokers(1);
        InterceptingStore store = new InterceptingStore(ControllerTestCluster.store(cluster.session())).failWatches(1);
        ElectedController term = ControllerTestCluster
                .awaitTerm(cluster.controller(1, ControllerSettings.DEFAULTS, c -> store));
        Poll.until("the watch failed", () -> term.failedEvents().equals(List.of("watch metadata")));
        cluster.createTopic("t", List.of(1));
        cluster.awaitLeader(tp("t", 0), 1, 0);
    }

    @Test
    public void anUnreadableTopicIsLeftAloneAndTheOthersAreInitialized() {
        cluster.brokers(1);
        cluster.root().compareAndSet("/brokers/topics/garbled", "{not json".getBytes(StandardCharsets.UTF_8),
                Coordinator.ABSENT);
        cluster.createTopic("fine", List.of(1));
        ControllerTestCluster.awaitTerm(cluster.controller(1));
        cluster.awaitLeader(tp("fine", 0), 1, 0);
        cluster.createTopic("later", List.of(1));
        cluster.awaitLeader(tp("later", 0), 1, 0);
        assertEquals(List.of(), cluster.root().children("/brokers/topics/garbled"));
    }

    @Test
    public void aFirstStateSomeoneElseWroteFirstIsKept() {
        cluster.brokers(1, 2);
        AtomicBoolean raced = new AtomicBoolean();
        InterceptingStore store = new InterceptingStore(ControllerTestCluster.store(cluster.session()));
        store.before((tp, expected, next) -> {
            if (expected == Coordinator.ABSENT && raced.compareAndSet(false, true)) {
                // as a broker's CreateTopics still may: a first state of its own, just before the controller's
                cluster.writeState(tp, 2, 0, List.of(2, 1));
            }
        });
        ControllerTestCluster.awaitTerm(cluster.controller(1, ControllerSettings.DEFAULTS, c -> store));
        cluster.createTopic("t", List.of(1, 2));
        Poll.until("the controller's write was refused", () -> store.count(StateUpdate.Outcome.CONFLICT) == 1);
        PartitionState s = cluster.awaitLeader(tp("t", 0), 2, 0);
        assertEquals(0, s.partitionEpoch());
        assertEquals(List.of(2, 1), s.isr());
        assertEquals("the controller found nothing to change in it", 0, store.count(StateUpdate.Outcome.APPLIED));
    }

    /** The controller resigns after its k-th write (k = 1, 3): the next one writes the rest, each partition once. */
    @Test
    public void aControllerResigningMidWayLeavesTheRestToTheNext() throws Exception {
        for (int k : new int[] { 1, 3 }) {
            try (ControllerTestCluster c = new ControllerTestCluster()) {
                resignAfter(c, k);
            }
        }
    }

    private static void resignAfter(ControllerTestCluster c, int k) {
        c.brokers(1, 2, 3);
        String topic = "resign-after-" + k;
        c.createTopic(topic, List.of(1, 2, 3), List.of(2, 3, 1), List.of(3, 1, 2), List.of(1, 3, 2),
                List.of(2, 1, 3), List.of(3, 2, 1));
        AtomicInteger applied = new AtomicInteger();
        AtomicReference<ControllerComponent> first = new AtomicReference<>();
        CountDownLatch bothCandidates = new CountDownLatch(1);
        InterceptingStore store = new InterceptingStore(ControllerTestCluster.store(c.session()));
        store.before((tp, expected, next) -> {
            // with nobody else in line, a resigned controller's writes would still pass its fence until it is told
            await(bothCandidates);
        });
        store.after(w -> {
            if (w.outcome().applied() && applied.incrementAndGet() == k) {
                first.get().election().close(); // its session is gone, as far as the election knows
            }
        });
        // the topic was created before any candidate is elected, so the first controller's first resync finds it
        ControllerComponent a = c.controller(1, ControllerSettings.DEFAULTS, co -> store);
        first.set(a);
        ControllerComponent b = c.controller(2);
        bothCandidates.countDown();
        ElectedController next = ControllerTestCluster.awaitTerm(b);
        for (int p = 0; p < 6; p++) {
            c.awaitState(tp(topic, p), "has a state", PartitionState::exists);
        }
        int byFirst = 0;
        for (int p = 0; p < 6; p++) {
            PartitionState s = c.state(tp(topic, p));
            assertEquals("partition " + p + " written once", 0, s.partitionEpoch());
            assertEquals(0, s.leaderEpoch());
            assertTrue(s.controllerEpoch() == 1 || s.controllerEpoch() == next.epoch());
            byFirst += s.controllerEpoch() == 1 ? 1 : 0;
        }
        assertEquals("written by the first controller", k, byFirst);
        assertEquals("nothing written after it resigned", k, store.count(StateUpdate.Outcome.APPLIED));
        assertEquals(6 - k, next.writes());
        assertTrue("the second controller has a later epoch", next.epoch() > 1);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(Poll.DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("Timed out waiting for the second candidate");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
