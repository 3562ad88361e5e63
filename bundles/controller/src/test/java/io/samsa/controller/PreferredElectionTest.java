package io.samsa.controller;

import static io.samsa.controller.ControllerTestCluster.tp;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;

import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.junit.After;
import org.junit.Test;

import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.PartitionState;
import io.samsa.testsupport.Poll;

/** Automatic preferred leader election (the leader imbalance check) and ElectLeaders. */
public class PreferredElectionTest {
    /** Long enough that the periodic check never runs in a test: each asks for its check. */
    private static final long NEVER_MS = 3_600_000;
    private final ControllerTestCluster cluster = new ControllerTestCluster();

    @After
    public void close() {
        cluster.close();
    }

    private ElectedController controller(boolean rebalance, int percentage) {
        cluster.brokers(1, 2, 3);
        return ControllerTestCluster.awaitTerm(cluster.controller(1,
                ControllerSettings.DEFAULTS.withRebalance(rebalance, NEVER_MS, percentage)));
    }

    private void awaitStates(String topic, int partitions) {
        for (int p = 0; p < partitions; p++) {
            cluster.awaitState(tp(topic, p), "has a state", PartitionState::exists);
        }
    }

    private static Map<TopicPartition, Errors> errors(Map<TopicPartition, ApiError> results) {
        Map<TopicPartition, Errors> out = new LinkedHashMap<>();
        results.forEach((tp, e) -> out.put(tp, e.error()));
        return out;
    }

    /** Waits until the controller has seen the state written, so that a check decides from it. */
    private static PartitionState seen(ElectedController term, TopicPartition tp, PartitionState written) {
        Poll.until("the controller sees " + written + " of " + tp,
                () -> term.knownState(tp).join().partitionEpoch() == written.partitionEpoch());
        return written;
    }

    /** Runs after everything queued so far. */
    private static void drain(ElectedController term) {
        term.electLeaders(ElectionType.PREFERRED, Optional.of(Set.of(tp("no-such-topic", 0)))).join();
    }

    @Test
    public void anImbalanceAboveThePercentageMovesLeadershipBackToThePreferredReplica() {
        ElectedController term = controller(true, 10);
        cluster.createTopic("t", List.of(1, 2, 3), List.of(2, 1, 3));
        awaitStates("t", 2);
        // broker 1 was away: 2 took over and 1 caught up again
        seen(term, tp("t", 0), cluster.writeState(tp("t", 0), 2, 1, List.of(2, 3, 1)));
        term.checkImbalanceNow();
        PartitionState s = cluster.awaitLeader(tp("t", 0), 1, 2);
        assertEquals("a preferred election keeps the ISR", List.of(2, 3, 1), s.isr());
        assertEquals(0, cluster.state(tp("t", 1)).leaderEpoch());
    }

    @Test
    public void anImbalanceAtThePercentageIsLeftAlone() {
        ElectedController term = controller(true, 50);
        cluster.createTopic("t", List.of(1, 2), List.of(1, 2));
        awaitStates("t", 2);
        PartitionState elsewhere = seen(term, tp("t", 0), cluster.writeState(tp("t", 0), 2, 1, List.of(2, 1)));
        term.checkImbalanceNow();
        drain(term);
        assertEquals("1 of 2 led elsewhere is 50 %, not above it", elsewhere, cluster.state(tp("t", 0)));
    }

    @Test
    public void noRebalanceWhenDisabledOrWhenThePreferredReplicaIsOutOfSync() {
        ElectedController term = controller(false, 10);
        cluster.createTopic("t", List.of(1, 2, 3), List.of(1, 2, 3));
        awaitStates("t", 2);
        PartitionState inSync = seen(term, tp("t", 0), cluster.writeState(tp("t", 0), 2, 1, List.of(2, 3, 1)));
        term.checkImbalanceNow();
        drain(term);
        assertEquals("auto.leader.rebalance.enable=false", inSync, cluster.state(tp("t", 0)));

        term.reconfigure(ControllerSettings.DEFAULTS.withRebalance(true, NEVER_MS, 10));
        PartitionState outOfSync = seen(term, tp("t", 1), cluster.writeState(tp("t", 1), 2, 1, List.of(2, 3)));
        term.checkImbalanceNow();
        cluster.awaitLeader(tp("t", 0), 1, 2);
        drain(term);
        assertEquals("1 is not in sync for partition 1", outOfSync, cluster.state(tp("t", 1)));
    }

    @Test
    public void electLeadersPreferredAnswersAsKafkaDoes() {
        ElectedController term = controller(false, 10);
        cluster.createTopic("t", List.of(1, 2, 3), List.of(1, 2, 3), List.of(1, 2, 3), List.of(3, 2, 1));
        awaitStates("t", 4);
        seen(term, tp("t", 1), cluster.writeState(tp("t", 1), 2, 1, List.of(2, 3, 1)));
        seen(term, tp("t", 2), cluster.writeState(tp("t", 2), 2, 1, List.of(2, 3)));
        cluster.killBroker(3);
        cluster.awaitLeader(tp("t", 3), 2, 1);
        Map<TopicPartition, Errors> results = errors(term.electLeaders(ElectionType.PREFERRED, Optional.of(
                Set.of(tp("t", 0), tp("t", 1), tp("t", 2), tp("t", 3), tp("t", 9), tp("gone", 0)))).join());
        assertEquals(Errors.ELECTION_NOT_NEEDED, results.get(tp("t", 0)));
        assertEquals(Errors.NONE, results.get(tp("t", 1)));
        assertEquals("out of sync", Errors.PREFERRED_LEADER_NOT_AVAILABLE, results.get(tp("t", 2)));
        assertEquals("offline", Errors.PREFERRED_LEADER_NOT_AVAILABLE, results.get(tp("t", 3)));
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, results.get(tp("t", 9)));
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, results.get(tp("gone", 0)));
        assertEquals(6, results.size());
        assertEquals(1, cluster.state(tp("t", 1)).leader());
        assertEquals(2, cluster.state(tp("t", 1)).leaderEpoch());

        Map<TopicPartition, Errors> all = errors(term.electLeaders(ElectionType.PREFERRED, Optional.empty()).join());
        assertEquals("no partitions named means all of them", Map.of(tp("t", 0), Errors.ELECTION_NOT_NEEDED,
                tp("t", 1), Errors.ELECTION_NOT_NEEDED, tp("t", 2), Errors.PREFERRED_LEADER_NOT_AVAILABLE,
                tp("t", 3), Errors.PREFERRED_LEADER_NOT_AVAILABLE), all);
    }

    @Test
    public void electLeadersUncleanElectsOnlyALeaderlessPartition() {
        ElectedController term = controller(false, 10);
        cluster.createTopic("t", List.of(1, 2), List.of(3), List.of(1, 2));
        awaitStates("t", 3);
        seen(term, tp("t", 0), cluster.writeState(tp("t", 0), 1, 0, List.of(1)));
        cluster.killBroker(1);
        cluster.awaitState(tp("t", 0), "is leaderless", s -> s.leader() == -1);
        cluster.killBroker(3);
        cluster.awaitState(tp("t", 1), "is leaderless", s -> s.leader() == -1);
        cluster.awaitLeader(tp("t", 2), 2, 1);
        Map<TopicPartition, Errors> results = errors(term.electLeaders(ElectionType.UNCLEAN, Optional.empty()).join());
        assertEquals(Map.of(tp("t", 0), Errors.NONE, tp("t", 1), Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE,
                tp("t", 2), Errors.ELECTION_NOT_NEEDED), results);
        PartitionState s = cluster.state(tp("t", 0));
        assertEquals(2, s.leader());
        assertEquals(List.of(2), s.isr());
        assertEquals(LeaderRecoveryState.RECOVERING, s.recovery());
    }

    @Test
    public void aBrokerThatIsNotTheControllerAnswersNotController() {
        controller(false, 10);
        ControllerComponent other = cluster.controller(2);
        CompletionException e = assertThrows(CompletionException.class, () -> other
                .electLeaders(ElectionType.PREFERRED, Optional.empty()).toCompletableFuture().join());
        assertTrue(e.getCause() instanceof NotControllerException);
    }

    @Test
    public void badImbalanceSettingsAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ControllerSettings.DEFAULTS.withRebalance(true, 1000, 101));
        assertTrue(e.getMessage(), e.getMessage().contains("leader.imbalance.per.broker.percentage"));
        e = assertThrows(IllegalArgumentException.class, () -> ControllerSettings.DEFAULTS.withRebalance(true, 0, 10));
        assertTrue(e.getMessage(), e.getMessage().contains("leader.imbalance.check.interval.seconds"));
    }
}
