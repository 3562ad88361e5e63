package io.samsa.group;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.Before;
import org.junit.Test;

import io.samsa.testsupport.Poll;

/**
 * The coordinator's state is what {@code __consumer_offsets} says: a coordinator built afresh by
 * replaying the log holds the same groups as the live one that wrote it, with the same
 * generations, leaders, protocols, members (static ones under their instance ids) and
 * assignments, and the same committed offsets. What a replay cannot know (parked requests,
 * timers, the protocols a member supports besides the chosen one) is not compared.
 */
public class GroupReplayTest extends CoordinatorTestSupport {

    /** A member as the log keeps it. */
    record DurableMember(String groupInstanceId, String clientId, String clientHost, int rebalanceTimeoutMs,
            int sessionTimeoutMs, String subscription, String assignment) {
    }

    /** A group as the log keeps it; members and offsets sorted so that equal states compare equal. */
    record DurableGroup(String state, int generation, String protocolType, String protocol, String leader,
            Map<String, DurableMember> members, Map<String, CommittedOffset> offsets) {

        static DurableGroup of(ClassicGroup g) {
            g.lock();
            try {
                Map<String, DurableMember> members = new TreeMap<>();
                for (GroupMember m : g.members()) {
                    members.put(m.memberId(), new DurableMember(m.groupInstanceId(), m.clientId(), m.clientHost(),
                            m.rebalanceTimeoutMs(), m.sessionTimeoutMs(), string(m.metadata(g.protocolName())),
                            string(m.assignment())));
                }
                Map<String, CommittedOffset> offsets = new TreeMap<>();
                g.offsets().forEach((tp, o) -> offsets.put(tp.toString(), o));
                return new DurableGroup(g.state().toString(), g.generationId(), g.protocolType(), g.protocolName(),
                        g.leaderId(), members, offsets);
            } finally {
                g.unlock();
            }
        }
    }

    private static Map<String, DurableGroup> durableGroups(GroupCoordinatorService c) {
        Map<String, DurableGroup> out = new TreeMap<>();
        for (ClassicGroup g : c.groups().all()) {
            out.put(g.groupId(), DurableGroup.of(g));
        }
        return out;
    }

    @Before
    public void topics() {
        cluster.addTopic("orders", 2, Map.of());
    }

    private static LeaveGroupResponseData leave(GroupCoordinatorService c, String groupId, String memberId,
            String instanceId) {
        LeaveGroupResponseData left = get(c.leaveGroup(caller("leaver", 5), new LeaveGroupRequestData()
                .setGroupId(groupId).setMembers(List.of(new LeaveGroupRequestData.MemberIdentity()
                        .setMemberId(memberId).setGroupInstanceId(instanceId)))));
        assertError(Errors.NONE, left.errorCode());
        return left;
    }

    private static void commit(GroupCoordinatorService c, String groupId, JoinGroupResponseData member,
            String instanceId, long... offsets) {
        List<Short> errors = OffsetCommitTest.errors(get(c.commitOffsets(caller("committer", 8),
                OffsetCommitTest.commit(groupId, member.generationId(), member.memberId(), "orders", offsets)
                        .setGroupInstanceId(instanceId))));
        assertTrue(errors.toString(), errors.stream().allMatch(e -> e == 0));
    }

    /** Three members (one static) through two generations: a leave, rejoins, new assignments, commits. */
    private void rebalancedGroup(GroupCoordinatorService c) {
        CompletableFuture<JoinGroupResponseData> a = c.joinGroup(caller("a", 7),
                join("rebalanced", "", "instance-a", 10_000, 20_000, "range", "roundrobin"));
        CompletableFuture<JoinGroupResponseData> b = c.joinGroup(caller("b", 3),
                join("rebalanced", "", null, 12_000, 15_000, "range"));
        CompletableFuture<JoinGroupResponseData> gone = c.joinGroup(caller("c", 3),
                join("rebalanced", "", null, 10_000, 10_000, "range"));
        List<JoinGroupResponseData> first = List.of(get(a), get(b), get(gone));
        GroupMembershipTest.syncAll(c, "rebalanced", first);
        commit(c, "rebalanced", first.get(0), "instance-a", 5, 7);

        leave(c, "rebalanced", first.get(2).memberId(), null);
        CompletableFuture<JoinGroupResponseData> a2 = c.joinGroup(caller("a", 7),
                join("rebalanced", first.get(0).memberId(), "instance-a", 10_000, 20_000, "range", "roundrobin"));
        CompletableFuture<JoinGroupResponseData> b2 = c.joinGroup(caller("b", 3),
                join("rebalanced", first.get(1).memberId(), null, 12_000, 15_000, "range"));
        List<JoinGroupResponseData> second = List.of(get(a2), get(b2));
        assertEquals(first.get(0).generationId() + 1, second.get(0).generationId());
        GroupMembershipTest.syncAll(c, "rebalanced", second);
        commit(c, "rebalanced", second.get(1), null, 9, 11);
    }

    /** One member that commits and leaves: an empty group that keeps its offsets. */
    private void emptiedGroup(GroupCoordinatorService c) {
        JoinGroupResponseData only = get(c.joinGroup(caller("solo", 3),
                join("emptied", "", null, 10_000, 10_000, "range")));
        GroupMembershipTest.syncAll(c, "emptied", List.of(only));
        commit(c, "emptied", only, null, 3);
        leave(c, "emptied", only.memberId(), null);
    }

    @Test
    public void aReplayOfTheOffsetsTopicRebuildsTheLiveState() {
        GroupCoordinatorService live = start(config(100));
        for (String group : List.of("rebalanced", "emptied", "commit-only")) {
            awaitReady(live, group);
        }
        rebalancedGroup(live);
        emptiedGroup(live);
        // A commit-only group (no members, generation -1), as tools such as kafka-consumer-groups --reset-offsets make.
        commit(live, "commit-only", new JoinGroupResponseData().setGenerationId(-1).setMemberId(""), null, 42);
        Poll.until("the live groups settle", () -> {
            Map<String, DurableGroup> now = durableGroups(live);
            return now.size() == 3 && "Stable".equals(now.get("rebalanced").state())
                    && "Empty".equals(now.get("emptied").state());
        });
        Map<String, DurableGroup> expected = durableGroups(live);
        assertEquals(2, expected.get("rebalanced").members().size());
        assertEquals(2, expected.get("rebalanced").offsets().size());
        assertFalse(expected.get("emptied").offsets().isEmpty());
        stop(live);

        GroupCoordinatorService replayed = start(config(100));
        awaitReady(replayed, "rebalanced");
        awaitReady(replayed, "emptied");
        awaitReady(replayed, "commit-only");
        assertEquals(expected, durableGroups(replayed));
    }

    @Test
    public void aReplayWhileTheLiveCoordinatorRunsSeesTheSameState() {
        GroupCoordinatorService live = start(config(100));
        awaitReady(live, "rebalanced");
        rebalancedGroup(live);
        Map<String, DurableGroup> expected = durableGroups(live);

        // The loader alone, over the same log, as a coordinator taking over the partition would run it.
        GroupLoader loader = new GroupLoader(partitions, Runnable::run);
        int partition = live.groups().get("rebalanced").partition();
        Map<String, DurableGroup> rebuilt = byGroupId(get(loader.load(partition, 0, Rebalancer.now())));
        List<String> inPartition = new ArrayList<>();
        for (ClassicGroup g : live.groups().inPartition(partition)) {
            inPartition.add(g.groupId());
        }
        assertEquals(inPartition.size(), rebuilt.size());
        assertEquals(expected.get("rebalanced"), rebuilt.get("rebalanced"));
    }

    @Test
    public void aLoadReadsToTheLogEndOnceTheHighWatermarkPassesIt() {
        GroupCoordinatorService live = start(config(100));
        awaitReady(live, "rebalanced");
        rebalancedGroup(live);
        Map<String, DurableGroup> expected = durableGroups(live);
        int partition = live.groups().get("rebalanced").partition();
        TopicPartition tp = new TopicPartition(CoordinatorLog.TOPIC, partition);

        // A new leader whose followers have not fetched since it took over: its high watermark
        // trails its log end, which holds the group's acknowledged commits.
        partitions.holdHighWatermark(tp, 0);
        GroupLoader loader = new GroupLoader(partitions, Runnable::run);
        long fetchesBefore = partitions.fetches();
        CompletableFuture<List<ClassicGroup>> load = loader.load(partition, 0, Rebalancer.now());
        Poll.until("the load polls again while the high watermark is held",
                () -> partitions.fetches() >= fetchesBefore + 2);
        assertFalse("a load does not finish below the log end it started with", load.isDone());

        partitions.holdHighWatermark(tp, -1);
        assertEquals(expected.get("rebalanced"), byGroupId(get(load)).get("rebalanced"));
    }

    private static Map<String, DurableGroup> byGroupId(List<ClassicGroup> loaded) {
        Map<String, DurableGroup> groups = new TreeMap<>();
        for (ClassicGroup g : loaded) {
            groups.put(g.groupId(), DurableGroup.of(g));
        }
        return groups;
    }
}
