package io.samsa.group;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.Test;

import io.samsa.testsupport.Poll;

public class GroupMembershipTest extends CoordinatorTestSupport {

    /** Joins {@code n} dynamic members (v5, through MEMBER_ID_REQUIRED) and completes the rebalance. */
    List<JoinGroupResponseData> formGroup(GroupCoordinatorService c, String groupId, int n, int sessionMs) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            JoinGroupResponseData r = get(c.joinGroup(caller("client-" + i, 5),
                    join(groupId, "", null, sessionMs, 10_000, "range")));
            assertError(Errors.MEMBER_ID_REQUIRED, r.errorCode());
            assertTrue(r.memberId().startsWith("client-" + i + "-"));
            ids.add(r.memberId());
        }
        List<CompletableFuture<JoinGroupResponseData>> joins = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            joins.add(c.joinGroup(caller("client-" + i, 7), join(groupId, ids.get(i), null, sessionMs, 10_000,
                    "range")));
        }
        List<JoinGroupResponseData> joined = new ArrayList<>();
        for (CompletableFuture<JoinGroupResponseData> f : joins) {
            JoinGroupResponseData r = get(f);
            assertError(Errors.NONE, r.errorCode());
            joined.add(r);
        }
        syncAll(c, groupId, joined);
        return joined;
    }

    /** Followers sync first (and wait), then the leader assigns "assign-&lt;member id&gt;" to everyone. */
    static void syncAll(GroupCoordinatorService c, String groupId, List<JoinGroupResponseData> joined) {
        JoinGroupResponseData leader = null;
        List<CompletableFuture<SyncGroupResponseData>> followers = new ArrayList<>();
        List<JoinGroupResponseData> followerJoins = new ArrayList<>();
        for (JoinGroupResponseData j : joined) {
            if (j.leader().equals(j.memberId())) {
                leader = j;
            } else {
                followers.add(c.syncGroup(caller("sync", 5), sync(groupId, j)));
                followerJoins.add(j);
            }
        }
        for (CompletableFuture<SyncGroupResponseData> f : followers) {
            assertFalse("a follower's SyncGroup waits for the leader", f.isDone());
        }
        List<SyncGroupRequestData.SyncGroupRequestAssignment> assignments = new ArrayList<>();
        for (JoinGroupResponseData.JoinGroupResponseMember m : leader.members()) {
            assignments.add(assign(m.memberId(), "assign-" + m.memberId()));
        }
        SyncGroupResponseData own = syncOk(c, sync(groupId, leader,
                assignments.toArray(new SyncGroupRequestData.SyncGroupRequestAssignment[0])));
        assertEquals("assign-" + leader.memberId(), string(own.assignment()));
        assertEquals("range", own.protocolName());
        for (int i = 0; i < followers.size(); i++) {
            SyncGroupResponseData r = get(followers.get(i));
            assertError(Errors.NONE, r.errorCode());
            assertEquals("assign-" + followerJoins.get(i).memberId(), string(r.assignment()));
        }
    }

    DescribeGroupsResponseData.DescribedGroup describe(GroupCoordinatorService c, String groupId) {
        return get(c.describeGroups(caller("admin", 5), new DescribeGroupsRequestData().setGroups(List.of(groupId))))
                .groups().get(0);
    }

    @Test
    public void threeMembersRebalanceAndGetTheLeadersAssignments() {
        GroupCoordinatorService c = start(config(200));
        awaitReady(c, "g3");
        List<JoinGroupResponseData> joined = formGroup(c, "g3", 3, 10_000);

        Set<String> leaders = new HashSet<>();
        int withMembers = 0;
        for (JoinGroupResponseData j : joined) {
            assertEquals(1, j.generationId());
            assertEquals("range", j.protocolName());
            assertEquals(PROTOCOL_TYPE, j.protocolType());
            leaders.add(j.leader());
            if (j.leader().equals(j.memberId())) {
                withMembers++;
                assertEquals(3, j.members().size());
                for (JoinGroupResponseData.JoinGroupResponseMember m : j.members()) {
                    assertArrayEquals(bytes("meta-range"), m.metadata());
                }
            } else {
                assertTrue(j.members().isEmpty());
            }
        }
        assertEquals(1, leaders.size());
        assertEquals(1, withMembers);

        DescribeGroupsResponseData.DescribedGroup d = describe(c, "g3");
        assertEquals("Stable", d.groupState());
        assertEquals("range", d.protocolData());
        assertEquals(3, d.members().size());
        for (DescribeGroupsResponseData.DescribedGroupMember m : d.members()) {
            assertEquals("assign-" + m.memberId(), string(m.memberAssignment()));
            assertEquals("/127.0.0.1", m.clientHost());
        }
        for (JoinGroupResponseData j : joined) {
            assertEquals(Errors.NONE, heartbeat(c, "g3", j.memberId(), null, 1));
        }
    }

    @Test
    public void leavingMemberTriggersRebalance() {
        GroupCoordinatorService c = start(config(100));
        awaitReady(c, "leave");
        List<JoinGroupResponseData> joined = formGroup(c, "leave", 2, 10_000);
        assertEquals(joined.get(0).generationId(), joined.get(1).generationId());
        int generation = joined.get(0).generationId();
        JoinGroupResponseData stays = joined.get(0);
        JoinGroupResponseData goes = joined.get(1);

        LeaveGroupResponseData left = get(c.leaveGroup(caller("client-1", 5), new LeaveGroupRequestData()
                .setGroupId("leave").setMembers(List.of(new LeaveGroupRequestData.MemberIdentity()
                        .setMemberId(goes.memberId()), new LeaveGroupRequestData.MemberIdentity().setMemberId("nobody")))));
        assertError(Errors.NONE, left.errorCode());
        assertError(Errors.NONE, left.members().get(0).errorCode());
        assertError(Errors.UNKNOWN_MEMBER_ID, left.members().get(1).errorCode());

        assertEquals(Errors.REBALANCE_IN_PROGRESS, heartbeat(c, "leave", stays.memberId(), null, generation));
        assertEquals("PreparingRebalance", describe(c, "leave").groupState());
        JoinGroupResponseData rejoined = get(c.joinGroup(caller("client-0", 5),
                join("leave", stays.memberId(), null, 10_000, 10_000, "range")));
        assertError(Errors.NONE, rejoined.errorCode());
        assertEquals(generation + 1, rejoined.generationId());
        assertEquals(stays.memberId(), rejoined.leader());
        assertEquals(1, rejoined.members().size());
        assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat(c, "leave", goes.memberId(), null, generation + 1));

        // Version 0 LeaveGroup answers with a top-level error only.
        LeaveGroupResponseData v0 = get(c.leaveGroup(caller("client-1", 0), new LeaveGroupRequestData()
                .setGroupId("leave").setMemberId(goes.memberId())));
        assertError(Errors.UNKNOWN_MEMBER_ID, v0.errorCode());
    }

    @Test
    public void expiredSessionRemovesMember() {
        GroupCoordinatorService c = start(config(100));
        awaitReady(c, "expiry");
        List<JoinGroupResponseData> joined = formGroup(c, "expiry", 2, 300);
        int generation = joined.get(0).generationId();
        JoinGroupResponseData alive = joined.get(0);
        // Only the first member heartbeats; the second one's session runs out and a rebalance starts.
        Poll.until("rebalance after session expiry",
                () -> heartbeat(c, "expiry", alive.memberId(), null, generation) == Errors.REBALANCE_IN_PROGRESS);
        JoinGroupResponseData rejoined = get(c.joinGroup(caller("client-0", 5),
                join("expiry", alive.memberId(), null, 300, 10_000, "range")));
        assertError(Errors.NONE, rejoined.errorCode());
        assertEquals(generation + 1, rejoined.generationId());
        assertEquals(1, rejoined.members().size());
        assertEquals(alive.memberId(), rejoined.members().get(0).memberId());
    }

    @Test
    public void memberIdRequiredFromVersion4() {
        GroupCoordinatorService c = start(config(0));
        awaitReady(c, "kip394");
        JoinGroupResponseData first = get(c.joinGroup(caller("client-a", 4),
                join("kip394", "", null, 10_000, 10_000, "range")));
        assertError(Errors.MEMBER_ID_REQUIRED, first.errorCode());
        assertTrue(first.memberId().startsWith("client-a-"));
        assertEquals("", first.protocolName());

        JoinGroupResponseData second = get(c.joinGroup(caller("client-a", 4),
                join("kip394", first.memberId(), null, 10_000, 10_000, "range")));
        assertError(Errors.NONE, second.errorCode());
        assertEquals(first.memberId(), second.memberId());
        assertEquals(first.memberId(), second.leader());
        assertEquals(1, second.generationId());

        // Version 3 clients get a member id right away.
        awaitReady(c, "kip394-old");
        JoinGroupResponseData old = get(c.joinGroup(caller("client-b", 3),
                join("kip394-old", "", null, 10_000, 10_000, "range")));
        assertError(Errors.NONE, old.errorCode());
        assertTrue(old.memberId().startsWith("client-b-"));
    }

    @Test
    public void staticMemberRejoinsWithoutRebalanceAndFencesOldId() {
        GroupCoordinatorService c = start(config(100));
        awaitReady(c, "static");
        CompletableFuture<JoinGroupResponseData> f1 = c.joinGroup(caller("c1", 5),
                join("static", "", "instance-1", 10_000, 10_000, "range"));
        CompletableFuture<JoinGroupResponseData> f2 = c.joinGroup(caller("c2", 5),
                join("static", "", "instance-2", 10_000, 10_000, "range"));
        List<JoinGroupResponseData> joined = List.of(get(f1), get(f2));
        assertTrue(joined.get(0).memberId().startsWith("instance-1-"));
        GroupMembershipTest.syncAll(c, "static", joined);
        int generation = joined.get(0).generationId();
        JoinGroupResponseData old1 = joined.get(0);
        JoinGroupResponseData other = joined.get(1);

        JoinGroupResponseData again = get(c.joinGroup(caller("c1", 5),
                join("static", "", "instance-1", 10_000, 10_000, "range")));
        assertError(Errors.NONE, again.errorCode());
        assertNotEquals(old1.memberId(), again.memberId());
        assertEquals(generation, again.generationId());
        assertEquals(old1.leader(), again.leader());
        assertTrue(again.members().isEmpty());
        assertEquals("Stable", describe(c, "static").groupState());

        SyncGroupResponseData resync = syncOk(c, sync("static", again));
        assertEquals("assign-" + old1.memberId(), string(resync.assignment()));
        assertEquals(Errors.FENCED_INSTANCE_ID, heartbeat(c, "static", old1.memberId(), "instance-1", generation));
        assertEquals(Errors.NONE, heartbeat(c, "static", again.memberId(), "instance-1", generation));
        assertEquals(Errors.NONE, heartbeat(c, "static", other.memberId(), "instance-2", generation));
        JoinGroupResponseData fenced = get(c.joinGroup(caller("c1", 5),
                join("static", old1.memberId(), "instance-1", 10_000, 10_000, "range")));
        assertError(Errors.FENCED_INSTANCE_ID, fenced.errorCode());
    }

    @Test
    public void staticLeaderRejoinAtVersion9SkipsAssignment() {
        GroupCoordinatorService c = start(config(0));
        awaitReady(c, "static9");
        JoinGroupResponseData j = get(c.joinGroup(caller("c1", 9),
                join("static9", "", "leader-instance", 10_000, 10_000, "range")));
        GroupMembershipTest.syncAll(c, "static9", List.of(j));
        JoinGroupResponseData again = get(c.joinGroup(caller("c1", 9),
                join("static9", "", "leader-instance", 10_000, 10_000, "range")));
        assertError(Errors.NONE, again.errorCode());
        assertEquals(again.memberId(), again.leader());
        assertTrue(again.skipAssignment());
        assertEquals(1, again.members().size());
        assertEquals(j.generationId(), again.generationId());
    }

    @Test
    public void inconsistentProtocolsAreRejected() {
        GroupCoordinatorService c = start(config(0));
        awaitReady(c, "proto");
        JoinGroupResponseData a = get(c.joinGroup(caller("a", 3), join("proto", "", null, 10_000, 10_000, "range")));
        assertError(Errors.NONE, a.errorCode());
        JoinGroupResponseData b = get(c.joinGroup(caller("b", 3),
                join("proto", "", null, 10_000, 10_000, "roundrobin")));
        assertError(Errors.INCONSISTENT_GROUP_PROTOCOL, b.errorCode());
        JoinGroupResponseData type = get(c.joinGroup(caller("b", 3),
                join("proto", "", null, 10_000, 10_000, "range").setProtocolType("connect")));
        assertError(Errors.INCONSISTENT_GROUP_PROTOCOL, type.errorCode());
        JoinGroupResponseData none = get(c.joinGroup(caller("b", 3), join("proto-empty", "", null, 10_000, 10_000)));
        assertError(Errors.INCONSISTENT_GROUP_PROTOCOL, none.errorCode());
        SyncGroupResponseData wrongName = get(c.syncGroup(caller("a", 5),
                sync("proto", a).setProtocolName("roundrobin")));
        assertError(Errors.INCONSISTENT_GROUP_PROTOCOL, wrongName.errorCode());
    }

    @Test
    public void commonProtocolIsChosenByVotes() {
        GroupCoordinatorService c = start(config(100));
        awaitReady(c, "votes");
        CompletableFuture<JoinGroupResponseData> a = c.joinGroup(caller("a", 3),
                join("votes", "", null, 10_000, 10_000, "range", "roundrobin", "sticky"));
        CompletableFuture<JoinGroupResponseData> b = c.joinGroup(caller("b", 3),
                join("votes", "", null, 10_000, 10_000, "sticky", "roundrobin"));
        CompletableFuture<JoinGroupResponseData> d = c.joinGroup(caller("c", 3),
                join("votes", "", null, 10_000, 10_000, "roundrobin", "sticky"));
        // Candidates are roundrobin and sticky; a and c prefer roundrobin, b prefers sticky.
        assertEquals("roundrobin", get(a).protocolName());
        assertEquals("roundrobin", get(b).protocolName());
        assertEquals("roundrobin", get(d).protocolName());
    }

    @Test
    public void badRequestsGetKafkasErrors() {
        GroupCoordinatorService c = start(config(0));
        assertError(Errors.NOT_COORDINATOR, get(c.joinGroup(caller("a", 5),
                join("early", "", null, 10_000, 10_000, "range"))).errorCode());
        awaitReady(c, "bad");
        assertError(Errors.INVALID_SESSION_TIMEOUT, get(c.joinGroup(caller("a", 5),
                join("bad", "", null, 5, 10_000, "range"))).errorCode());
        assertError(Errors.INVALID_GROUP_ID, get(c.joinGroup(caller("a", 5),
                join("", "", null, 10_000, 10_000, "range"))).errorCode());
        assertError(Errors.UNKNOWN_MEMBER_ID, get(c.joinGroup(caller("a", 5),
                join("bad", "ghost", null, 10_000, 10_000, "range"))).errorCode());
        assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat(c, "bad", "ghost", null, 1));
        assertError(Errors.UNKNOWN_MEMBER_ID, get(c.syncGroup(caller("a", 5), new SyncGroupRequestData()
                .setGroupId("bad").setMemberId("ghost").setGenerationId(1))).errorCode());

        JoinGroupResponseData a = get(c.joinGroup(caller("a", 3), join("bad", "", null, 10_000, 10_000, "range")));
        assertEquals(Errors.ILLEGAL_GENERATION, heartbeat(c, "bad", a.memberId(), null, a.generationId() + 1));
        assertError(Errors.ILLEGAL_GENERATION, get(c.syncGroup(caller("a", 5),
                sync("bad", a).setGenerationId(7))).errorCode());
        assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat(c, "bad", "ghost", null, a.generationId()));
    }

    @Test
    public void groupMaxSizeIsEnforced() {
        GroupConfig one = new GroupConfig(4, (short) 3, 1024 * 1024, 0, 10, 60_000, 1, 1_000_000L, 3_600_000L,
                4096, 5000);
        GroupCoordinatorService c = start(one);
        awaitReady(c, "small");
        assertError(Errors.NONE, get(c.joinGroup(caller("a", 3),
                join("small", "", null, 10_000, 10_000, "range"))).errorCode());
        JoinGroupResponseData second = get(c.joinGroup(caller("b", 3),
                join("small", "", null, 10_000, 10_000, "range")));
        assertError(Errors.GROUP_MAX_SIZE_REACHED, second.errorCode());
    }

    @Test
    public void failedAssignmentWriteFailsTheSyncAndRebalances() {
        GroupCoordinatorService c = start(config(100));
        awaitReady(c, "unlucky");
        CompletableFuture<JoinGroupResponseData> fa = c.joinGroup(caller("a", 3),
                join("unlucky", "", null, 10_000, 10_000, "range"));
        CompletableFuture<JoinGroupResponseData> fb = c.joinGroup(caller("b", 3),
                join("unlucky", "", null, 10_000, 10_000, "range"));
        JoinGroupResponseData a = get(fa);
        JoinGroupResponseData b = get(fb);
        JoinGroupResponseData leader = a.leader().equals(a.memberId()) ? a : b;
        JoinGroupResponseData follower = leader == a ? b : a;
        CompletableFuture<SyncGroupResponseData> waiting = c.syncGroup(caller("f", 5), sync("unlucky", follower));
        partitions.failAppends(Errors.NOT_LEADER_OR_FOLLOWER);
        SyncGroupResponseData failed = get(c.syncGroup(caller("l", 5), sync("unlucky", leader,
                assign(leader.memberId(), "x"), assign(follower.memberId(), "y"))));
        assertError(Errors.NOT_COORDINATOR, failed.errorCode());
        assertError(Errors.NOT_COORDINATOR, get(waiting).errorCode());
        assertEquals("PreparingRebalance", describe(c, "unlucky").groupState());
    }
}
