package io.samsa.cluster.metadata;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.kafka.common.Uuid;
import org.junit.Test;

import io.samsa.api.replication.LeaderRecoveryState;
import io.samsa.api.replication.PartitionAssignment;
import io.samsa.api.replication.PartitionState;

/** The znode documents, byte for byte as Kafka 2.x/3.x write them, and Kafka-written ones read back. */
public class MetadataJsonTest {

    private static byte[] utf8(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    public void topicNodeHasKafkasLayout() {
        SortedMap<Integer, PartitionAssignment> partitions = new TreeMap<>(
                Map.of(0, PartitionAssignment.of(List.of(1, 2)), 1, PartitionAssignment.of(List.of(2, 1))));
        Uuid id = new Uuid(1L, 2L);
        assertEquals("{\"version\":3,\"topic_id\":\"" + id + "\",\"partitions\":{\"0\":[1,2],\"1\":[2,1]},"
                + "\"adding_replicas\":{},\"removing_replicas\":{}}",
                new String(MetadataJson.topic(id, partitions), UTF_8));
    }

    @Test
    public void reassignmentListsOnlyThePartitionsBeingReassigned() {
        SortedMap<Integer, PartitionAssignment> partitions = new TreeMap<>(Map.of(
                0, PartitionAssignment.of(List.of(1, 2)),
                2, new PartitionAssignment(List.of(3, 1, 2), List.of(3), List.of(2))));
        Uuid id = new Uuid(7L, 9L);
        byte[] json = MetadataJson.topic(id, partitions);
        assertEquals("{\"version\":3,\"topic_id\":\"" + id + "\",\"partitions\":{\"0\":[1,2],\"2\":[3,1,2]},"
                + "\"adding_replicas\":{\"2\":[3]},\"removing_replicas\":{\"2\":[2]}}", new String(json, UTF_8));
        MetadataJson.TopicNode back = MetadataJson.parseTopic(json);
        assertEquals(id, back.topicId());
        assertEquals(partitions, back.partitions());
    }

    @Test
    public void olderTopicNodesWithoutIdOrReassignmentsRead() {
        MetadataJson.TopicNode v1 = MetadataJson.parseTopic(utf8("{\"version\":1,\"partitions\":{\"1\":[0],\"0\":[2,0]}}"));
        assertEquals(Uuid.ZERO_UUID, v1.topicId());
        assertEquals(List.of(0, 1), List.copyOf(v1.partitions().keySet()));
        assertEquals(PartitionAssignment.of(List.of(2, 0)), v1.partitions().get(0));
    }

    @Test
    public void partitionStateRoundTripsAndReadsKafkasOwn() {
        PartitionState s = new PartitionState(1, 7, List.of(1, 2), 4, 3, LeaderRecoveryState.RECOVERED);
        byte[] json = MetadataJson.state(s);
        assertEquals("{\"controller_epoch\":3,\"leader\":1,\"version\":1,\"leader_epoch\":7,\"isr\":[1,2]}",
                new String(json, UTF_8));
        assertEquals("the partition epoch is the node's version", s, MetadataJson.parseState(json, 4));
        String kafka = "{\"controller_epoch\":12,\"leader\":2,\"version\":1,\"leader_epoch\":40,"
                + "\"isr\":[2,0,1],\"leader_recovery_state\":0,\"extra\":{\"nested\":[{\"x\":null}]}}";
        assertEquals(new PartitionState(2, 40, List.of(2, 0, 1), 9, 12, LeaderRecoveryState.RECOVERED),
                MetadataJson.parseState(utf8(kafka), 9));
    }

    @Test
    public void aRecoveringLeaderIsWrittenAsKafka3Does() {
        PartitionState s = new PartitionState(2, 5, List.of(2), 0, 8, LeaderRecoveryState.RECOVERING);
        byte[] json = MetadataJson.state(s);
        assertEquals("{\"controller_epoch\":8,\"leader\":2,\"version\":1,\"leader_epoch\":5,\"isr\":[2],"
                + "\"leader_recovery_state\":1}", new String(json, UTF_8));
        assertEquals(s, MetadataJson.parseState(json, 0));
    }

    @Test
    public void configAndControllerNodes() {
        assertEquals("{\"version\":1,\"config\":{\"cleanup.policy\":\"compact\",\"retention.ms\":\"100\"}}",
                new String(MetadataJson.config(Map.of("retention.ms", "100", "cleanup.policy", "compact")), UTF_8));
        assertEquals(Map.of("a", "1", "b", "true"),
                MetadataJson.parseConfig(utf8("{\"version\":1,\"config\":{\"a\":\"1\",\"b\":true}}")));
        assertEquals(Map.of(), MetadataJson.parseConfig(utf8("{\"version\":1}")));
        assertEquals(3, MetadataJson.parseControllerId(utf8("{\"version\":1,\"brokerid\":3,\"timestamp\":\"1733300000000\"}")));
        assertEquals(4, MetadataJson.parseControllerId(utf8("{\"version\":1,\"brokerid\":\"4\"}")));
    }

    @Test
    public void corruptDocumentsAreRejectedSayingWhy() {
        assertThrows(IllegalArgumentException.class, () -> MetadataJson.parseState(utf8("{\"leader\":"), 0));
        assertThrows(IllegalArgumentException.class, () -> MetadataJson.parseState(utf8("[1]"), 0));
        IllegalArgumentException noLeader = assertThrows(IllegalArgumentException.class,
                () -> MetadataJson.parseState(utf8("{\"leader_epoch\":1,\"isr\":[1]}"), 0));
        assertTrue(noLeader.getMessage(), noLeader.getMessage().contains("leader"));
        IllegalArgumentException recovery = assertThrows(IllegalArgumentException.class, () -> MetadataJson
                .parseState(utf8("{\"leader\":1,\"leader_epoch\":1,\"isr\":[1],\"leader_recovery_state\":7}"), 0));
        assertTrue(recovery.getMessage(), recovery.getMessage().contains("leader_recovery_state"));
        IllegalArgumentException isr = assertThrows(IllegalArgumentException.class,
                () -> MetadataJson.parseState(utf8("{\"leader\":1,\"leader_epoch\":1,\"isr\":[\"x\"]}"), 0));
        assertTrue(isr.getMessage(), isr.getMessage().contains("isr"));
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
                () -> MetadataJson.parseTopic(utf8("{\"version\":3,\"partitions\":{\"zero\":[1]}}")));
        assertTrue(key.getMessage(), key.getMessage().contains("zero"));
        assertThrows(IllegalArgumentException.class,
                () -> MetadataJson.parseTopic(utf8("{\"version\":3,\"partitions\":{\"0\":[1,1]}}")));
        assertThrows(IllegalArgumentException.class, () -> MetadataJson.parseControllerId(utf8("{\"version\":1}")));
        assertThrows(IllegalArgumentException.class, () -> MetadataJson.parseConfig(utf8("{\"config\":[1]}")));
    }
}
