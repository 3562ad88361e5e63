package io.samsa.group;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.junit.Before;
import org.junit.Test;

public class OffsetCommitTest extends CoordinatorTestSupport {
    GroupCoordinatorService c;

    @Before
    public void setUp() {
        cluster.addTopic("orders", 3, Map.of());
        c = start(config(0));
    }

    static OffsetCommitRequestData commit(String groupId, int generation, String memberId, String topic,
            long... offsets) {
        OffsetCommitRequestData.OffsetCommitRequestTopic t = new OffsetCommitRequestData.OffsetCommitRequestTopic()
                .setName(topic);
        for (int p = 0; p < offsets.length; p++) {
            t.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(p)
                    .setCommittedOffset(offsets[p]).setCommittedLeaderEpoch(p + 1).setCommittedMetadata("m" + p));
        }
        return new OffsetCommitRequestData().setGroupId(groupId).setGenerationIdOrMemberEpoch(generation)
                .setMemberId(memberId).setTopics(new java.util.ArrayList<>(List.of(t)));
    }

    static List<Short> errors(OffsetCommitResponseData r) {
        return r.topics().stream().flatMap(t -> t.partitions().stream()).map(p -> p.errorCode()).toList();
    }

    OffsetFetchResponseData.OffsetFetchResponseGroup fetchV8(String groupId, String topic, Integer... partitions) {
        OffsetFetchRequestData.OffsetFetchRequestGroup g = new OffsetFetchRequestData.OffsetFetchRequestGroup()
                .setGroupId(groupId);
        g.setTopics(topic == null ? null : List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(topic)
                .setPartitionIndexes(List.of(partitions))));
        return get(c.fetchOffsets(caller("f", 8), new OffsetFetchRequestData().setGroups(List.of(g)))).groups().get(0);
    }

    @Test
    public void simpleCommitThenFetch() {
        awaitReady(c, "simple");
        OffsetCommitResponseData r = get(c.commitOffsets(caller("c", 8), commit("simple", -1, "", "orders", 10, 20)));
        assertEquals(List.of((short) 0, (short) 0), errors(r));

        OffsetFetchResponseData.OffsetFetchResponseGroup g = fetchV8("simple", "orders", 0, 1, 2);
        assertError(Errors.NONE, g.errorCode());
        List<OffsetFetchResponseData.OffsetFetchResponsePartitions> ps = g.topics().get(0).partitions();
        assertEquals(10L, ps.get(0).committedOffset());
        assertEquals("m0", ps.get(0).metadata());
        assertEquals(1, ps.get(0).committedLeaderEpoch());
        assertEquals(20L, ps.get(1).committedOffset());
        assertEquals(2, ps.get(1).committedLeaderEpoch());
        assertEquals(-1L, ps.get(2).committedOffset());
        assertEquals("", ps.get(2).metadata());

        // Version 5: one group at the top level; null topics means every committed offset.
        OffsetFetchResponseData all = get(c.fetchOffsets(caller("f", 5),
                new OffsetFetchRequestData().setGroupId("simple").setTopics(null)));
        assertError(Errors.NONE, all.errorCode());
        assertEquals(1, all.topics().size());
        assertEquals(2, all.topics().get(0).partitions().size());
        assertEquals(20L, all.topics().get(0).partitions().get(1).committedOffset());

        // An unknown group has no offsets.
        awaitReady(c, "nobody");
        assertEquals(-1L, fetchV8("nobody", "orders", 0).topics().get(0).partitions().get(0).committedOffset());
        assertTrue(fetchV8("nobody", null).topics().isEmpty());

        // The records are Kafka's: key version 1 (group, topic, partition), value version 3.
        TopicPartition offsetsPartition = new TopicPartition(CoordinatorLog.TOPIC, c.partitionFor("simple"));
        List<Record> records = partitions.records(offsetsPartition);
        assertEquals(2, records.size());
        assertEquals(1, records.get(0).key().getShort(0));
        assertEquals(3, records.get(0).value().getShort(0));
        CoordinatorRecords.Key key = CoordinatorRecords.parseKey(records.get(1).key());
        assertEquals("simple", key.group());
        assertEquals(new TopicPartition("orders", 1), key.partition());
        CommittedOffset value = CoordinatorRecords.parseOffsetValue(records.get(1).value(), 1);
        assertEquals(20L, value.offset());
        assertEquals("m1", value.metadata());
    }

    @Test
    public void groupMembersCommitWithTheirGeneration() {
        awaitReady(c, "members");
        JoinGroupResponseData j = get(c.joinGroup(caller("a", 3), join("members", "", null, 10_000, 10_000, "range")));
        int gen = j.generationId();
        // Joined but not synced: the group is completing its rebalance.
        assertEquals(List.of((short) Errors.REBALANCE_IN_PROGRESS.code()),
                errors(get(c.commitOffsets(caller("a", 8), commit("members", gen, j.memberId(), "orders", 1)))));
        syncOk(c, sync("members", j, assign(j.memberId(), "x")));

        assertEquals(List.of((short) Errors.ILLEGAL_GENERATION.code()),
                errors(get(c.commitOffsets(caller("a", 8), commit("members", gen + 1, j.memberId(), "orders", 5)))));
        assertEquals(List.of((short) Errors.UNKNOWN_MEMBER_ID.code()),
                errors(get(c.commitOffsets(caller("a", 8), commit("members", gen, "ghost", "orders", 5)))));
        assertEquals(List.of((short) Errors.UNKNOWN_MEMBER_ID.code()),
                errors(get(c.commitOffsets(caller("a", 8), commit("members", -1, "", "orders", 5)))));
        assertEquals(List.of((short) Errors.ILLEGAL_GENERATION.code()),
                errors(get(c.commitOffsets(caller("a", 8), commit("no-such-group", 3, "m", "orders", 5)))));
        assertEquals(List.of((short) 0),
                errors(get(c.commitOffsets(caller("a", 8), commit("members", gen, j.memberId(), "orders", 7)))));
        assertEquals(7L, fetchV8("members", "orders", 0).topics().get(0).partitions().get(0).committedOffset());
    }

    @Test
    public void badPartitionsFailAlone() {
        awaitReady(c, "bad");
        OffsetCommitRequestData request = commit("bad", -1, "", "orders", 1, 2);
        request.topics().get(0).partitions().get(1).setCommittedMetadata("x".repeat(4097));
        request.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("missing")
                .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition())));
        OffsetCommitResponseData r = get(c.commitOffsets(caller("c", 8), request));
        assertEquals(List.of((short) 0, Errors.OFFSET_METADATA_TOO_LARGE.code(),
                Errors.UNKNOWN_TOPIC_OR_PARTITION.code()), errors(r));
        assertEquals(-1L, fetchV8("bad", "orders", 1).topics().get(0).partitions().get(0).committedOffset());
        assertError(Errors.INVALID_GROUP_ID, get(c.commitOffsets(caller("c", 8), commit(null, -1, "", "orders", 1)))
                .topics().get(0).partitions().get(0).errorCode());
    }

    @Test
    public void commitIsAcknowledgedOnlyAfterTheWrite() {
        awaitReady(c, "slow");
        partitions.holdAppends();
        CompletableFuture<OffsetCommitResponseData> f = c.commitOffsets(caller("c", 8),
                commit("slow", -1, "", "orders", 42));
        assertFalse(f.isDone());
        assertEquals(-1L, fetchV8("slow", "orders", 0).topics().get(0).partitions().get(0).committedOffset());
        partitions.releaseAppends();
        assertEquals(List.of((short) 0), errors(get(f)));
        assertEquals(42L, fetchV8("slow", "orders", 0).topics().get(0).partitions().get(0).committedOffset());
    }

    @Test
    public void failedWriteCommitsNothing() {
        awaitReady(c, "failing");
        partitions.failAppends(Errors.NOT_LEADER_OR_FOLLOWER);
        assertEquals(List.of(Errors.NOT_COORDINATOR.code()),
                errors(get(c.commitOffsets(caller("c", 8), commit("failing", -1, "", "orders", 9)))));
        partitions.failAppends(Errors.NOT_ENOUGH_REPLICAS);
        assertEquals(List.of(Errors.COORDINATOR_NOT_AVAILABLE.code()),
                errors(get(c.commitOffsets(caller("c", 8), commit("failing", -1, "", "orders", 9)))));
        assertEquals(-1L, fetchV8("failing", "orders", 0).topics().get(0).partitions().get(0).committedOffset());
    }

    @Test
    public void oldFetchVersionsCarryErrorsPerPartition() {
        GroupCoordinatorService other = start(config(0));
        // Not the coordinator yet (no offsets topic): v1 puts the error on each partition, v2+ at the top.
        OffsetFetchRequestData request = new OffsetFetchRequestData().setGroupId("old").setTopics(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("orders").setPartitionIndexes(List.of(0))));
        OffsetFetchResponseData v1 = get(other.fetchOffsets(caller("f", 1), request));
        assertError(Errors.NOT_COORDINATOR, v1.topics().get(0).partitions().get(0).errorCode());
        assertError(Errors.NOT_COORDINATOR, get(other.fetchOffsets(caller("f", 3), request)).errorCode());
    }
}
