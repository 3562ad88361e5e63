package io.samsa.controller;

import static io.samsa.controller.ControllerTestCluster.tp;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.junit.After;
import org.junit.Test;

import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;
import io.samsa.testsupport.Poll;

/** AlterPartitionReassignments and ListPartitionReassignments on the controller, and the moves they start. */
public class ReassignmentTest {
    private final ControllerTestCluster cluster = new ControllerTestCluster();

    @After
    public void close() {
        cluster.close();
    }

    private ElectedController controller() {
        cluster.brokers(1, 2, 3, 4);
        return ControllerTestCluster.awaitTerm(cluster.controller(1));
    }

    /** Partition 0 of topic t, on brokers 1, 2 and 3, led by 1. */
    private TopicPartition topicOnBrokers123() {
        TopicPartition tp = tp("t", 0);
        cluster.createTopic("t", List.of(1, 2, 3));
        cluster.awaitLeader(tp, 1, 0);
        return tp;
    }

    private PartitionAssignment assignment(TopicPartition tp) {
        return cluster.admin().topic(tp.topic()).orElseThrow().partitions().get(tp.partition());
    }

    private PartitionAssignment awaitAssignment(TopicPartition tp, PartitionAssignment expected) {
        Poll.until(tp + " is assigned " + expected, () -> assignment(tp).equals(expected));
        return assignment(tp);
    }

    private static Map<TopicPartition, Errors> errors(Map<TopicPartition, ApiError> results) {
        Map<TopicPartition, Errors> out = new LinkedHashMap<>();
        results.forEach((tp, e) -> out.put(tp, e.error()));
        return out;
    }

    private static Map<TopicPartition, ApiError> move(ElectedController term, TopicPartition tp, Integer... target) {
        return term.alterPartitionReassignments(Map.of(tp, Optional.of(List.of(target))), true).join();
    }

    @Test
    public void aMoveAddsTheTargetWaitsForItToBeInSyncThenMovesLeadershipAndDropsTheRest() {
        ElectedController term = controller();
        TopicPartition tp = topicOnBrokers123();

        assertEquals(Map.of(tp, Errors.NONE), errors(move(term, tp, 4, 2, 3)));
        PartitionAssignment moving = new PartitionAssignment(List.of(4, 2, 3, 1), List.of(4), List.of(1));
        assertEquals(moving, assignment(tp));
        assertEquals(Map.of(tp, moving), term.listPartitionReassignments(Optional.empty()).join());
        assertEquals("a partition not being moved is not listed", Map.of(),
                term.listPartitionReassignments(Optional.of(Set.of(tp("t", 7)))).join());
        assertEquals("nothing moves while the new replica copies", 1, cluster.state(tp).leader());

        // the leader takes broker 4 into the ISR once it has caught up, as it does any follower
        cluster.writeState(tp, 1, 0, List.of(1, 2, 3, 4));
        PartitionState moved = cluster.awaitLeader(tp, 4, 1);
        assertEquals("the removed replica leaves the ISR", List.of(2, 3, 4), moved.isr());
        awaitAssignment(tp, PartitionAssignment.of(List.of(4, 2, 3)));
        Poll.until("nothing is listed once done",
                () -> term.listPartitionReassignments(Optional.empty()).join().isEmpty());
    }

    @Test
    public void aMoveWhoseLeaderStaysKeepsTheLeaderEpochAndShrinksTheIsr() {
        ElectedController term = controller();
        TopicPartition tp = topicOnBrokers123();
        move(term, tp, 1, 2, 4);
        cluster.writeState(tp, 1, 0, List.of(1, 2, 3, 4));
        awaitAssignment(tp, PartitionAssignment.of(List.of(1, 2, 4)));
        PartitionState s = cluster.state(tp);
        assertEquals(1, s.leader());
        assertEquals(0, s.leaderEpoch());
        assertEquals(List.of(1, 2, 4), s.isr());
    }

    @Test
    public void badTargetsAreRefusedNamingTheProblemAndChangeNothing() {
        ElectedController term = controller();
        topicOnBrokers123();
        Map<TopicPartition, Optional<List<Integer>>> asked = new LinkedHashMap<>();
        asked.put(tp("t", 5), Optional.of(List.of(1, 2)));
        asked.put(tp("none", 0), Optional.of(List.of(1, 2)));
        Map<TopicPartition, ApiError> results = term.alterPartitionReassignments(asked, true).join();
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, results.get(tp("t", 5)).error());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, results.get(tp("none", 0)).error());

        ApiError unregistered = move(term, tp("t", 0), 1, 2, 9).get(tp("t", 0));
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, unregistered.error());
        assertTrue(unregistered.message(), unregistered.message().contains("broker 9"));
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, move(term, tp("t", 0), 1, 1, 2).get(tp("t", 0)).error());
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, move(term, tp("t", 0)).get(tp("t", 0)).error());
        ApiError factor = term.alterPartitionReassignments(Map.of(tp("t", 0), Optional.of(List.of(1, 2))), false)
                .join().get(tp("t", 0));
        assertEquals(Errors.INVALID_REPLICATION_FACTOR, factor.error());
        ApiError cancel = term.alterPartitionReassignments(Map.of(tp("t", 0), Optional.empty()), true).join()
                .get(tp("t", 0));
        assertEquals(Errors.NO_REASSIGNMENT_IN_PROGRESS, cancel.error());
        assertEquals(PartitionAssignment.of(List.of(1, 2, 3)), assignment(tp("t", 0)));
    }

    @Test
    public void aCancelRestoresTheOriginalReplicasAndTakesTheAddedOneOutOfTheIsr() {
        ElectedController term = controller();
        TopicPartition tp = topicOnBrokers123();
        // the added replica has caught up, but 3, which stays, lags: the move waits for it
        move(term, tp, 4, 2, 3);
        cluster.writeState(tp, 1, 0, List.of(1, 2, 4));
        Poll.until("the controller sees broker 4 in sync", () -> term.knownState(tp).join().isr().contains(4));
        assertTrue("still moving", assignment(tp).reassigning());
        assertEquals(Errors.NONE, term.alterPartitionReassignments(Map.of(tp, Optional.empty()), true).join()
                .get(tp).error());
        // the original replicas in the order the move listed them, as Kafka restores them
        assertEquals(PartitionAssignment.of(List.of(2, 3, 1)), assignment(tp));
        PartitionState s = cluster.awaitState(tp, "has only original replicas in its ISR",
                st -> st.isr().equals(List.of(1, 2)));
        assertEquals(1, s.leader());
        assertFalse(assignment(tp).reassigning());
    }

    @Test
    public void aNewControllerFinishesAMoveTheLastOneBegan() {
        cluster.brokers(1, 2, 3, 4);
        ControllerComponent first = cluster.controller(1);
        ElectedController term = ControllerTestCluster.awaitTerm(first);
        TopicPartition tp = topicOnBrokers123();
        move(term, tp, 2, 3, 4);
        first.election().close();
        Poll.until("the first controller resigned", () -> !term.active());

        ControllerTestCluster.awaitTerm(cluster.controller(2));
        cluster.writeState(tp, 1, 0, List.of(1, 2, 3, 4));
        cluster.awaitLeader(tp, 2, 1);
        awaitAssignment(tp, PartitionAssignment.of(List.of(2, 3, 4)));
    }
}
