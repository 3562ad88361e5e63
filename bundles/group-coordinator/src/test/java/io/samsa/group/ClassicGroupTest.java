package io.samsa.group;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The group's transitions, as its one writer makes them, with Kafka's legality checks. */
public class ClassicGroupTest {
    private final ClassicGroup group = new ClassicGroup("g", 0, 1L);

    @Before
    public void lock() {
        group.lock();
    }

    @After
    public void unlock() {
        if (group.isLockedByThisThread()) {
            group.unlock();
        }
    }

    private static GroupMember member(String id, String instanceId, String... protocols) {
        List<GroupMember.Protocol> list = new java.util.ArrayList<>();
        for (String p : protocols) {
            list.add(new GroupMember.Protocol(p, new byte[] {1}));
        }
        return new GroupMember(id, instanceId, "client", "/127.0.0.1", 5000, 3000, list);
    }

    @Test
    public void illegalTransitionsNameBothStates() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> group.transitionTo(GroupState.STABLE, 2L));
        assertTrue(e.getMessage(), e.getMessage().contains("from Empty to Stable"));
        assertEquals("a refused transition changes nothing", GroupState.EMPTY, group.state());
        assertEquals(1L, group.stateTimestamp());

        group.prepareRebalance(3L);
        assertThrows(IllegalStateException.class, () -> group.transitionTo(GroupState.STABLE, 4L));
        assertThrows(IllegalStateException.class, () -> group.prepareRebalance(4L));
        group.transitionTo(GroupState.DEAD, 5L);
        assertThrows(IllegalStateException.class, () -> group.transitionTo(GroupState.EMPTY, 6L));
        assertEquals(GroupState.DEAD, group.state());
        assertEquals(5L, group.stateTimestamp());
    }

    @Test
    public void aGenerationChoosesTheCommonProtocolAndOwesEverySync() {
        CompletableFuture<JoinGroupResponseData> a = new CompletableFuture<>();
        CompletableFuture<JoinGroupResponseData> b = new CompletableFuture<>();
        group.add(member("a", null, "range", "roundrobin"), "consumer", a);
        group.prepareRebalance(2L);
        group.add(member("b", "instance-b", "roundrobin"), "consumer", b);
        assertTrue(group.get("b").isNew());
        assertEquals("the first member leads", "a", group.leaderId());
        assertEquals("consumer", group.protocolType());
        assertTrue(group.hasAllMembersJoined());
        assertFalse("no common protocol with both", group.supportsProtocols("consumer",
                List.of(new GroupMember.Protocol("range", new byte[0]))));

        group.initNextGeneration(3L);
        assertEquals(1, group.generationId());
        assertEquals("roundrobin", group.protocolName());
        assertEquals(GroupState.COMPLETING_REBALANCE, group.state());
        assertEquals(List.of("a", "b"), group.pendingSyncMembers().stream().sorted().toList());

        Deferred after = new Deferred();
        group.completeJoin(group.get("b"), new JoinGroupResponseData(), after);
        assertFalse("answered under the lock would run the client's code there", b.isDone());
        assertFalse(group.get("b").isNew());
        group.unlock();
        after.run();
        assertTrue(b.isDone());
    }

    @Test
    public void removingTheLeaderPassesLeadershipAndForgetsTheInstance() {
        group.add(member("a", "instance-a", "range"), "consumer", null);
        group.add(member("b", null, "range"), "consumer", null);
        assertEquals("a", group.staticMemberId("instance-a"));
        group.remove("a");
        assertEquals("b", group.leaderId());
        assertNull(group.staticMemberId("instance-a"));
        group.remove("b");
        assertNull(group.leaderId());
        assertThrows(IllegalStateException.class, () -> {
            group.add(member("c", null, "range"), "consumer", null);
            group.add(member("c", null, "range"), "consumer", null);
        });
    }

    @Test
    public void aReplacedStaticMemberIsFencedUnderItsOldId() {
        CompletableFuture<JoinGroupResponseData> parked = new CompletableFuture<>();
        group.add(member("old", "instance", "range"), "consumer", parked);
        Deferred after = new Deferred();
        GroupMember m = group.replaceStaticMember("instance", "old", "new", after);
        assertEquals("new", m.memberId());
        assertEquals("new", group.leaderId());
        assertEquals("new", group.staticMemberId("instance"));
        assertEquals(0, group.numAwaitingJoin());
        after.run();
        assertEquals(Errors.FENCED_INSTANCE_ID.code(), parked.join().errorCode());
        assertThrows(IllegalStateException.class, () -> group.replaceStaticMember("instance", "old", "x", after));
    }

    @Test
    public void theAssignmentReachesParkedSyncs() {
        group.add(member("a", null, "range"), "consumer", new CompletableFuture<>());
        group.prepareRebalance(2L);
        group.initNextGeneration(3L);
        CompletableFuture<SyncGroupResponseData> sync = new CompletableFuture<>();
        Deferred after = new Deferred();
        group.awaitSync(group.get("a"), sync, after);
        assertTrue(group.pendingSyncMembers().isEmpty());
        List<GroupMember> answered = group.setAndPropagateAssignment(Map.of("a", new byte[] {7}), after);
        assertEquals(1, answered.size());
        after.run();
        assertEquals(7, sync.join().assignment()[0]);
        assertEquals(7, group.currentAssignment().get("a")[0]);
    }

    @Test
    public void aDeadGroupAnswersParkedRequestsAndOnlyADeadOneIsRevived() {
        assertThrows(IllegalStateException.class, () -> group.undoDeletion(1L));
        CompletableFuture<JoinGroupResponseData> parked = new CompletableFuture<>();
        group.add(member("a", null, "range"), "consumer", parked);
        Deferred after = new Deferred();
        group.markDead(Errors.NOT_COORDINATOR, 9L, after);
        assertEquals(GroupState.DEAD, group.state());
        after.run();
        assertEquals(Errors.NOT_COORDINATOR.code(), parked.join().errorCode());
        group.undoDeletion(4L);
        assertEquals(GroupState.EMPTY, group.state());
        assertEquals(4L, group.stateTimestamp());
    }

    @Test
    public void offsetCommitsInFlightAreCounted() {
        assertThrows(IllegalStateException.class, group::commitWritten);
        group.commitStarted();
        assertTrue(group.hasPendingCommits());
        assertFalse(group.isEmptyAndForgettable());
        group.commitWritten();
        assertTrue(group.isEmptyAndForgettable());
    }

    @Test
    public void writersRefuseToRunWithoutTheLock() {
        group.unlock();
        AssertionError e = assertThrows(AssertionError.class, () -> group.transitionTo(GroupState.DEAD, 2L));
        assertTrue(e.getMessage(), e.getMessage().contains("without its lock"));
        assertEquals(GroupState.EMPTY, group.state());
    }
}
