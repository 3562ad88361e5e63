package io.samsa.group;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.junit.Before;
import org.junit.Test;

import io.samsa.testsupport.Poll;

public class GroupAdminTest extends CoordinatorTestSupport {
    GroupCoordinatorService c;
    JoinGroupResponseData stableMember;

    @Before
    public void groups() {
        cluster.addTopic("orders", 1, Map.of());
        c = start(config(0));
        for (String g : List.of("stable", "completing", "commits-only")) {
            awaitReady(c, g);
        }
        stableMember = get(c.joinGroup(caller("s", 3), join("stable", "", null, 10_000, 10_000, "range")));
        syncOk(c, sync("stable", stableMember, assign(stableMember.memberId(), "p0")));
        get(c.joinGroup(caller("x", 3), join("completing", "", null, 10_000, 10_000, "roundrobin")));
        get(c.commitOffsets(caller("admin", 8), OffsetCommitTest.commit("commits-only", -1, "", "orders", 3)));
    }

    /** ListGroups once every partition is loaded (the first call starts loading the ones not yet asked for). */
    Map<String, ListGroupsResponseData.ListedGroup> list(int version, List<String> states, List<String> types) {
        ListGroupsRequestData request = new ListGroupsRequestData().setStatesFilter(states).setTypesFilter(types);
        ListGroupsResponseData[] r = new ListGroupsResponseData[1];
        Poll.until("all partitions loaded", () -> {
            r[0] = get(c.listGroups(caller("admin", version), request));
            return r[0].errorCode() != Errors.COORDINATOR_LOAD_IN_PROGRESS.code();
        });
        assertError(Errors.NONE, r[0].errorCode());
        return r[0].groups().stream().collect(Collectors.toMap(ListGroupsResponseData.ListedGroup::groupId, g -> g));
    }

    @Test
    public void listGroupsWithFilters() {
        Map<String, ListGroupsResponseData.ListedGroup> all = list(3, List.of(), List.of());
        assertEquals(3, all.size());
        assertEquals(PROTOCOL_TYPE, all.get("stable").protocolType());
        assertEquals("", all.get("commits-only").protocolType());

        Map<String, ListGroupsResponseData.ListedGroup> v4 = list(4, List.of(), List.of());
        assertEquals("Stable", v4.get("stable").groupState());
        assertEquals("CompletingRebalance", v4.get("completing").groupState());
        assertEquals("Empty", v4.get("commits-only").groupState());
        assertEquals(Map.of("stable", "Stable"), list(4, List.of("stable"), List.of()).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().groupState())));
        assertEquals(2, list(4, List.of("Empty", "CompletingRebalance"), List.of()).size());

        assertEquals("classic", list(5, List.of(), List.of("Classic")).get("stable").groupType());
        assertTrue(list(5, List.of(), List.of("consumer")).isEmpty());
    }

    @Test
    public void describeGroupsReportsKafkasStates() {
        DescribeGroupsResponseData r = get(c.describeGroups(caller("admin", 5), new DescribeGroupsRequestData()
                .setGroups(List.of("stable", "completing", "commits-only", "unknown"))));
        DescribeGroupsResponseData.DescribedGroup stable = r.groups().get(0);
        assertEquals("Stable", stable.groupState());
        assertEquals(PROTOCOL_TYPE, stable.protocolType());
        assertEquals("range", stable.protocolData());
        DescribeGroupsResponseData.DescribedGroupMember m = stable.members().get(0);
        assertEquals(stableMember.memberId(), m.memberId());
        assertEquals("s", m.clientId());
        assertEquals("/127.0.0.1", m.clientHost());
        assertEquals("meta-range", string(m.memberMetadata()));
        assertEquals("p0", string(m.memberAssignment()));

        DescribeGroupsResponseData.DescribedGroup completing = r.groups().get(1);
        assertEquals("CompletingRebalance", completing.groupState());
        assertEquals("", completing.protocolData());
        assertEquals(0, completing.members().get(0).memberMetadata().length);

        assertEquals("Empty", r.groups().get(2).groupState());
        assertEquals("", r.groups().get(2).protocolType());
        assertEquals("Dead", r.groups().get(3).groupState());
        assertError(Errors.NONE, r.groups().get(3).errorCode());
        assertTrue(r.groups().get(3).members().isEmpty());
    }

    @Test
    public void deleteGroupsChecksState() {
        var r = get(c.deleteGroups(caller("admin", 2), new org.apache.kafka.common.message.DeleteGroupsRequestData()
                .setGroupsNames(List.of("stable", "commits-only", "unknown"))));
        assertError(Errors.NON_EMPTY_GROUP, r.results().find("stable").errorCode());
        assertError(Errors.NONE, r.results().find("commits-only").errorCode());
        assertError(Errors.GROUP_ID_NOT_FOUND, r.results().find("unknown").errorCode());
        assertFalse(list(4, List.of(), List.of()).containsKey("commits-only"));
    }

    @Test
    public void emptyGroupOffsetsExpire() {
        GroupConfig shortRetention = new GroupConfig(4, (short) 3, 1024 * 1024, 0, 10, 60_000, Integer.MAX_VALUE,
                50L, 20L, 4096, 5000);
        stop(c);
        GroupCoordinatorService e = start(shortRetention);
        awaitReady(e, "commits-only");
        Poll.until("expiry of commits-only", () -> {
            var r = get(e.fetchOffsets(caller("f", 8), new OffsetFetchRequestData().setGroups(List.of(
                    new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("commits-only").setTopics(null)))));
            return r.groups().get(0).topics().isEmpty();
        });
        List<Record> records = partitions.records(new TopicPartition(CoordinatorLog.TOPIC,
                e.partitionFor("commits-only")));
        assertTrue(records.stream().anyMatch(rec -> !rec.hasValue()
                && "commits-only".equals(CoordinatorRecords.parseKey(rec.key()).group())));
        // The stable group keeps its (uncommitted) membership.
        assertEquals(Errors.NONE, heartbeat(e, "stable", stableMember.memberId(), null, stableMember.generationId()));
    }
}
