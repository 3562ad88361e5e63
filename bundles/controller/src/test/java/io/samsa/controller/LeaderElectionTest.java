package io.samsa.controller;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.Test;

import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;

/** The election rules alone, state in, state out. */
public class LeaderElectionTest {
    private static final int CONTROLLER_EPOCH = 7;
    private static final PartitionAssignment REPLICAS_123 = PartitionAssignment.of(List.of(1, 2, 3));

    private static PartitionState state(int leader, int leaderEpoch, List<Integer> isr) {
        return new PartitionState(leader, leaderEpoch, isr, 4, 2, LeaderRecoveryState.RECOVERED);
    }

    private static PartitionState decide(PartitionState current, Set<Integer> live, boolean unclean) {
        return decide(REPLICAS_123, current, live, unclean).orElseThrow().next();
    }

    private static Optional<StateChange> decide(PartitionAssignment a, PartitionState current, Set<Integer> live,
            boolean unclean) {
        return LeaderElection.decide(a, current, live, unclean, CONTROLLER_EPOCH);
    }

    @Test
    public void aHealthyPartitionNeedsNoChange() {
        assertEquals(Optional.empty(), decide(REPLICAS_123, state(1, 3, List.of(1, 2, 3)), Set.of(1, 2, 3), true));
        assertEquals("a live replica outside the ISR changes nothing", Optional.empty(),
                decide(REPLICAS_123, state(1, 3, List.of(1)), Set.of(1, 2, 3), true));
    }

    @Test
    public void anOfflineLeaderIsReplacedByTheFirstLiveInSyncReplicaInAssignmentOrder() {
        PartitionState next = decide(state(1, 3, List.of(3, 1, 2)), Set.of(2, 3), false);
        assertEquals("assignment order, not ISR order", 2, next.leader());
        assertEquals(4, next.leaderEpoch());
        assertEquals("the ISR keeps its order, without the offline member", List.of(3, 2), next.isr());
        assertEquals(CONTROLLER_EPOCH, next.controllerEpoch());
        assertEquals(LeaderRecoveryState.RECOVERED, next.recovery());
    }

    @Test
    public void aLiveReplicaOutsideTheIsrIsNotElectedWhileAnInSyncOneIsLive() {
        PartitionState next = decide(state(1, 0, List.of(1, 3)), Set.of(2, 3), true);
        assertEquals(3, next.leader());
        assertEquals(List.of(3), next.isr());
    }

    @Test
    public void anOfflineFollowerLeavesTheIsrAtTheSameLeaderEpoch() {
        PartitionState next = decide(state(1, 5, List.of(1, 2, 3)), Set.of(1, 2), false);
        assertEquals(1, next.leader());
        assertEquals(5, next.leaderEpoch());
        assertEquals(List.of(1, 2), next.isr());
        assertEquals(CONTROLLER_EPOCH, next.controllerEpoch());
    }

    @Test
    public void withNoLiveInSyncReplicaThePartitionGoesLeaderlessKeepingItsLeaderInTheIsr() {
        StateChange change = decide(REPLICAS_123, state(1, 5, List.of(2, 1)), Set.of(3), false).orElseThrow();
        assertEquals(-1, change.next().leader());
        assertEquals(6, change.next().leaderEpoch());
        assertEquals(List.of(1), change.next().isr());
        assertTrue(change.why(), change.why().contains("unclean election disabled"));
    }

    @Test
    public void aLeaderlessPartitionWaitsForAnInSyncReplicaAndElectsItWhenItReturns() {
        PartitionState leaderless = state(-1, 6, List.of(1));
        assertEquals(Optional.empty(), decide(REPLICAS_123, leaderless, Set.of(2, 3), false));
        PartitionState next = decide(leaderless, Set.of(1, 2, 3), false);
        assertEquals(1, next.leader());
        assertEquals(7, next.leaderEpoch());
        assertEquals(List.of(1), next.isr());
    }

    @Test
    public void uncleanElectionTakesTheFirstLiveReplicaAloneAndMarksItRecovering() {
        PartitionState next = decide(state(-1, 6, List.of(1)), Set.of(3, 2), true);
        assertEquals(2, next.leader());
        assertEquals(7, next.leaderEpoch());
        assertEquals(List.of(2), next.isr());
        assertEquals(LeaderRecoveryState.RECOVERING, next.recovery());
        PartitionState fromALeader = decide(state(1, 2, List.of(1)), Set.of(3), true);
        assertEquals(3, fromALeader.leader());
        assertEquals(3, fromALeader.leaderEpoch());
    }

    @Test
    public void uncleanElectionWithNoLiveReplicaAtAllGoesLeaderless() {
        PartitionState next = decide(state(1, 2, List.of(1, 2)), Set.of(4), true);
        assertEquals(-1, next.leader());
        assertEquals(List.of(1), next.isr());
        assertEquals(Optional.empty(), decide(REPLICAS_123, next.atPartitionEpoch(5), Set.of(4), true));
    }

    @Test
    public void aCleanElectionKeepsARecoveringLeaderRecovering() {
        PartitionState recovering = new PartitionState(2, 3, List.of(2, 3), 4, 2, LeaderRecoveryState.RECOVERING);
        assertEquals(LeaderRecoveryState.RECOVERING, decide(recovering, Set.of(3), false).recovery());
    }

    @Test
    public void aLeaderOutsideItsIsrIsLeftToItself() {
        assertEquals(Optional.empty(), decide(REPLICAS_123, state(1, 3, List.of(2, 3)), Set.of(1, 2), false));
    }

    @Test
    public void firstStateLeadsWithTheFirstLiveReplicaAndEveryLiveOneInSync() {
        PartitionState first = TopicInitializer.firstState(PartitionAssignment.of(List.of(3, 1, 2)), Set.of(1, 2),
                CONTROLLER_EPOCH).next();
        assertEquals(1, first.leader());
        assertEquals(0, first.leaderEpoch());
        assertEquals(List.of(1, 2), first.isr());
        assertEquals(CONTROLLER_EPOCH, first.controllerEpoch());
        PartitionState none = TopicInitializer.firstState(PartitionAssignment.of(List.of(3, 1)), Set.of(2),
                CONTROLLER_EPOCH).next();
        assertEquals(-1, none.leader());
        assertEquals(0, none.leaderEpoch());
        assertEquals("the first replica is the one in-sync member", List.of(3), none.isr());
    }
}
