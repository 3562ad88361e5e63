package io.samsa.group;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.junit.Before;
import org.junit.Test;

import io.samsa.testsupport.InMemoryCluster;
import io.samsa.testsupport.Poll;

/** State written to __consumer_offsets survives a new coordinator instance; deletions and unloads. */
public class GroupPersistenceTest extends CoordinatorTestSupport {

    @Before
    public void topics() {
        cluster.addTopic("orders", 2, Map.of());
    }

    DescribeGroupsResponseData.DescribedGroup describe(GroupCoordinatorService c, String groupId, int version) {
        return get(c.describeGroups(caller("admin", version),
                new DescribeGroupsRequestData().setGroups(List.of(groupId)))).groups().get(0);
    }

    long committed(GroupCoordinatorService c, String groupId, int partition) {
        OffsetFetchResponseData r = get(c.fetchOffsets(caller("f", 8), new OffsetFetchRequestData().setGroups(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(groupId).setTopics(List.of(
                        new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("orders")
                                .setPartitionIndexes(List.of(partition))))))));
        assertError(Errors.NONE, r.groups().get(0).errorCode());
        return r.groups().get(0).topics().get(0).partitions().get(0).committedOffset();
    }

    /** Two members, one static, stable at generation 1 with assignments, and a commit. */
    List<JoinGroupResponseData> stableGroup(GroupCoordinatorService c, String groupId) {
        CompletableFuture<JoinGroupResponseData> a = c.joinGroup(caller("a", 7),
                join(groupId, "", "static-a", 10_000, 10_000, "range"));
        CompletableFuture<JoinGroupResponseData> b = c.joinGroup(caller("b", 3),
                join(groupId, "", null, 10_000, 10_000, "range"));
        List<JoinGroupResponseData> joined = List.of(get(a), get(b));
        GroupMembershipTest.syncAll(c, groupId, joined);
        JoinGroupResponseData j = joined.get(0);
        assertEquals(List.of((short) 0), OffsetCommitTest.errors(get(c.commitOffsets(caller("a", 8),
                OffsetCommitTest.commit(groupId, j.generationId(), j.memberId(), "orders", 11)
                        .setGroupInstanceId("static-a")))));
        return joined;
    }

    @Test
    public void offsetsAndAssignmentsSurviveRestart() {
        GroupCoordinatorService first = start(config(100));
        awaitReady(first, "durable");
        List<JoinGroupResponseData> joined = stableGroup(first, "durable");
        stop(first);

        GroupCoordinatorService second = start(config(100));
        awaitReady(second, "durable");
        assertEquals(11L, committed(second, "durable", 0));
        assertEquals(-1L, committed(second, "durable", 1));
        DescribeGroupsResponseData.DescribedGroup d = describe(second, "durable", 5);
        assertEquals("Stable", d.groupState());
        assertEquals("range", d.protocolData());
        assertEquals(2, d.members().size());
        for (DescribeGroupsResponseData.DescribedGroupMember m : d.members()) {
            assertEquals("assign-" + m.memberId(), string(m.memberAssignment()));
        }
        assertTrue(d.members().stream().anyMatch(m -> "static-a".equals(m.groupInstanceId())));
        for (JoinGroupResponseData j : joined) {
            assertEquals(Errors.NONE, heartbeat(second, "durable", j.memberId(), null, j.generationId()));
            SyncGroupResponseData s = syncOk(second, sync("durable", j));
            assertEquals("assign-" + j.memberId(), string(s.assignment()));
        }
    }

    @Test
    public void deleteWritesTombstonesAndReloadForgetsTheGroup() {
        GroupCoordinatorService first = start(config(100));
        awaitReady(first, "doomed");
        List<JoinGroupResponseData> joined = stableGroup(first, "doomed");
        DeleteGroupsRequestData delete = new DeleteGroupsRequestData().setGroupsNames(List.of("doomed"));
        assertError(Errors.NON_EMPTY_GROUP, get(first.deleteGroups(caller("admin", 2), delete)).results()
                .find("doomed").errorCode());

        get(first.leaveGroup(caller("a", 5), new LeaveGroupRequestData().setGroupId("doomed").setMembers(List.of(
                new LeaveGroupRequestData.MemberIdentity().setMemberId(joined.get(0).memberId())
                        .setGroupInstanceId("static-a"),
                new LeaveGroupRequestData.MemberIdentity().setMemberId(joined.get(1).memberId())))));
        Poll.until("empty group", () -> describe(first, "doomed", 5).groupState().equals("Empty"));
        assertEquals(PROTOCOL_TYPE, describe(first, "doomed", 5).protocolType());

        DeleteGroupsResponseData deleted = get(first.deleteGroups(caller("admin", 2), delete));
        assertError(Errors.NONE, deleted.results().find("doomed").errorCode());
        assertError(Errors.GROUP_ID_NOT_FOUND, get(first.deleteGroups(caller("admin", 2), delete)).results()
                .find("doomed").errorCode());
        assertEquals("Dead", describe(first, "doomed", 5).groupState());
        assertError(Errors.GROUP_ID_NOT_FOUND, describe(first, "doomed", 6).errorCode());
        assertEquals(-1L, committed(first, "doomed", 0));

        List<Record> records = partitions.records(new TopicPartition(CoordinatorLog.TOPIC,
                first.partitionFor("doomed")));
        Record offsetTombstone = records.get(records.size() - 2);
        Record groupTombstone = records.get(records.size() - 1);
        assertTrue(CoordinatorRecords.parseKey(offsetTombstone.key()).isOffset());
        assertFalse(offsetTombstone.hasValue());
        assertFalse(CoordinatorRecords.parseKey(groupTombstone.key()).isOffset());
        assertFalse(groupTombstone.hasValue());
        stop(first);

        GroupCoordinatorService second = start(config(100));
        awaitReady(second, "doomed");
        assertEquals("Dead", describe(second, "doomed", 5).groupState());
        assertEquals(-1L, committed(second, "doomed", 0));
        assertTrue(get(second.listGroups(caller("admin", 4), new ListGroupsRequestData())).groups().stream()
                .noneMatch(g -> g.groupId().equals("doomed")));
    }

    @Test
    public void groupsAreServedOnlyAfterLoading() {
        // Something to load: a group stored by an earlier coordinator (an empty log loads at once).
        GroupCoordinatorService earlier = start(config(100));
        awaitReady(earlier, "stored");
        stableGroup(earlier, "stored");
        stop(earlier);
        partitions.holdFetches();
        GroupCoordinatorService c = start(config(0));
        Poll.until("coordinator", () -> c.coordinatorFor("slow") == 0);
        assertError(Errors.COORDINATOR_LOAD_IN_PROGRESS, get(c.joinGroup(caller("a", 5),
                join("slow", "", null, 10_000, 10_000, "range"))).errorCode());
        assertEquals(Errors.NONE, heartbeat(c, "slow", "m", null, 1));
        assertError(Errors.REBALANCE_IN_PROGRESS, get(c.syncGroup(caller("a", 5),
                sync("slow", new JoinGroupResponseData().setMemberId("m").setGenerationId(1)))).errorCode());
        partitions.releaseFetches();
        awaitReady(c, "slow");
        assertError(Errors.NONE, get(c.joinGroup(caller("a", 3),
                join("slow", "", null, 10_000, 10_000, "range"))).errorCode());
    }

    @Test
    public void losingLeadershipUnloadsGroupsAndRegainingReloadsThem() {
        GroupCoordinatorService c = start(config(100));
        awaitReady(c, "moving");
        List<JoinGroupResponseData> joined = stableGroup(c, "moving");
        TopicPartition offsets = new TopicPartition(CoordinatorLog.TOPIC, c.groups().get("moving").partition());
        JoinGroupResponseData j = joined.get(1);
        JoinGroupResponseData leader = joined.get(0).leader().equals(joined.get(0).memberId()) ? joined.get(0) : j;
        // The leader's JoinGroup starts a rebalance and waits for the other member.
        CompletableFuture<JoinGroupResponseData> parked = c.joinGroup(caller("l", 5), join("moving",
                leader.memberId(), leader == j ? null : "static-a", 10_000, 10_000, "range"));
        assertFalse(parked.isDone());

        cluster.setLeader(CoordinatorLog.TOPIC, 1, 1);
        assertEquals(1, c.coordinatorFor("moving"));
        assertError(Errors.NOT_COORDINATOR, get(parked).errorCode());
        assertEquals(Errors.NOT_COORDINATOR, heartbeat(c, "moving", j.memberId(), null, j.generationId()));
        assertError(Errors.NOT_COORDINATOR, get(c.joinGroup(caller("b", 5),
                join("moving", j.memberId(), null, 10_000, 10_000, "range"))).errorCode());

        cluster.setLeader(CoordinatorLog.TOPIC, 0, 2);
        partitions.startLeaderEpoch(offsets, 2);
        awaitReady(c, "moving");
        // The reloaded group is the stored one: stable at the generation whose assignment was written.
        assertEquals(Errors.NONE, heartbeat(c, "moving", j.memberId(), null, j.generationId()));
        assertEquals(11L, committed(c, "moving", 0));
    }

    @Test
    public void offsetsTopicIsCreatedOnFirstNeed() {
        GroupCoordinatorService c = start(config(0));
        assertFalse("created before anyone asked", cluster.creations().stream()
                .anyMatch(t -> t.name().equals(CoordinatorLog.TOPIC)));
        assertEquals(0, c.coordinatorFor("any"));
        // Replication factor 3 is asked for in the configuration, capped at the one live broker.
        List<InMemoryCluster.Creation> expected = List.of(new InMemoryCluster.Creation(CoordinatorLog.TOPIC, 4,
                (short) 1, Map.of("cleanup.policy", "compact", "segment.bytes", String.valueOf(1024 * 1024))));
        assertEquals(expected, offsetsTopicCreations());
        assertEquals(Math.abs("any".hashCode()) % 4, c.partitionFor("any"));
        assertEquals(0, c.coordinatorFor("other"));
        assertEquals("created once", expected, offsetsTopicCreations());
    }

    private List<InMemoryCluster.Creation> offsetsTopicCreations() {
        return cluster.creations().stream().filter(t -> t.name().equals(CoordinatorLog.TOPIC)).toList();
    }
}
